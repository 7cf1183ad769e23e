/*
 * infrastructure/reporting/read_models.c — Reporting's queries (read_models.h).
 *
 * Each query lets PostgreSQL build the JSON document (json_build_object, json_agg), so a
 * row goes from the read table to the reply without a C struct in between: a read model
 * is already shaped for its question.  Times are RFC 3339 UTC with microseconds, money
 * the published language's "24.90 EUR".
 * Read next: reporting_api.c
 */
#include "infrastructure/reporting/read_models.h"

#include "domain/shared/error.h"
#include "infrastructure/postgres/sqlstate.h"
#include "infrastructure/reporting/projector.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RFC3339(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

/* Runs a query whose one row, one column is a JSON document (or NULL: no row). */
static int query_json(cJSON **out, bool *found, PGconn *conn, const char *sql, int n,
                      const char *const *params, const char *what)
{
    PGresult *res = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
    int rc = 0;
    *out = NULL;
    *found = false;
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = pg_result_error(conn, res, what);
    } else if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0)) {
        *out = cJSON_Parse(PQgetvalue(res, 0, 0));
        *found = true;
        if (!*out)
            rc = shop_error_set(SHOP_EINTERNAL, "%s: the database answered JSON cJSON cannot read",
                                what);
    }
    PQclear(res);
    return rc;
}

