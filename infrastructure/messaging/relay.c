/*
 * infrastructure/messaging/relay.c — the relay of a context: its outbox to the bus, in one
 * transaction per step (transactional outbox + message relay; see relay.h).
 *
 * A step, for either kind of outbox:
 *     BEGIN
 *     SELECT ... FROM messaging.relays WHERE context = $1 FOR UPDATE SKIP LOCKED
 *         no row: another relay of the context is at work — ROLLBACK, moved 0
 *     RELAY_OUTBOX_TABLE: one statement deletes the oldest <context>.outbox rows and
 *         inserts them into messaging.bus in id order (a CTE: DELETE ... RETURNING feeds
 *         the INSERT), ON CONFLICT (message_id) DO NOTHING
 *     RELAY_EVENT_STORE: es_read_all after the row's (transaction_id, position), on the
 *         same connection (the read joins this transaction); each event translated, the
 *         ones to publish inserted, ON CONFLICT DO NOTHING; the row's checkpoint moved to
 *         the last event read, published or not
 *     nothing read: ROLLBACK (nothing was written but the row lock; a COMMIT would
 *         wait for a WAL flush for nothing)
 *     crash_point("relay.after-publish")
 *     COMMIT
 *     crash_point("relay.after-commit")
 * A relay killed before COMMIT leaves the outbox (or the checkpoint) as it was and the
 * bus without the rows: the next step publishes them.  Killed after, everything is done.
 * So a message reaches the bus once, and in the order the context recorded it, because
 * only the holder of the row's lock moves the context's messages.
 *
 * A translate that fails at event k: the events before k are published and checkpointed
 * (committed), and the step returns the error; the next step starts at k again.
 * Read next: consumer.c, tests/integration/relay_test.c
 */
#include "infrastructure/messaging/relay.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "infrastructure/messaging/bus_pg.h"
#include "infrastructure/messaging/crash_point.h"
#include "infrastructure/messaging/worker.h"
#include "infrastructure/postgres/event_store_pg.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

struct relay {
    PGconn *conn;
    const struct relay_source *src;
    struct event_store *events; /* RELAY_EVENT_STORE only */
    char prefix[BUS_PG_NAME_MAX];
    size_t last_read; /* events or outbox rows the last step looked at (the more of the two) */
};

static const char sql_create[] =
    "INSERT INTO messaging.relays (context) VALUES ($1) ON CONFLICT (context) DO NOTHING";

/* The row as this role sees it: row-level security hides another role's row. */
static const char sql_visible[] = "SELECT 1 FROM messaging.relays WHERE context = $1";

static const char sql_lock[] = "SELECT transaction_id::text, position FROM messaging.relays"
                               " WHERE context = $1 FOR UPDATE SKIP LOCKED";

static const char sql_checkpoint[] =
    "UPDATE messaging.relays SET transaction_id = $2::xid8, position = $3::bigint,"
    "       updated_at = statement_timestamp()"
    " WHERE context = $1";

static const char sql_publish[] =
    "INSERT INTO messaging.bus (message_id, type, schema_version, source, stream, payload,"
    "                           correlation_id, causation_id, traceparent)"
    " VALUES ($1::uuid, $2, $3::int, $4, $5, $6::jsonb, $7::uuid, $8::uuid, $9)"
    " ON CONFLICT (message_id) DO NOTHING";

/* {schema}: the context's schema, quoted; the context name is checked to be [a-z]+. */
static const char sql_move_outbox[] =
    "WITH taken AS ("
    "    DELETE FROM {schema}.outbox"
    "     WHERE id IN (SELECT id FROM {schema}.outbox ORDER BY id LIMIT $2::bigint)"
    "    RETURNING *),"
    " published AS ("
    "    INSERT INTO messaging.bus (message_id, type, schema_version, source, stream, payload,"
    "                               correlation_id, causation_id, traceparent)"
    "    SELECT message_id, type, schema_version, $1, stream, payload, correlation_id,"
    "           causation_id, nullif(traceparent, '')"
    "      FROM taken ORDER BY id"
    "    ON CONFLICT (message_id) DO NOTHING"
    "    RETURNING 1)"
    " SELECT (SELECT count(*) FROM taken), (SELECT count(*) FROM published)";

