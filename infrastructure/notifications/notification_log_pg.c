/*
 * infrastructure/notifications/notification_log_pg.c — see notification_log_pg.h.
 *
 * Statements are prepared once per connection (a second log on the same connection
 * reuses them) and run with PQexecPrepared; parameters and results travel as text.
 * remember_customer is INSERT ... ON CONFLICT (order_id) DO NOTHING: the first customer
 * of an order stays.  list() is one statement for every filter: a NULL parameter matches
 * any row ($1::text IS NULL OR customer = $1), newest first by id, with a LIMIT.
 * Rows are checked as the domain checks input when they are read back: a row the rules
 * would refuse is a fault (SHOP_EINTERNAL), not a notification.
 * Read next: tests/contract/notification_log_contract.c
 */
#include "infrastructure/notifications/notification_log_pg.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "domain/shared/text.h"
#include "infrastructure/postgres/sqlstate.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ST_RECORD, ST_REMEMBER, ST_CUSTOMER_OF, ST_LIST, ST_COUNT };

static const char *const statement_name[ST_COUNT] = {
    "notifications_log_record", "notifications_log_remember", "notifications_log_customer_of",
    "notifications_log_list"};

static const char *const statement_sql[ST_COUNT] = {
    [ST_RECORD] = "INSERT INTO notifications.notifications"
                  " (customer, order_id, kind, text, message_id, correlation_id)"
                  " VALUES ($1, $2::uuid, $3, $4, $5::uuid, $6::uuid)"
                  " ON CONFLICT (message_id) DO NOTHING",
    [ST_REMEMBER] = "INSERT INTO notifications.order_customers (order_id, customer)"
                    " VALUES ($1::uuid, $2) ON CONFLICT (order_id) DO NOTHING",
    [ST_CUSTOMER_OF] =
        "SELECT customer FROM notifications.order_customers WHERE order_id = $1::uuid",
    [ST_LIST] = "SELECT id, customer, order_id, kind, text, message_id, correlation_id,"
                "       (extract(epoch FROM recorded_at) * 1000000)::bigint"
                "  FROM notifications.notifications"
                " WHERE ($1::text IS NULL OR customer = $1::text)"
                "   AND ($2::uuid IS NULL OR order_id = $2::uuid)"
                " ORDER BY id DESC LIMIT $3::int",
};

struct notification_log_pg {
    struct notification_log base; /* first: the port */
    PGconn *conn;                 /* borrowed */
};

/* ------------------------------------------------------------------ rows */

static int bad_row(const PGresult *res, int row, int col)
{
    char q[TEXT_QUOTE_SIZE];
    return shop_error_set(SHOP_EINTERNAL, "unexpected value \"%s\" in notifications.%s",
                          text_quote(q, PQgetvalue(res, row, col)), PQfname(res, col));
}

/* One row of ST_LIST. */
static int decode_row(struct notification_entry *out, const PGresult *res, int row)
{
    memset(out, 0, sizeof *out);
    for (int col = 0; col < 8; col++)
        if (col != 6 && PQgetisnull(res, row, col))
            return bad_row(res, row, col);
    const char *text = PQgetvalue(res, row, 4);
    if (text_parse_int64(&out->id, PQgetvalue(res, row, 0)) < 0)
        return bad_row(res, row, 0);
    if (customer_id_parse(&out->n.customer, PQgetvalue(res, row, 1)) < 0)
        return bad_row(res, row, 1);
    if (uuid_parse(&out->n.order_id, PQgetvalue(res, row, 2)) < 0)
        return bad_row(res, row, 2);
    if (notification_kind_parse(&out->n.kind, PQgetvalue(res, row, 3)) < 0)
        return bad_row(res, row, 3);
    if (strlen(text) > NOTIFICATION_TEXT_MAX)
        return bad_row(res, row, 4);
    memcpy(out->n.text, text, strlen(text) + 1);
    if (uuid_parse(&out->message_id, PQgetvalue(res, row, 5)) < 0)
        return bad_row(res, row, 5);
    if (!PQgetisnull(res, row, 6) && uuid_parse(&out->correlation_id, PQgetvalue(res, row, 6)) < 0)
        return bad_row(res, row, 6);
    if (text_parse_int64(&out->recorded_at_us, PQgetvalue(res, row, 7)) < 0)
        return bad_row(res, row, 7);
    return 0;
}

/* ------------------------------------------------------------------ the port */

