/*
 * infrastructure/messaging/consumer.c — a subscriber's consumer of the bus (see consumer.h):
 * idempotent consumer (inbox), competing consumers (partition locks), retries with
 * backoff and jitter, dead letters, per-stream order.
 *
 * One pass (consumer_poll) visits every partition; for each, ONE transaction:
 *     BEGIN
 *     SELECT ... FROM messaging.subscriptions WHERE (subscriber, partition)
 *         FOR UPDATE SKIP LOCKED            taken by another consumer: ROLLBACK, next one
 *     1. due retries: the oldest parked message of each stream of the partition whose
 *        time has come (only a stream's head: the others wait behind it)
 *     2. new messages after the checkpoint, gap-free like the global event log
 *        (transaction_id < pg_snapshot_xmin(pg_current_snapshot()), in (transaction_id,
 *        position) order), of this partition: (stream_hash & 2147483647) % partitions
 *     each message:  SAVEPOINT message
 *                    INSERT INTO <schema>.inbox ... ON CONFLICT DO NOTHING
 *                        no row inserted: handled before — a duplicate, nothing more
 *                    handler(message) on this connection
 *                    failed: ROLLBACK TO SAVEPOINT (its effects and inbox row go), then
 *                        park it in messaging.retries (next attempt after a backoff), or
 *                        dead-letter it (SHOP_EINVALID at once, others after max_attempts)
 *        a new message whose stream already has parked messages is parked behind them
 *        (attempts 0) without being tried, so a stream stays in order; other streams go
 *        on.  A stream's next parked message becomes its head, due at once, when the
 *        head is handled or dead-lettered.  Types not subscribed to are passed over.
 *     the checkpoint moves to the last message read
 *     COMMIT, or ROLLBACK if nothing was read (only the row lock was written: a commit
 *     would wait for a WAL flush for nothing, once per empty partition per pass)
 * A crash anywhere rolls back the handler's effects, the inbox rows, the retries and the
 * checkpoint together: the next pass does the same work again, once.
 *
 * Round trips per handled message: SAVEPOINT, inbox INSERT, the handler's own, RELEASE.
 * Read next: worker.c (what runs it), tests/integration/consumer_test.c
 */
#include "infrastructure/messaging/consumer.h"

#include "application/shared/backoff.h"
#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "domain/shared/text.h"
#include "infrastructure/messaging/bus_pg.h"
#include "infrastructure/messaging/crash_point.h"
#include "infrastructure/messaging/worker.h"
#include "infrastructure/postgres/pg_array.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

struct consumer {
    PGconn *conn;
    const struct subscription *sub;
    void *handler_ctx;
    int partitions, batch, max_attempts;
    struct backoff backoff;
    uint64_t seed;
    char types[1024]; /* the subscribed types as an array literal */
    char prefix[BUS_PG_NAME_MAX];
    unsigned next_start; /* the partition a pass starts at: turns, so consumers spread */
    bool more;           /* the last pass left work it could do at once */
    struct consumer_stats totals;
};

/* The bus's columns as read into a struct message (read_message). */
#define BUS_COLUMNS                                                                                \
    "b.position, b.transaction_id::text, b.message_id, b.type, b.schema_version, b.source,"        \
    " b.stream, b.payload::text, b.correlation_id, b.causation_id, coalesce(b.traceparent, ''),"   \
    " (extract(epoch FROM b.published_at) * 1000000)::bigint"
#define BUS_COLUMN_COUNT 12

enum {
    ST_PARTITIONS,
    ST_CREATE,
    ST_LOCK,
    ST_DUE,
    ST_NEW,
    ST_INBOX,
    ST_DONE,
    ST_PARK,
    ST_DEAD,
    ST_CHECKPOINT,
    ST_COUNT
};