static int prepare_outbox_statement(struct relay *r)
{
    char sql[sizeof sql_move_outbox + 128], *out = sql;
    const char *in = sql_move_outbox, *mark;
    while ((mark = strstr(in, "{schema}")) != NULL) {
        memcpy(out, in, (size_t)(mark - in));
        out += mark - in;
        out += sprintf(out, "\"%s\"", r->src->context);
        in = mark + strlen("{schema}");
    }
    strcpy(out, in);
    return bus_pg__prepare(r->conn, r->prefix, "move", sql, 2, "preparing the relay's outbox move");
}

int relay_open(struct relay **out, PGconn *conn, const struct relay_source *src)
{
    *out = NULL;
    if (!bus_pg__context_valid(src->context))
        return shop_error_set(SHOP_EINVALID, "relay: context must be 1-32 letters a-z, got '%s'",
                              src->context);
    if (src->kind == RELAY_EVENT_STORE && !src->translate)
        return shop_error_set(SHOP_EINVALID, "relay %s: an event-store relay needs translate",
                              src->context);
    struct relay *r = shop_xcalloc(1, sizeof *r);
    r->conn = conn;
    r->src = src;
    bus_pg__prefix(r->prefix, "relay");
    int rc;
    const char *preparing = "preparing the relay";
    if ((rc = bus_pg__prepare(conn, r->prefix, "lock", sql_lock, 1, preparing)) < 0 ||
        (rc = bus_pg__prepare(conn, r->prefix, "create", sql_create, 1, preparing)) < 0 ||
        (rc = bus_pg__prepare(conn, r->prefix, "visible", sql_visible, 1, preparing)) < 0)
        goto fail;
    if (src->kind == RELAY_OUTBOX_TABLE || src->with_outbox) {
        if ((rc = prepare_outbox_statement(r)) < 0)
            goto fail;
    }
    if (src->kind == RELAY_EVENT_STORE) {
        if ((rc = event_store_pg_new(&r->events, conn, src->context)) < 0 ||
            (rc = bus_pg__prepare(conn, r->prefix, "publish", sql_publish, 9,
                                  "preparing the relay")) < 0 ||
            (rc = bus_pg__prepare(conn, r->prefix, "checkpoint", sql_checkpoint, 3,
                                  "preparing the relay")) < 0)
            goto fail;
    }
    const char *params[] = {src->context};
    PGresult *res =
        bus_pg__run(&rc, conn, r->prefix, "create", 1, params, "creating the relay's row");
    if (!res)
        goto fail;
    PQclear(res);
    /* Made by another role (the row's owner), the row is invisible to this one: its lock
     * could never be taken, and every step would look like "another relay is at work". */
    if (!(res = bus_pg__run(&rc, conn, r->prefix, "visible", 1, params, "reading the relay's row")))
        goto fail;
    bool visible = PQntuples(res) == 1;
    PQclear(res);
    if (!visible) {
        rc = shop_error_set(SHOP_EREFUSED,
                            "relay %s: its row in messaging.relays is not this role's (made by "
                            "another role?); it could never take the relay's lock",
                            src->context);
        goto fail;
    }
    *out = r;
    return 0;
fail:
    relay_close(r);
    return rc;
}

void relay_close(struct relay *r)
{
    if (!r)
        return;
    es_free(r->events);
    free(r);
}

/* Publishes one translated message in the open transaction; *published: it was new. */
static int publish(struct relay *r, const struct outgoing_message *m, bool *published)
{
    char id[UUID_STRING_SIZE], correlation[UUID_STRING_SIZE], causation[UUID_STRING_SIZE];
    char version[16];
    snprintf(version, sizeof version, "%d", m->schema_version);
    const char *params[] = {uuid_format(id, m->meta.message_id),
                            m->type,
                            version,
                            r->src->context,
                            m->stream,
                            m->payload,
                            bus_pg__uuid_param(correlation, m->meta.correlation_id),
                            bus_pg__uuid_param(causation, m->meta.causation_id),
                            m->meta.traceparent[0] ? m->meta.traceparent : NULL};
    int rc;
    PGresult *res =
        bus_pg__run(&rc, r->conn, r->prefix, "publish", 9, params, "publishing to the bus");
    if (!res)
        return rc;
    *published = strcmp(PQcmdTuples(res), "1") == 0;
    PQclear(res);
    return 0;
}

