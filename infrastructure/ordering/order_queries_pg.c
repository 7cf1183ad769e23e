/*
 * infrastructure/ordering/order_queries_pg.c — see order_queries_pg.h.
 *
 * The first event of every order's stream is its OrderPlaced, at stream_version 1, so
 * the newest orders are the newest such rows.  "Newest" is by global position, the order
 * in which the events were inserted.  Without a read model this scans ordering.events;
 * the LIMIT bounds what is returned, not what is read (the projection that comes with
 * CQRS will have its own table and index).
 * Read next: application/ordering/order_queries.c
 */
#include "infrastructure/ordering/order_queries_pg.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "infrastructure/postgres/sqlstate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ORDER_STREAM_PREFIX "order-"

static const char newest_sql[] =
    "SELECT stream_id FROM ordering.events"
    " WHERE stream_version = 1 AND type = 'OrderPlaced' AND stream_id LIKE 'order-%'"
    " ORDER BY global_position DESC LIMIT $1::bigint";

struct order_queries_pg {
    struct order_queries base; /* first */
    PGconn *conn;
};

static int pg_newest(struct order_queries *self, order_id *out, size_t max, size_t *out_count)
{
    struct order_queries_pg *q = (struct order_queries_pg *)self;
    char limit[24];
    const char *params[1] = {limit};
    int rc = 0;

    *out_count = 0;
    if (max == 0)
        return shop_error_set(SHOP_EINVALID, "a list of orders needs room for one at least");
    snprintf(limit, sizeof limit, "%zu", max);
    PGresult *res = PQexecParams(q->conn, newest_sql, 1, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = pg_result_error(q->conn, res, "listing orders");
        goto done;
    }
    size_t rows = (size_t)PQntuples(res), n = 0;
    for (size_t i = 0; i < rows && n < max; i++) {
        const char *stream = PQgetvalue(res, (int)i, 0);
        /* a stream named like an order but not one: not listed, never fatal */
        if (order_id_parse(&out[n], stream + strlen(ORDER_STREAM_PREFIX)) == 0)
            n++;
    }
    *out_count = n;
    shop_error_clear();

done:
    PQclear(res);
    return rc;
}

static void pg_free(struct order_queries *self)
{
    free(self);
}

int order_queries_pg_new(struct order_queries **out, PGconn *conn)
{
    struct order_queries_pg *q = shop_xcalloc(1, sizeof *q);
    q->base.version = ORDER_QUERIES_VERSION;
    q->base.newest = pg_newest;
    q->base.free = pg_free;
    q->conn = conn;
    *out = &q->base;
    return 0;
}
