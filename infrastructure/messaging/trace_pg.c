/*
 * infrastructure/messaging/trace_pg.c — trace_collect_pg: every record of one
 * conversation, read from the tables of migration 0007 and the event stores (trace.h).
 *
 * An operations reader: it reads across every context's schema, as `shop events` and
 * `shop dlq` do, so it runs with the shop's own connection (the owner), not as a context's
 * role.  It reads in two rounds: first what carries the correlation id (domain events,
 * bus messages, notifications), then, by the message ids found, what subscribers did
 * with those messages (inboxes, retries, dead letters), which carry no correlation id.
 * Every statement is fixed text with parameters; a table is read only if it exists, so
 * the command works on a database where a context's migration has not run yet.
 * Read next: trace.c (the tree), infrastructure/cli/cmd_trace.c (the printing)
 */
#include "infrastructure/messaging/trace.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "infrastructure/postgres/sqlstate.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* microseconds since the epoch of a timestamptz column */
#define US(column) "(extract(epoch FROM " column ") * 1000000)::bigint"

/* The event stores whose events `shop trace` shows (fixed, never from input). */
static const struct {
    const char *context, *table, *sql;
} event_stores[] = {
#define EVENTS_OF(ctx)                                                                             \
    {                                                                                              \
        ctx, ctx ".events",                                                                        \
            "SELECT message_id, causation_id, type, stream_id, stream_version, " US(               \
                "recorded_at") ", coalesce(traceparent, '') FROM " ctx ".events"                   \
                               " WHERE correlation_id = $1::uuid ORDER BY global_position"         \
    }
    EVENTS_OF("ordering"),
    EVENTS_OF("payments"),
    EVENTS_OF("shipping"),
#undef EVENTS_OF
};

static const char bus_sql[] = "SELECT message_id, causation_id, type, source, stream, " US(
    "published_at") ","
                    " coalesce(traceparent, ''), position FROM messaging.bus"
                    " WHERE correlation_id = $1::uuid ORDER BY position";

/* Messages a state-row context has recorded and its relay has not yet moved to the bus. */
static const struct {
    const char *context, *table, *sql;
} outboxes[] = {
#define OUTBOX_OF(ctx)                                                                             \
    {                                                                                              \
        ctx, ctx ".outbox",                                                                        \
            "SELECT message_id, causation_id, type, stream, " US(                                  \
                "recorded_at") ", coalesce(traceparent, '') FROM " ctx ".outbox"                   \
                               " WHERE correlation_id = $1::uuid ORDER BY id"                      \
    }
    OUTBOX_OF("catalog"),
    OUTBOX_OF("ordering"), /* the saga's commands */
    OUTBOX_OF("inventory"),
    OUTBOX_OF("payments"),
    OUTBOX_OF("shipping"),
#undef OUTBOX_OF
};

static const char notifications_sql[] = "SELECT message_id, kind, text, " US(
    "recorded_at") " FROM notifications.notifications"
                   " WHERE correlation_id = $1::uuid OR message_id = ANY($2::uuid[]) ORDER BY id";

/* What subscribers did with the messages $1 (an array of message ids). */
static const struct {
    const char *context, *table, *sql;
    enum trace_note_kind kind;
} handlings[] = {
#define INBOX_OF(ctx)                                                                              \
    {                                                                                              \
        ctx, ctx ".inbox",                                                                         \
            "SELECT subscriber, message_id, " US("handled_at") ", 0, NULL FROM " ctx ".inbox"      \
                                                               " WHERE message_id = "            \
                                                               "ANY($1::uuid[]) ORDER BY "         \
                                                               "handled_at",                       \
            TRACE_HANDLED                                                                          \
    }
    INBOX_OF("ordering"),
    INBOX_OF("inventory"),
    INBOX_OF("payments"),
    INBOX_OF("shipping"),
    INBOX_OF("notifications"),
#undef INBOX_OF
    {NULL, "messaging.retries",
     "SELECT subscriber, message_id, " US(
         "next_attempt_at") ", attempts, last_error"
                            " FROM messaging.retries WHERE message_id = ANY($1::uuid[]) ORDER BY "
                            "position",
     TRACE_RETRYING},
    {NULL, "messaging.dead_letters",
     "SELECT subscriber, message_id, " US(
         "dead_at") ", attempts, last_error"
                    " FROM messaging.dead_letters WHERE message_id = ANY($1::uuid[]) ORDER BY id",
     TRACE_DEAD},
};

