/*
 * infrastructure/messaging/outbox_pg.c — one row into <context>.outbox (see outbox_pg.h).
 *
 * The schema is the only part of the statement that is not a parameter: it is checked to
 * be [a-z]{1,32} and quoted, as the relay does with its context (relay.c).
 * Read next: relay.c
 */
#include "infrastructure/messaging/outbox_pg.h"

#include "domain/shared/error.h"
#include "infrastructure/postgres/sqlstate.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static bool context_ok(const char *context)
{
    size_t n = strlen(context);
    if (n < 1 || n > MESSAGE_CONTEXT_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (context[i] < 'a' || context[i] > 'z')
            return false;
    return true;
}

int outbox_pg_write(PGconn *conn, const char *context, const struct outgoing_message *m)
{
    char sql[512], version[16], id[UUID_STRING_SIZE], correlation[UUID_STRING_SIZE],
        causation[UUID_STRING_SIZE], what[160];
    if (!context_ok(context))
        return shop_error_set(SHOP_EINVALID, "no outbox of context '%.40s'", context);
    snprintf(sql, sizeof sql,
             "INSERT INTO \"%s\".outbox (message_id, type, schema_version, stream, payload,"
             " correlation_id, causation_id, traceparent)"
             " VALUES ($1::uuid, $2, $3::int, $4, $5::jsonb, $6::uuid, $7::uuid, $8)"
             " ON CONFLICT (message_id) DO NOTHING",
             context);
    snprintf(version, sizeof version, "%d", m->schema_version);
    const char *values[8] = {
        uuid_format(id, m->meta.message_id),
        m->type,
        version,
        m->stream,
        m->payload,
        uuid_is_nil(m->meta.correlation_id) ? NULL
                                            : uuid_format(correlation, m->meta.correlation_id),
        uuid_is_nil(m->meta.causation_id) ? NULL : uuid_format(causation, m->meta.causation_id),
        m->meta.traceparent[0] ? m->meta.traceparent : NULL,
    };
    PGresult *res = PQexecParams(conn, sql, 8, NULL, values, NULL, NULL, 0);
    int rc = 0;
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        snprintf(what, sizeof what, "writing %s to the %s outbox", m->type, context);
        rc = pg_result_error(conn, res, what);
    }
    PQclear(res);
    return rc;
}