static int pg_record(struct notification_log *self, bool *out_recorded, const notification *n,
                     const struct message_meta *meta)
{
    struct notification_log_pg *l = (struct notification_log_pg *)self;
    char order[UUID_STRING_SIZE], message[UUID_STRING_SIZE], correlation[UUID_STRING_SIZE];
    int rc = 0;

    if (out_recorded)
        *out_recorded = false;
    const char *values[6] = {
        n->customer.text,
        uuid_format(order, n->order_id),
        notification_kind_name(n->kind),
        n->text,
        uuid_format(message, meta->message_id),
        uuid_is_nil(meta->correlation_id) ? NULL : uuid_format(correlation, meta->correlation_id)};
    PGresult *res = PQexecPrepared(l->conn, statement_name[ST_RECORD], 6, values, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = pg_result_error(l->conn, res, "recording a notification");
    else if (out_recorded)
        *out_recorded = strcmp(PQcmdTuples(res), "1") == 0;
    PQclear(res);
    return rc;
}

static int pg_remember_customer(struct notification_log *self, shop_uuid order_id,
                                const customer_id *customer)
{
    struct notification_log_pg *l = (struct notification_log_pg *)self;
    char order[UUID_STRING_SIZE];
    int rc = 0;

    const char *values[2] = {uuid_format(order, order_id), customer->text};
    PGresult *res = PQexecPrepared(l->conn, statement_name[ST_REMEMBER], 2, values, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = pg_result_error(l->conn, res, "remembering the customer of an order");
    PQclear(res);
    return rc;
}

static int pg_customer_of(struct notification_log *self, customer_id *out, shop_uuid order_id)
{
    struct notification_log_pg *l = (struct notification_log_pg *)self;
    char order[UUID_STRING_SIZE];
    int rc = 0;

    const char *values[1] = {uuid_format(order, order_id)};
    PGresult *res =
        PQexecPrepared(l->conn, statement_name[ST_CUSTOMER_OF], 1, values, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        rc = pg_result_error(l->conn, res, "looking up the customer of an order");
    else if (PQntuples(res) == 0)
        rc = shop_error_set(SHOP_ENOTFOUND, "the customer of order %s is not known", order);
    else if (customer_id_parse(out, PQgetvalue(res, 0, 0)) < 0)
        rc = bad_row(res, 0, 0);
    PQclear(res);
    return rc;
}

static int pg_list(struct notification_log *self, struct notification_list *out,
                   const struct notification_filter *f)
{
    struct notification_log_pg *l = (struct notification_log_pg *)self;
    char order[UUID_STRING_SIZE], limit[24];
    int rc = 0;

    out->items = NULL;
    out->count = 0;
    snprintf(limit, sizeof limit, "%zu", f->limit);
    const char *values[3] = {f->customer ? f->customer->text : NULL,
                             f->order_id ? uuid_format(order, *f->order_id) : NULL, limit};
    PGresult *res = PQexecPrepared(l->conn, statement_name[ST_LIST], 3, values, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = pg_result_error(l->conn, res, "listing notifications");
        goto done;
    }
    int rows = PQntuples(res);
    if (rows == 0)
        goto done;
    out->items = shop_xcalloc((size_t)rows, sizeof *out->items);
    for (int i = 0; i < rows && rc == 0; i++)
        if ((rc = decode_row(&out->items[i], res, i)) == 0)
            out->count++;
    if (rc < 0)
        notification_list_dispose(out);
done:
    PQclear(res);
    return rc;
}

static void pg_free(struct notification_log *self)
{
    free(self);
}

/* Prepares the statements this connection does not have yet (preparing twice would fail
 * with 42P05). */
static int prepare_statements(PGconn *conn)
{
    bool present[ST_COUNT] = {false};
    int rc = 0;

    PGresult *res = PQexec(conn, "SELECT name FROM pg_prepared_statements"
                                 " WHERE name LIKE 'notifications\\_log\\_%'");
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = pg_result_error(conn, res, "looking up the notification log's prepared statements");
        PQclear(res);
        return rc;
    }
    for (int row = 0; row < PQntuples(res); row++)
        for (int i = 0; i < ST_COUNT; i++)
            present[i] |= strcmp(PQgetvalue(res, row, 0), statement_name[i]) == 0;
    PQclear(res);

    for (int i = 0; i < ST_COUNT && rc == 0; i++) {
        if (present[i])
            continue;
        res = PQprepare(conn, statement_name[i], statement_sql[i], 0, NULL);
        if (PQresultStatus(res) != PGRES_COMMAND_OK) {
            rc = pg_result_error(conn, res,
                                 "preparing the notification log (is the database migrated?)");
            /* A missing table or schema: the database is not ready (exit 3). */
            const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
            if (state && (strcmp(state, "42P01") == 0 || strcmp(state, "3F000") == 0))
                rc = shop_error_set(SHOP_EUNAVAILABLE, "%s", shop_error_message());
        }
        PQclear(res);
    }
    return rc;
}

int notification_log_pg_new(struct notification_log **out, PGconn *conn)
{
    *out = NULL;
    int rc = prepare_statements(conn);
    if (rc < 0)
        return rc;
    struct notification_log_pg *l = shop_xcalloc(1, sizeof *l);
    l->base = (struct notification_log){.version = NOTIFICATION_LOG_VERSION,
                                        .record = pg_record,
                                        .remember_customer = pg_remember_customer,
                                        .customer_of = pg_customer_of,
                                        .list = pg_list,
                                        .free = pg_free};
    l->conn = conn;
    *out = &l->base;
    return 0;
}