static int move_checkpoint(struct relay *r, const struct es_event *last)
{
    char txid[24], position[24];
    snprintf(txid, sizeof txid, "%" PRIu64, last->transaction_id);
    snprintf(position, sizeof position, "%" PRId64, last->global_position);
    const char *params[] = {r->src->context, txid, position};
    int rc;
    PGresult *res = bus_pg__run(&rc, r->conn, r->prefix, "checkpoint", 3, params,
                                "moving the relay's checkpoint");
    PQclear(res);
    return rc;
}

/* RELAY_EVENT_STORE's part of a step, in the open transaction holding the lock row. */
static int relay_events(struct relay *r, const PGresult *lock, size_t max, size_t *moved,
                        bool *read_any, int *translate_rc)
{
    struct es_checkpoint after = {.transaction_id = strtoull(PQgetvalue(lock, 0, 0), NULL, 10),
                                  .global_position = strtoll(PQgetvalue(lock, 0, 1), NULL, 10)};
    struct es_event_list events = {0};
    int rc = es_read_all(r->events, &events, after, max);
    if (rc < 0)
        return rc;
    r->last_read = events.count;
    *read_any = events.count > 0;
    const struct es_event *last = NULL;
    for (size_t i = 0; i < events.count; i++) {
        struct outgoing_message m = {0};
        bool wanted = false, published = false;
        int trc = r->src->translate(&events.items[i], &m, &wanted);
        if (trc < 0) {
            /* Stop at this event: what came before is published and checkpointed. */
            char why[SHOP_ERROR_MESSAGE_MAX];
            snprintf(why, sizeof why, "%s", shop_error_message());
            *translate_rc =
                shop_error_set(trc,
                               "relay %s: translating %s (stream %s, version "
                               "%" PRId64 "): %s",
                               r->src->context, events.items[i].type, events.items[i].stream_id,
                               events.items[i].stream_version, why);
            outgoing_message_dispose(&m);
            r->last_read = 0; /* no "more" until the failure is looked at again */
            break;
        }
        if (wanted) {
            rc = publish(r, &m, &published);
            outgoing_message_dispose(&m);
            if (rc < 0)
                goto done;
            *moved += published;
        }
        last = &events.items[i];
    }
    if (last)
        rc = move_checkpoint(r, last);
done:
    es_event_list_dispose(&events);
    return rc;
}

static int relay_outbox(struct relay *r, size_t max, size_t *moved, bool *read_any)
{
    char limit[24];
    snprintf(limit, sizeof limit, "%zu", max);
    const char *params[] = {r->src->context, limit};
    int rc;
    PGresult *res =
        bus_pg__run(&rc, r->conn, r->prefix, "move", 2, params, "moving the outbox to the bus");
    if (!res)
        return rc;
    r->last_read = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
    *moved = strtoull(PQgetvalue(res, 0, 1), NULL, 10);
    *read_any = r->last_read > 0;
    PQclear(res);
    return 0;
}

