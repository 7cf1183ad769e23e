/*
 * infrastructure/postgres/event_log_pg.c — checkpoints for readers of the global log;
 * see event_log_pg.h.
 *
 * Log order is (transaction_id, global_position), the order es_read_all uses, and only
 * events of transactions older than every running one are considered, as there.  A
 * checkpoint "just before" an event (x, p) is (x, p - 1): nothing of transaction x sits
 * between them, because positions within one transaction increase.
 * Read next: infrastructure/postgres/event_store_pg.c (read_all)
 */
#include "infrastructure/postgres/event_log_pg.h"

#include "domain/shared/error.h"
#include "infrastructure/postgres/sqlstate.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct log_queries {
    const char *context;
    const char *at;   /* $1 position */
    const char *last; /* $1 count */
    const char *end;  /* the last visible event */
};

#define VISIBLE "transaction_id < pg_snapshot_xmin(pg_current_snapshot())"

/* The id is printed as xid_text: an output column named transaction_id would make
 * ORDER BY transaction_id sort the text ("1000" before "999"), not the xid8. */

/* One entry per event-sourced context; the SQL is fixed text, never built from input. */
static const struct log_queries queries[] = {
    {"ordering",
     "SELECT transaction_id::text AS xid_text, global_position FROM ordering.events"
     " WHERE " VISIBLE " AND global_position >= $1::bigint"
     " ORDER BY transaction_id, global_position LIMIT 1",
     "SELECT transaction_id::text AS xid_text, global_position FROM ordering.events WHERE " VISIBLE
     " ORDER BY transaction_id DESC, global_position DESC LIMIT 1 OFFSET $1::bigint - 1",
     "SELECT transaction_id::text AS xid_text, global_position FROM ordering.events WHERE " VISIBLE
     " ORDER BY transaction_id DESC, global_position DESC LIMIT 1"},
};

static const struct log_queries *find(const char *context)
{
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++)
        if (context && strcmp(queries[i].context, context) == 0)
            return &queries[i];
    return NULL;
}

/* Runs sql with one bigint parameter; *out_found says whether a row came back. */
static int query_checkpoint(struct es_checkpoint *out, bool *out_found, PGconn *conn,
                            const char *sql, long long param)
{
    char text[24];
    snprintf(text, sizeof text, "%lld", param);
    const char *values[1] = {text};
    int n_params = strchr(sql, '$') ? 1 : 0;
    PGresult *res = PQexecParams(conn, sql, n_params, NULL, values, NULL, NULL, 0);
    int rc = SHOP_OK;
    *out_found = false;
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = pg_result_error(conn, res, "reading the event log");
        goto done;
    }
    if (PQntuples(res) == 1) {
        out->transaction_id = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
        out->global_position = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
        *out_found = true;
    }
done:
    PQclear(res);
    return rc;
}

int event_log_pg_checkpoint_at(struct es_checkpoint *out, PGconn *conn, const char *context,
                               int64_t position)
{
    const struct log_queries *q = find(context);
    bool found;
    int rc;
    if (!q)
        return shop_error_set(SHOP_EINVALID, "no event log for context '%s'", context);
    *out = (struct es_checkpoint){0, 0};
    if ((rc = query_checkpoint(out, &found, conn, q->at, (long long)position)) < 0)
        return rc;
    if (found) {
        out->global_position -= 1;
        return SHOP_OK;
    }
    /* nothing at or after position yet: start after everything there is */
    if ((rc = query_checkpoint(out, &found, conn, q->end, 0)) < 0)
        return rc;
    if (!found)
        *out = (struct es_checkpoint){0, 0};
    return SHOP_OK;
}

int event_log_pg_checkpoint_last(struct es_checkpoint *out, PGconn *conn, const char *context,
                                 size_t count)
{
    const struct log_queries *q = find(context);
    bool found;
    int rc;
    if (!q)
        return shop_error_set(SHOP_EINVALID, "no event log for context '%s'", context);
    *out = (struct es_checkpoint){0, 0};
    if (count == 0)
        return query_checkpoint(out, &found, conn, q->end, 0);
    if ((rc = query_checkpoint(out, &found, conn, q->last, (long long)count)) < 0)
        return rc;
    if (!found) {
        *out = (struct es_checkpoint){0, 0}; /* fewer than count: from the beginning */
        return SHOP_OK;
    }
    out->global_position -= 1;
    return SHOP_OK;
}