static int scalar_long(long *out, PGconn *conn, const char *sql, int n, const char *const *params,
                       const char *what)
{
    PGresult *res = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
    int rc = 0;
    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
        rc = pg_result_error(conn, res, what);
    else
        *out = strtol(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return rc;
}

/* Messages of the orders projection's types on the order's stream that it has not applied. */
static int order_lag(long *out, PGconn *conn, const char *order_id)
{
    char types[1024], stream[128];
    projection_types_literal(projection_find("orders"), types, sizeof types);
    snprintf(stream, sizeof stream, "order-%s", order_id);
    const char *params[] = {stream, types};
    return scalar_long(out, conn,
                       "SELECT count(*) FROM messaging.bus b, reporting.projections p"
                       " WHERE p.name = 'orders' AND b.stream = $1 AND b.type = ANY ($2::text[])"
                       "   AND (b.transaction_id, b.position) > (p.transaction_id, p.position)",
                       2, params, "counting the order's messages not yet applied");
}

int read_model_order(cJSON **out, long *lag_out, PGconn *conn, const char *order_id)
{
    const char *params[] = {order_id};
    long lag = 0;
    bool found;
    int rc = query_json(
        out, &found, conn,
        "SELECT json_build_object('order_id', order_id, 'customer', customer, 'status', status,"
        "  'reason', reason, 'total', total, 'lines', lines, 'version', version,"
        "  'ship_to', ship_to, 'postcode', postcode,"
        "  'placed_at', " RFC3339("placed_at") ", 'closed_at', " RFC3339(
            "closed_at") ")"
                         "  FROM reporting.order_summaries WHERE order_id = $1::uuid",
        1, params, "reading the order's summary");
    if (rc == 0)
        rc = order_lag(&lag, conn, order_id);
    if (lag_out)
        *lag_out = lag;
    if (rc < 0) {
        cJSON_Delete(*out);
        *out = NULL;
        return rc;
    }
    if (!found)
        return lag > 0 ? shop_error_set(SHOP_ENOTFOUND,
                                        "order %s not found in the read model yet (%ld message%s"
                                        " behind)",
                                        order_id, lag, lag == 1 ? "" : "s")
                       : shop_error_set(SHOP_ENOTFOUND, "order %s not found", order_id);
    cJSON_AddNumberToObject(*out, "lag", (double)lag);
    return 0;
}

int read_model_orders(cJSON **out, PGconn *conn, const char *customer, const char *status,
                      int limit)
{
    char lim[16];
    bool found;
    snprintf(lim, sizeof lim, "%d", limit);
    const char *params[] = {customer, status, lim};
    /* By customer: their history table; otherwise the summaries. */
    int rc = query_json(
        out, &found, conn,
        customer
            ? "SELECT coalesce(json_agg(o ORDER BY o.placed_at_raw DESC, o.order_id), '[]')"
              "  FROM (SELECT order_id, customer, status, total,"
              "               " RFC3339(
                  "placed_at") " AS placed_at, placed_at AS placed_at_raw"
                               "          FROM reporting.customer_orders"
                               "         WHERE customer = $1 AND ($2::text IS NULL OR status = $2)"
                               "         ORDER BY placed_at DESC, order_id LIMIT $3::int) o"
            : "SELECT coalesce(json_agg(o ORDER BY o.placed_at_raw DESC, o.order_id), '[]')"
              "  FROM (SELECT order_id, customer, status, total,"
              "               " RFC3339(
                  "placed_at") " AS placed_at, placed_at AS placed_at_raw"
                               "          FROM reporting.order_summaries"
                               "         WHERE $1::text IS NULL AND ($2::text IS NULL OR status = "
                               "$2)"
                               "         ORDER BY placed_at DESC, order_id LIMIT $3::int) o",
        3, params, "reading the orders");
    if (rc == 0) {
        cJSON *item;
        cJSON_ArrayForEach(item, *out) cJSON_DeleteItemFromObject(item, "placed_at_raw");
    }
    return rc;
}

int read_model_stock(cJSON **out, PGconn *conn, const char *sku)
{
    const char *params[] = {sku};
    bool found;
    int rc = query_json(
        out, &found, conn,
        sku ? "SELECT json_build_object('sku', sku, 'on_hand', on_hand, 'reserved', reserved,"
              "                         'available', available)"
              "  FROM reporting.stock_levels WHERE sku = $1"
            : "SELECT coalesce(json_agg(json_build_object('sku', sku, 'on_hand', on_hand,"
              "         'reserved', reserved, 'available', available) ORDER BY sku), '[]')"
              "  FROM reporting.stock_levels WHERE $1::text IS NULL",
        1, params, "reading the stock levels");
    if (rc == 0 && !found)
        return shop_error_set(SHOP_ENOTFOUND, "no stock recorded for SKU %s", sku);
    return rc;
}

int read_model_sales(cJSON **out, PGconn *conn, const char *day)
{
    const char *params[] = {day};
    bool found;
    return query_json(out, &found, conn,
                      "SELECT coalesce(json_agg(json_build_object('sku', sku, 'day', day::text,"
                      "         'currency', currency, 'quantity', quantity,"
                      "         'revenue', revenue::text || ' ' || currency, 'orders', orders)"
                      "         ORDER BY day, sku, currency), '[]')"
                      "  FROM reporting.sales_daily WHERE $1::date IS NULL OR day = $1::date",
                      1, params, "reading the sales");
}

int read_model_projections(cJSON **out, PGconn *conn)
{
    *out = cJSON_CreateArray();
    for (size_t i = 0; i < projection_count; i++) {
        char types[1024];
        cJSON *one = NULL;
        bool found;
        projection_types_literal(&projections[i], types, sizeof types);
        const char *params[] = {projections[i].name, types};
        int rc = query_json(
            &one, &found, conn,
            "SELECT json_build_object('name', p.name,"
            "  'checkpoint', json_build_object('transaction_id', p.transaction_id::text,"
            "                                  'position', p.position::text),"
            "  'lag', (SELECT count(*) FROM messaging.bus b"
            "           WHERE (b.transaction_id, b.position) > (p.transaction_id, p.position)"
            "             AND b.type = ANY ($2::text[])),"
            "  'handled', p.handled, 'skipped', p.skipped, 'last_error', p.last_error,"
            "  'rebuilt_at', " RFC3339(
                "p.rebuilt_at") ","
                                "  'updated_at', " RFC3339(
                                    "p.updated_at") ")"
                                                    "  FROM reporting.projections p WHERE p.name = "
                                                    "$1",
            2, params, "reading the projections");
        if (rc < 0) {
            cJSON_Delete(*out);
            *out = NULL;
            return rc;
        }
        if (found)
            cJSON_AddItemToArray(*out, one);
    }
    return 0;
}