static const struct {
    const char *suffix;
    int nparams;
    const char *sql;
} statements[ST_COUNT] = {
    [ST_PARTITIONS] = {"partitions", 1,
                       "SELECT partitions, count(*) FROM messaging.subscriptions"
                       " WHERE subscriber = $1 GROUP BY partitions"},
    [ST_CREATE] = {"create", 2,
                   "INSERT INTO messaging.subscriptions (subscriber, partition, partitions)"
                   " SELECT $1, p, $2::int FROM generate_series(0, $2::int - 1) AS p"
                   " ON CONFLICT (subscriber, partition) DO NOTHING"},
    [ST_LOCK] = {"lock", 2,
                 "SELECT transaction_id::text, position FROM messaging.subscriptions"
                 " WHERE subscriber = $1 AND partition = $2::int FOR UPDATE SKIP LOCKED"},
    /* $1 subscriber, $2 partition, $3 limit: the heads of the partition's parked streams
     * whose time has come. */
    [ST_DUE] = {"due", 3,
                "SELECT " BUS_COLUMNS ", r.attempts"
                "  FROM messaging.retries r JOIN messaging.bus b ON b.position = r.position"
                " WHERE r.subscriber = $1 AND r.partition = $2::int"
                "   AND r.next_attempt_at <= statement_timestamp()"
                "   AND NOT EXISTS (SELECT 1 FROM messaging.retries o"
                "                    WHERE o.subscriber = r.subscriber AND o.stream = r.stream"
                "                      AND o.position < r.position)"
                " ORDER BY r.position LIMIT $3::int"},
    /* $1 subscriber, $2 partition, $3/$4 checkpoint, $5 partitions, $6 types, $7 limit.
     * The payload only of the types subscribed to; "behind": the stream has parked
     * messages, so this one must wait behind them. */
    [ST_NEW] = {"new", 7,
                "SELECT " BUS_COLUMNS ", b.type = ANY ($6::text[]),"
                "       EXISTS (SELECT 1 FROM messaging.retries r"
                "                WHERE r.subscriber = $1 AND r.stream = b.stream)"
                "  FROM messaging.bus b"
                " WHERE (b.transaction_id, b.position) > ($3::xid8, $4::bigint)"
                "   AND b.transaction_id < pg_snapshot_xmin(pg_current_snapshot())"
                "   AND (b.stream_hash & 2147483647) % $5::int = $2::int"
                " ORDER BY b.transaction_id, b.position LIMIT $7::int"},
    [ST_INBOX] = {"inbox", 2,
                  "INSERT INTO {schema}.inbox (subscriber, message_id) VALUES ($1, $2::uuid)"
                  " ON CONFLICT (subscriber, message_id) DO NOTHING"},
    [ST_DONE] = {"done", 2,
                 "DELETE FROM messaging.retries WHERE subscriber = $1 AND position = $2::bigint"},
    /* Parks a message (or parks it again): attempts so far, the next one after $7 ms. */
    [ST_PARK] = {"park", 8,
                 "INSERT INTO messaging.retries (subscriber, position, partition, stream,"
                 "                               message_id, attempts, next_attempt_at,"
                 "                               last_error)"
                 " VALUES ($1, $2::bigint, $3::int, $4, $5::uuid, $6::int,"
                 "         statement_timestamp() + $7::bigint * interval '1 millisecond', $8)"
                 " ON CONFLICT (subscriber, position) DO UPDATE"
                 "   SET attempts = excluded.attempts, next_attempt_at = excluded.next_attempt_at,"
                 "       last_error = excluded.last_error"},
    [ST_DEAD] = {"dead", 7,
                 "WITH unparked AS (DELETE FROM messaging.retries"
                 "                   WHERE subscriber = $1 AND position = $2::bigint)"
                 " INSERT INTO messaging.dead_letters (subscriber, position, message_id, type,"
                 "                                     stream, attempts, last_error)"
                 " VALUES ($1, $2::bigint, $3::uuid, $4, $5, $6::int, $7)"
                 " ON CONFLICT (subscriber, message_id) DO UPDATE"
                 "   SET position = excluded.position, attempts = excluded.attempts,"
                 "       last_error = excluded.last_error, dead_at = statement_timestamp()"},
    [ST_CHECKPOINT] = {"checkpoint", 4,
                       "UPDATE messaging.subscriptions"
                       "   SET transaction_id = $3::xid8, position = $4::bigint,"
                       "       updated_at = statement_timestamp()"
                       " WHERE subscriber = $1 AND partition = $2::int"},
};