int relay_step(struct relay *r, size_t max, size_t *moved)
{
    *moved = 0;
    r->last_read = 0;
    if (max == 0)
        max = RELAY_DEFAULT_BATCH;
    int rc, translate_rc = 0;
    char translate_error[SHOP_ERROR_MESSAGE_MAX] = "";
    if ((rc = bus_pg__command(r->conn, "BEGIN", "starting the relay's transaction")) < 0)
        return rc;
    const char *params[] = {r->src->context};
    PGresult *lock =
        bus_pg__run(&rc, r->conn, r->prefix, "lock", 1, params, "taking the relay's lock");
    if (!lock)
        goto fail;
    if (PQntuples(lock) == 0) { /* another relay of the context is at work */
        PQclear(lock);
        bus_pg__rollback(r->conn);
        return 0;
    }
    bool read_any = false;
    if (r->src->kind == RELAY_OUTBOX_TABLE)
        rc = relay_outbox(r, max, moved, &read_any);
    else
        rc = relay_events(r, lock, max, moved, &read_any, &translate_rc);
    PQclear(lock);
    if (rc == 0 && r->src->kind == RELAY_EVENT_STORE && r->src->with_outbox) {
        /* The outbox rows are the context's own commands, not translations: an event that
         * cannot be translated yet holds the events, not them. */
        size_t events_read = r->last_read, rows_moved = 0;
        bool rows_read = false;
        rc = relay_outbox(r, max, &rows_moved, &rows_read);
        *moved += rows_moved;
        read_any = read_any || rows_read;
        if (events_read > r->last_read)
            r->last_read = events_read;
    }
    if (rc < 0)
        goto fail;
    if (!read_any) {
        /* Nothing to move: the transaction wrote only its row lock.  Rolled back, not
         * committed, because a commit would wait for the WAL to reach the disk (the lock
         * gave it a transaction id), and an idle relay steps at every poll and wake-up. */
        if ((rc = bus_pg__command(r->conn, "ROLLBACK", "ending the relay's empty step")) < 0)
            goto fail;
        return 0;
    }
    if (translate_rc < 0)
        snprintf(translate_error, sizeof translate_error, "%s", shop_error_message());
    crash_point("relay.after-publish");
    if ((rc = bus_pg__command(r->conn, "COMMIT", "committing the relay's step")) < 0) {
        *moved = 0;
        goto fail;
    }
    crash_point("relay.after-commit");
    if (translate_rc < 0)
        return shop_error_set(translate_rc, "%s", translate_error);
    return 0;
fail:
    *moved = 0;
    r->last_read = 0;
    {
        char saved[SHOP_ERROR_MESSAGE_MAX];
        snprintf(saved, sizeof saved, "%s", shop_error_message());
        bus_pg__rollback(r->conn);
        return shop_error_set(rc, "%s", saved);
    }
}

/* ------------------------------------------------------------------ the worker */

static int relay_worker_open(void **ctx, PGconn *conn, void *arg)
{
    struct relay *r;
    int rc = relay_open(&r, conn, arg);
    if (rc < 0)
        return rc;
    *ctx = r;
    return 0;
}

static int relay_worker_step(void *ctx, bool *more)
{
    struct relay *r = ctx;
    size_t moved;
    int rc = relay_step(r, RELAY_DEFAULT_BATCH, &moved);
    *more = rc == 0 && r->last_read == RELAY_DEFAULT_BATCH;
    return rc;
}

static void relay_worker_close(void *ctx)
{
    relay_close(ctx);
}

/* The names a worker_def points at must live as long as the process: one entry per
 * context, made the first time and kept. */
#define RELAY_NAMES_MAX 16
static struct {
    char context[MESSAGE_CONTEXT_MAX + 1];
    char name[MESSAGE_CONTEXT_MAX + 16];
    char outbox_channel[MESSAGE_CONTEXT_MAX + 16];
    char events_channel[MESSAGE_CONTEXT_MAX + 16];
} relay_names[RELAY_NAMES_MAX];
static pthread_mutex_t relay_names_lock = PTHREAD_MUTEX_INITIALIZER;

void relay_worker_def(struct worker_def *out, const struct relay_source *src)
{
    memset(out, 0, sizeof *out);
    out->open = relay_worker_open;
    out->step = relay_worker_step;
    out->close = relay_worker_close;
    out->name = "relay";
    pthread_mutex_lock(&relay_names_lock);
    for (size_t i = 0; i < RELAY_NAMES_MAX; i++) {
        if (relay_names[i].context[0] == '\0') {
            snprintf(relay_names[i].context, sizeof relay_names[i].context, "%s", src->context);
            snprintf(relay_names[i].name, sizeof relay_names[i].name, "%s relay", src->context);
            snprintf(relay_names[i].outbox_channel, sizeof relay_names[i].outbox_channel,
                     "shop_outbox_%s", src->context);
            snprintf(relay_names[i].events_channel, sizeof relay_names[i].events_channel,
                     "shop_events_%s", src->context);
        }
        if (strcmp(relay_names[i].context, src->context) == 0) {
            out->name = relay_names[i].name;
            out->channels[0] = src->kind == RELAY_OUTBOX_TABLE ? relay_names[i].outbox_channel
                                                               : relay_names[i].events_channel;
            if (src->kind == RELAY_EVENT_STORE && src->with_outbox)
                out->channels[1] = relay_names[i].outbox_channel;
            break;
        }
    }
    pthread_mutex_unlock(&relay_names_lock);
}