/* Whether `table` ("schema.name") exists; false with *rc set when the query fails. */
static bool table_exists(PGconn *conn, const char *table, int *rc)
{
    const char *values[1] = {table};
    PGresult *res =
        PQexecParams(conn, "SELECT to_regclass($1) IS NOT NULL", 1, NULL, values, NULL, NULL, 0);
    bool exists = false;
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        *rc = pg_result_error(conn, res, "looking for the table of a trace");
    else
        exists = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    return exists;
}

/* Runs sql on the table if it exists: 0 and *out (NULL when the table does not exist). */
static int query(PGresult **out, PGconn *conn, const char *table, const char *sql, int n,
                 const char *const *values)
{
    int rc = 0;
    *out = NULL;
    if (!table_exists(conn, table, &rc))
        return rc;
    PGresult *res = PQexecParams(conn, sql, n, NULL, values, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        char what[96];
        snprintf(what, sizeof what, "reading %s", table);
        rc = pg_result_error(conn, res, what);
        PQclear(res);
        return rc;
    }
    *out = res;
    return 0;
}

static shop_uuid uuid_at(const PGresult *res, int row, int col)
{
    shop_uuid id = {0};
    if (!PQgetisnull(res, row, col))
        uuid_parse(&id, PQgetvalue(res, row, col));
    return id;
}

static void copy(char *out, size_t size, const PGresult *res, int row, int col)
{
    snprintf(out, size, "%s", PQgetvalue(res, row, col));
}

/* "{id,id,...}": the message ids of the nodes so far, as a uuid[] parameter. */
static char *message_ids(const struct trace *t)
{
    char *text = shop_xmalloc(t->count * UUID_STRING_SIZE + 3);
    size_t len = 0;
    text[len++] = '{';
    for (size_t i = 0; i < t->count; i++) {
        if (uuid_is_nil(t->nodes[i].message_id))
            continue;
        if (len > 1)
            text[len++] = ',';
        uuid_format(text + len, t->nodes[i].message_id);
        len += UUID_STRING_SIZE - 1;
    }
    text[len++] = '}';
    text[len] = '\0';
    return text;
}

static int collect_events(struct trace *t, PGconn *conn, const char *correlation)
{
    for (size_t s = 0; s < sizeof event_stores / sizeof event_stores[0]; s++) {
        PGresult *res;
        int rc = query(&res, conn, event_stores[s].table, event_stores[s].sql, 1, &correlation);
        if (rc < 0)
            return rc;
        for (int r = 0; res && r < PQntuples(res); r++) {
            struct trace_node n = {.kind = TRACE_EVENT,
                                   .message_id = uuid_at(res, r, 0),
                                   .causation_id = uuid_at(res, r, 1),
                                   .version = strtoll(PQgetvalue(res, r, 4), NULL, 10),
                                   .at_us = strtoll(PQgetvalue(res, r, 5), NULL, 10)};
            snprintf(n.context, sizeof n.context, "%s", event_stores[s].context);
            copy(n.type, sizeof n.type, res, r, 2);
            copy(n.stream, sizeof n.stream, res, r, 3);
            copy(n.traceparent, sizeof n.traceparent, res, r, 6);
            trace_add(t, &n);
        }
        PQclear(res);
    }
    return 0;
}

/* A bus message is shown on the domain event it publishes (same message id), else as a
 * node of its own. */
static int collect_bus(struct trace *t, PGconn *conn, const char *correlation)
{
    PGresult *res;
    int rc = query(&res, conn, "messaging.bus", bus_sql, 1, &correlation);
    if (rc < 0)
        return rc;
    for (int r = 0; res && r < PQntuples(res); r++) {
        shop_uuid id = uuid_at(res, r, 0);
        size_t event = trace_find(t, id);
        int64_t position = strtoll(PQgetvalue(res, r, 7), NULL, 10);
        if (event != TRACE_NONE && t->nodes[event].kind == TRACE_EVENT) {
            t->nodes[event].bus_position = position;
            copy(t->nodes[event].bus_type, sizeof t->nodes[event].bus_type, res, r, 2);
            if (!t->nodes[event].traceparent[0])
                copy(t->nodes[event].traceparent, sizeof t->nodes[event].traceparent, res, r, 6);
            continue;
        }
        struct trace_node n = {.kind = TRACE_MESSAGE,
                               .message_id = id,
                               .causation_id = uuid_at(res, r, 1),
                               .at_us = strtoll(PQgetvalue(res, r, 5), NULL, 10),
                               .bus_position = position};
        copy(n.type, sizeof n.type, res, r, 2);
        copy(n.bus_type, sizeof n.bus_type, res, r, 2);
        copy(n.context, sizeof n.context, res, r, 3);
        copy(n.stream, sizeof n.stream, res, r, 4);
        copy(n.traceparent, sizeof n.traceparent, res, r, 6);
        trace_add(t, &n);
    }
    PQclear(res);
    return 0;
}