static PGresult *run(int *rc, struct consumer *c, int st, const char *const *params,
                     const char *what)
{
    return bus_pg__run(rc, c->conn, c->prefix, statements[st].suffix, statements[st].nparams,
                       params, what);
}

static int run_command(struct consumer *c, int st, const char *const *params, const char *what)
{
    int rc;
    PGresult *res = run(&rc, c, st, params, what);
    PQclear(res);
    return rc;
}

static bool subscriber_name_valid(const char *name)
{
    size_t n = strlen(name);
    if (n < 1 || n > 64 || name[0] < 'a' || name[0] > 'z')
        return false;
    for (size_t i = 1; i < n; i++)
        if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
              name[i] == '.' || name[i] == '-'))
            return false;
    return true;
}

static int prepare_all(struct consumer *c)
{
    for (int i = 0; i < ST_COUNT; i++) {
        char sql[2048];
        const char *text = statements[i].sql, *mark = strstr(text, "{schema}");
        if (mark)
            snprintf(sql, sizeof sql, "%.*s\"%s\"%s", (int)(mark - text), text,
                     c->sub->inbox_schema, mark + strlen("{schema}"));
        else
            snprintf(sql, sizeof sql, "%s", text);
        int rc = bus_pg__prepare(c->conn, c->prefix, statements[i].suffix, sql,
                                 statements[i].nparams, "preparing the consumer's statements");
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* The subscription's checkpoint rows: made if there are none, else they must have the
 * same number of partitions. */
static int ensure_partitions(struct consumer *c)
{
    char partitions[16];
    snprintf(partitions, sizeof partitions, "%d", c->partitions);
    const char *who[] = {c->sub->name};
    int rc;
    PGresult *res = run(&rc, c, ST_PARTITIONS, who, "reading the subscription's checkpoints");
    if (!res)
        return rc;
    if (PQntuples(res) == 0) { /* a new subscriber: it starts at the beginning of the bus */
        PQclear(res);
        const char *create[] = {c->sub->name, partitions};
        if ((rc = run_command(c, ST_CREATE, create, "creating the subscription's checkpoints")) < 0)
            return rc;
        if (!(res = run(&rc, c, ST_PARTITIONS, who, "reading the subscription's checkpoints")))
            return rc;
    }
    if (PQntuples(res) == 0)
        rc = shop_error_set(SHOP_EREFUSED,
                            "subscription %s: its checkpoints are not this role's (another "
                            "context's role owns the subscriber name?)",
                            c->sub->name);
    else if (PQntuples(res) != 1 || atoi(PQgetvalue(res, 0, 0)) != c->partitions)
        rc = shop_error_set(SHOP_EREFUSED,
                            "subscription %s has %s partitions, not %d (they are fixed once "
                            "created)",
                            c->sub->name, PQgetvalue(res, 0, 0), c->partitions);
    else if (atoi(PQgetvalue(res, 0, 1)) != c->partitions)
        rc = shop_error_set(SHOP_EREFUSED,
                            "subscription %s: %s of its %d checkpoints are this role's (another "
                            "context's role owns the subscriber name?)",
                            c->sub->name, PQgetvalue(res, 0, 1), c->partitions);
    PQclear(res);
    return rc;
}

int consumer_open(struct consumer **out, PGconn *conn, const struct subscription *sub,
                  void *handler_ctx, const struct consumer_options *opt)
{
    static const struct consumer_options defaults = {0};
    *out = NULL;
    if (!opt)
        opt = &defaults;
    if (!subscriber_name_valid(sub->name))
        return shop_error_set(SHOP_EINVALID,
                              "consumer: subscriber must match [a-z][a-z0-9.-]{0,63}, got '%s'",
                              sub->name);
    if (!bus_pg__context_valid(sub->inbox_schema))
        return shop_error_set(SHOP_EINVALID, "consumer %s: inbox schema must be 1-32 letters a-z",
                              sub->name);
    if (!sub->handle)
        return shop_error_set(SHOP_EINVALID, "consumer %s: no handler", sub->name);
    if (opt->partitions < 0 || opt->partitions > 256)
        return shop_error_set(SHOP_EINVALID, "consumer %s: partitions must be 1-256, got %d",
                              sub->name, opt->partitions);

    struct consumer *c = shop_xcalloc(1, sizeof *c);
    c->conn = conn;
    c->sub = sub;
    c->handler_ctx = handler_ctx;
    c->partitions = opt->partitions ? opt->partitions : CONSUMER_DEFAULT_PARTITIONS;
    c->batch = opt->batch > 0 ? opt->batch : 100;
    c->max_attempts = opt->max_attempts > 0 ? opt->max_attempts : CONSUMER_DEFAULT_MAX_ATTEMPTS;
    c->backoff.base = opt->backoff_base_ms > 0 ? opt->backoff_base_ms : 100;
    c->backoff.cap = opt->backoff_cap_ms > 0 ? opt->backoff_cap_ms : 30000;
    if (opt->seed) {
        c->seed = opt->seed;
    } else {
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        c->seed = (uint64_t)now.tv_sec * 1000000007u ^ (uint64_t)now.tv_nsec ^ (uintptr_t)c;
    }
    c->next_start = (unsigned)(c->seed % (uint64_t)c->partitions);
    struct pg_array types;
    pg_array_init(&types);
    for (size_t i = 0; i < SUBSCRIPTION_MAX_TYPES && sub->types[i]; i++)
        pg_array_add(&types, sub->types[i]);
    int rc = 0;
    if (strlen(pg_array_text(&types)) >= sizeof c->types)
        rc = shop_error_set(SHOP_EINVALID, "consumer %s: the type names are too long", sub->name);
    else
        snprintf(c->types, sizeof c->types, "%s", pg_array_text(&types));
    pg_array_dispose(&types);
    bus_pg__prefix(c->prefix, "consumer");
    if (rc < 0 || (rc = prepare_all(c)) < 0 || (rc = ensure_partitions(c)) < 0) {
        free(c);
        return rc;
    }
    *out = c;
    return 0;
}

void consumer_close(struct consumer *c)
{
    free(c);
}

void consumer_totals(const struct consumer *c, struct consumer_stats *out)
{
    *out = c->totals;
}

static void stats_add(struct consumer_stats *to, const struct consumer_stats *from)
{
    to->handled += from->handled;
    to->duplicates += from->duplicates;
    to->retried += from->retried;
    to->dead_lettered += from->dead_lettered;
    to->passed += from->passed;
}

static void read_message(struct message *m, const PGresult *res, int row)
{
    memset(m, 0, sizeof *m);
    m->position = strtoll(PQgetvalue(res, row, 0), NULL, 10);
    m->transaction_id = strtoull(PQgetvalue(res, row, 1), NULL, 10);
    bus_pg__uuid_value(&m->meta.message_id, res, row, 2);
    snprintf(m->type, sizeof m->type, "%s", PQgetvalue(res, row, 3));
    m->schema_version = atoi(PQgetvalue(res, row, 4));
    snprintf(m->source, sizeof m->source, "%s", PQgetvalue(res, row, 5));
    snprintf(m->stream, sizeof m->stream, "%s", PQgetvalue(res, row, 6));
    m->payload = PQgetisnull(res, row, 7) ? NULL : shop_xstrdup(PQgetvalue(res, row, 7));
    bus_pg__uuid_value(&m->meta.correlation_id, res, row, 8);
    bus_pg__uuid_value(&m->meta.causation_id, res, row, 9);
    snprintf(m->meta.traceparent, sizeof m->meta.traceparent, "%s", PQgetvalue(res, row, 10));
    m->published_at_us = strtoll(PQgetvalue(res, row, 11), NULL, 10);
}

/* The streams parked in this transaction so far, so later messages of them wait. */
struct parked {
    char (*streams)[MESSAGE_STREAM_MAX + 1];
    size_t count, capacity;
};

static bool parked_has(const struct parked *p, const char *stream)
{
    for (size_t i = 0; i < p->count; i++)
        if (strcmp(p->streams[i], stream) == 0)
            return true;
    return false;
}

static void parked_add(struct parked *p, const char *stream)
{
    if (parked_has(p, stream))
        return;
    if (p->count == p->capacity) {
        p->capacity = p->capacity ? 2 * p->capacity : 8;
        p->streams = shop_xreallocarray(p->streams, p->capacity, sizeof *p->streams);
    }
    snprintf(p->streams[p->count++], sizeof *p->streams, "%s", stream);
}

/* Parks m with `attempts` failures so far, the next attempt after delay_ms. */
static int park(struct consumer *c, int partition, const struct message *m, int attempts,
                int64_t delay_ms, const char *last_error)
{
    char position[24], part[16], id[UUID_STRING_SIZE], tries[16], delay[24];
    snprintf(position, sizeof position, "%" PRId64, m->position);
    snprintf(part, sizeof part, "%d", partition);
    snprintf(tries, sizeof tries, "%d", attempts);
    snprintf(delay, sizeof delay, "%" PRId64, delay_ms);
    const char *params[] = {
        c->sub->name, position, part,      m->stream, uuid_format(id, m->meta.message_id),
        tries,        delay,    last_error};
    return run_command(c, ST_PARK, params, "parking a message for another attempt");
}

static int dead_letter(struct consumer *c, const struct message *m, int attempts,
                       const char *last_error)
{
    char position[24], id[UUID_STRING_SIZE], tries[16];
    snprintf(position, sizeof position, "%" PRId64, m->position);
    snprintf(tries, sizeof tries, "%d", attempts);
    const char *params[] = {c->sub->name, position,  uuid_format(id, m->meta.message_id),
                            m->type,      m->stream, tries,
                            last_error};
    return run_command(c, ST_DEAD, params, "dead-lettering a message");
}

static int unpark(struct consumer *c, const struct message *m)
{
    char position[24];
    snprintf(position, sizeof position, "%" PRId64, m->position);
    const char *params[] = {c->sub->name, position};
    return run_command(c, ST_DONE, params, "removing a handled message from the retries");
}

/* A handler's error as text the database takes: an error message is cut to a length in
 * bytes, which may fall inside a character, and a handler may say anything; each byte
 * that is not part of valid UTF-8 becomes '?'.  Otherwise parking or dead-lettering the
 * message would fail, and with it the partition's transaction, at every pass. */
static void make_utf8(char *text)
{
    for (char *p = text; *p;) {
        uint32_t cp;
        size_t len = text_utf8_decode(&cp, p);
        if (len == 0)
            *p++ = '?';
        else
            p += len;
    }
}

/*
 * One message, in the partition's open transaction.  attempts: its failures so far
 * (0 for a new one); parked_row: it has a row in messaging.retries.  A failure of the
 * database itself returns its error (the caller rolls back the whole transaction); a
 * failure of the handler is recorded and is not an error of the pass.
 */
static int handle_one(struct consumer *c, int partition, const struct message *m, int attempts,
                      bool parked_row, struct consumer_stats *st, struct parked *parked)
{
    int rc;
    if ((rc = bus_pg__command(c->conn, "SAVEPOINT message", "starting a message")) < 0)
        return rc;
    char id[UUID_STRING_SIZE];
    const char *inbox[] = {c->sub->name, uuid_format(id, m->meta.message_id)};
    PGresult *res = run(&rc, c, ST_INBOX, inbox, "recording the message in the inbox");
    if (!res)
        return rc;
    bool duplicate = strcmp(PQcmdTuples(res), "0") == 0;
    PQclear(res);
    shop_error_clear(); /* what the handler says, if it fails, and nothing older */
    int handled = duplicate ? 0 : c->sub->handle(c->handler_ctx, m);
    if (PQstatus(c->conn) != CONNECTION_OK)
        return shop_error_set(SHOP_EUNAVAILABLE, "consumer %s: lost the database connection",
                              c->sub->name);
    /* A handler that says "done" over a statement that failed would leave the
     * transaction aborted and the partition stuck at this message on every pass: its
     * word is not taken, the message counts as failed. */
    if (handled == 0 && PQtransactionStatus(c->conn) == PQTRANS_INERROR)
        handled = shop_error_set(SHOP_EINTERNAL,
                                 "the handler reported success after a failed statement");
    if (handled == 0) {
        if ((rc = bus_pg__command(c->conn, "RELEASE SAVEPOINT message", "ending a message")) < 0)
            return rc;
        if (duplicate) {
            st->duplicates++;
        } else {
            st->handled++;
            crash_point("consumer.after-handle");
        }
        return parked_row ? unpark(c, m) : 0;
    }

    /* The handler failed: its effects and the inbox row go, the message is parked or
     * given up on. */
    char why[SHOP_ERROR_MESSAGE_MAX];
    snprintf(why, sizeof why, "%s: %s", shop_error_name(handled),
             shop_error_message()[0] ? shop_error_message() : "the handler failed");
    make_utf8(why);
    if ((rc = bus_pg__command(c->conn, "ROLLBACK TO SAVEPOINT message",
                              "undoing a failed message")) < 0 ||
        (rc = bus_pg__command(c->conn, "RELEASE SAVEPOINT message", "ending a message")) < 0)
        return rc;
    attempts++;
    if (handled == SHOP_EINVALID || attempts >= c->max_attempts) {
        st->dead_lettered++;
        return dead_letter(c, m, attempts, why);
    }
    st->retried++;
    parked_add(parked, m->stream);
    return park(c, partition, m, attempts, backoff_delay(&c->backoff, attempts, &c->seed), why);
}

/* Due retries of the partition; *more: some were done and the next ones may be due. */
static int handle_due(struct consumer *c, int partition, struct consumer_stats *st,
                      struct parked *parked, bool *more, bool *read_any)
{
    char part[16], limit[16];
    snprintf(part, sizeof part, "%d", partition);
    snprintf(limit, sizeof limit, "%d", c->batch);
    const char *params[] = {c->sub->name, part, limit};
    int rc;
    PGresult *res = run(&rc, c, ST_DUE, params, "reading the due retries");
    if (!res)
        return rc;
    int n = PQntuples(res);
    *read_any = *read_any || n > 0;
    for (int i = 0; i < n && rc == 0; i++) {
        struct message m;
        read_message(&m, res, i);
        unsigned long failed_before = st->retried;
        rc = handle_one(c, partition, &m, atoi(PQgetvalue(res, i, BUS_COLUMN_COUNT)), true, st,
                        parked);
        if (st->retried == failed_before)
            *more = true; /* handled or given up: the stream's next message is due now */
        message_dispose(&m);
    }
    PQclear(res);
    return rc;
}

/* New messages of the partition after the checkpoint; *more: a full batch was read. */
static int handle_new(struct consumer *c, int partition, const PGresult *lock,
                      struct consumer_stats *st, struct parked *parked, bool *more, bool *read_any)
{
    char part[16], partitions[16], limit[16];
    snprintf(part, sizeof part, "%d", partition);
    snprintf(partitions, sizeof partitions, "%d", c->partitions);
    snprintf(limit, sizeof limit, "%d", c->batch);
    const char *params[] = {
        c->sub->name, part, PQgetvalue(lock, 0, 0), PQgetvalue(lock, 0, 1), partitions,
        c->types,     limit};
    int rc;
    PGresult *res = run(&rc, c, ST_NEW, params, "reading the bus");
    if (!res)
        return rc;
    int n = PQntuples(res);
    *read_any = *read_any || n > 0;
    *more = *more || n == c->batch;
    for (int i = 0; i < n && rc == 0; i++) {
        bool wanted = PQgetvalue(res, i, BUS_COLUMN_COUNT)[0] == 't';
        bool behind = PQgetvalue(res, i, BUS_COLUMN_COUNT + 1)[0] == 't';
        if (!wanted) {
            st->passed++;
            continue;
        }
        struct message m;
        read_message(&m, res, i);
        if (behind || parked_has(parked, m.stream))
            rc = park(c, partition, &m, 0, 0, NULL); /* waits behind its stream's head */
        else
            rc = handle_one(c, partition, &m, 0, false, st, parked);
        message_dispose(&m);
    }
    if (rc == 0 && n > 0) {
        const char *checkpoint[] = {c->sub->name, part, PQgetvalue(res, n - 1, 1),
                                    PQgetvalue(res, n - 1, 0)};
        rc = run_command(c, ST_CHECKPOINT, checkpoint, "moving the checkpoint");
    }
    PQclear(res);
    return rc;
}

static int poll_partition(struct consumer *c, int partition, struct consumer_stats *out)
{
    struct consumer_stats st = {0};
    struct parked parked = {0};
    bool more = false, read_any = false;
    char part[16];
    snprintf(part, sizeof part, "%d", partition);
    int rc;
    if ((rc = bus_pg__command(c->conn, "BEGIN", "starting the consumer's transaction")) < 0)
        return rc;
    const char *params[] = {c->sub->name, part};
    PGresult *lock = run(&rc, c, ST_LOCK, params, "taking the partition's lock");
    if (!lock)
        goto fail;
    if (PQntuples(lock) == 0) { /* another consumer has this partition now */
        PQclear(lock);
        bus_pg__rollback(c->conn);
        return 0;
    }
    rc = handle_due(c, partition, &st, &parked, &more, &read_any);
    if (rc == 0)
        rc = handle_new(c, partition, lock, &st, &parked, &more, &read_any);
    PQclear(lock);
    if (rc < 0)
        goto fail;
    if (!read_any) {
        /* Nothing due, nothing new: the transaction wrote only its row lock.  Rolled
         * back, not committed: a commit would wait for a WAL flush (the lock gave it a
         * transaction id), once per empty partition at every pass. */
        if ((rc = bus_pg__command(c->conn, "ROLLBACK", "ending an empty partition's pass")) < 0)
            goto fail;
        return 0;
    }
    if ((rc = bus_pg__command(c->conn, "COMMIT", "committing the consumer's transaction")) < 0)
        goto fail;
    free(parked.streams);
    stats_add(out, &st);
    c->more = c->more || more;
    return 0;
fail:
    free(parked.streams);
    {
        char saved[SHOP_ERROR_MESSAGE_MAX];
        snprintf(saved, sizeof saved, "%s", shop_error_message());
        bus_pg__rollback(c->conn);
        return shop_error_set(rc, "consumer %s, partition %d: %s", c->sub->name, partition, saved);
    }
}

int consumer_poll(struct consumer *c, struct consumer_stats *stats)
{
    struct consumer_stats pass = {0};
    int rc = 0;
    c->more = false;
    unsigned start = c->next_start++;
    for (int i = 0; i < c->partitions && rc == 0; i++)
        rc = poll_partition(c, (int)((start + (unsigned)i) % (unsigned)c->partitions), &pass);
    stats_add(&c->totals, &pass);
    if (stats)
        stats_add(stats, &pass);
    return rc;
}

/* ------------------------------------------------------------------ the worker */

struct consumer_worker {
    struct consumer *consumer;
    const struct subscription *sub;
    void *handler_ctx;
};

static int consumer_worker_open(void **ctx, PGconn *conn, void *arg)
{
    const struct consumer_worker_arg *a = arg;
    struct consumer_worker *w = shop_xcalloc(1, sizeof *w);
    w->sub = a->sub;
    w->handler_ctx = a->handler_arg;
    int rc = 0;
    if (a->sub->open && (rc = a->sub->open(&w->handler_ctx, conn, a->handler_arg)) < 0) {
        free(w);
        return rc;
    }
    if ((rc = consumer_open(&w->consumer, conn, a->sub, w->handler_ctx, a->opt)) < 0) {
        if (a->sub->close)
            a->sub->close(w->handler_ctx);
        free(w);
        return rc;
    }
    *ctx = w;
    return 0;
}

static int consumer_worker_step(void *ctx, bool *more)
{
    struct consumer_worker *w = ctx;
    int rc = consumer_poll(w->consumer, NULL);
    *more = rc == 0 && w->consumer->more;
    return rc;
}

static void consumer_worker_close(void *ctx)
{
    struct consumer_worker *w = ctx;
    consumer_close(w->consumer);
    if (w->sub->close)
        w->sub->close(w->handler_ctx);
    free(w);
}

const struct worker_def consumer_worker = {.name = "consumer",
                                           .channels = {"shop_bus"},
                                           .open = consumer_worker_open,
                                           .step = consumer_worker_step,
                                           .close = consumer_worker_close};