static int collect_outboxes(struct trace *t, PGconn *conn, const char *correlation)
{
    for (size_t o = 0; o < sizeof outboxes / sizeof outboxes[0]; o++) {
        PGresult *res;
        int rc = query(&res, conn, outboxes[o].table, outboxes[o].sql, 1, &correlation);
        if (rc < 0)
            return rc;
        for (int r = 0; res && r < PQntuples(res); r++) {
            shop_uuid id = uuid_at(res, r, 0);
            if (trace_find(t, id) != TRACE_NONE) /* relayed while we read: on the bus */
                continue;
            struct trace_node n = {.kind = TRACE_MESSAGE,
                                   .message_id = id,
                                   .causation_id = uuid_at(res, r, 1),
                                   .at_us = strtoll(PQgetvalue(res, r, 4), NULL, 10),
                                   .in_outbox = true};
            snprintf(n.context, sizeof n.context, "%s", outboxes[o].context);
            copy(n.type, sizeof n.type, res, r,
                 2); /* the integration event's: "catalog.PriceChanged" */
            copy(n.stream, sizeof n.stream, res, r, 3);
            copy(n.traceparent, sizeof n.traceparent, res, r, 5);
            trace_add(t, &n);
        }
        PQclear(res);
    }
    return 0;
}

static int collect_notifications(struct trace *t, PGconn *conn, const char *correlation,
                                 const char *ids)
{
    PGresult *res;
    const char *values[2] = {correlation, ids};
    int rc = query(&res, conn, "notifications.notifications", notifications_sql, 2, values);
    if (rc < 0)
        return rc;
    for (int r = 0; res && r < PQntuples(res); r++) {
        struct trace_node n = {.kind = TRACE_NOTIFICATION,
                               .causation_id = uuid_at(res, r, 0),
                               .at_us = strtoll(PQgetvalue(res, r, 3), NULL, 10),
                               .text = shop_xstrdup(PQgetvalue(res, r, 2))};
        snprintf(n.context, sizeof n.context, "notifications");
        copy(n.type, sizeof n.type, res, r, 1);
        trace_add(t, &n);
    }
    PQclear(res);
    return 0;
}

static int collect_handlings(struct trace *t, PGconn *conn, const char *ids)
{
    for (size_t h = 0; h < sizeof handlings / sizeof handlings[0]; h++) {
        PGresult *res;
        int rc = query(&res, conn, handlings[h].table, handlings[h].sql, 1, &ids);
        if (rc < 0)
            return rc;
        for (int r = 0; res && r < PQntuples(res); r++) {
            size_t at = trace_find(t, uuid_at(res, r, 1));
            if (at == TRACE_NONE)
                continue;
            struct trace_note note = {.kind = handlings[h].kind,
                                      .at_us = strtoll(PQgetvalue(res, r, 2), NULL, 10),
                                      .attempts = atoi(PQgetvalue(res, r, 3))};
            const char *subscriber = PQgetvalue(res, r, 0);
            /* an inbox's subscriber is named within its context, unless it says more */
            if (handlings[h].context && !strchr(subscriber, '.'))
                snprintf(note.subscriber, sizeof note.subscriber, "%s.%s", handlings[h].context,
                         subscriber);
            else
                snprintf(note.subscriber, sizeof note.subscriber, "%s", subscriber);
            if (!PQgetisnull(res, r, 4))
                note.error = shop_xstrdup(PQgetvalue(res, r, 4));
            trace_add_note(t, at, &note);
        }
        PQclear(res);
    }
    return 0;
}

int trace_collect_pg(struct trace *t, PGconn *conn)
{
    char correlation[UUID_STRING_SIZE];
    char *ids = NULL;
    int rc;

    uuid_format(correlation, t->correlation_id);
    if ((rc = collect_events(t, conn, correlation)) < 0 ||
        (rc = collect_bus(t, conn, correlation)) < 0 ||
        (rc = collect_outboxes(t, conn, correlation)) < 0)
        goto done;
    ids = message_ids(t);
    if ((rc = collect_notifications(t, conn, correlation, ids)) < 0 ||
        (rc = collect_handlings(t, conn, ids)) < 0)
        goto done;
    trace_link(t);
done:
    free(ids);
    return rc;
}
