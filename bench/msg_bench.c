/*
 * bench/msg_bench.c — the messaging benchmark's driver; bench/messaging runs it.
 *
 * Not a test: it measures.  It drives the project's own messaging code — the relay
 * (infrastructure/messaging/relay.c), the consumer (consumer.c) and the worker that runs
 * them in threads with LISTEN/NOTIFY (worker.c) — on the path a catalog change takes:
 *
 *     publisher: INSERT INTO catalog.outbox (one catalog.PriceChanged) + COMMIT
 *       -> Catalog's relay (RELAY_OUTBOX_TABLE, as shop_catalog) -> messaging.bus
 *       -> a consumer of subscription "bench.prices" (inbox ordering.inbox, the default 4
 *          partitions and batch of 100, as shop_ordering) -> its handler
 *
 * The handler does no work of its own (no SQL): it notes the time and the message's
 * catalog_version, which is the publisher's sequence number, so what is measured is the
 * messaging machinery (outbox, relay, bus, checkpoints, inbox), not a subscriber's work.
 * A real handler adds its own statements to the consumer's transaction.
 *
 * The modes (each starts by emptying the outbox, the bus, the subscriptions, the relays'
 * rows and the inbox, then CHECKPOINT, so that no measurement inherits another's rows):
 *
 *   latency --listen 0|1 --poll-ms P --rate R --seconds S --tag T --samples FILE
 *            starts a relay worker and a consumer worker (worker_start, listen and poll
 *            interval as given: what SHOP_MESSAGING_LISTEN and SHOP_MESSAGING_POLL_MS
 *            set in a service), waits until both are at work, then publishes for S
 *            seconds at R messages/s on average (Poisson arrivals, a fixed seed: no
 *            aliasing with the poll interval), each message in its own transaction, and
 *            waits until every one was handled.  Appends to FILE one line per message:
 *                latency.T MS      handler's time - the publisher's COMMIT returned
 *                commit.T MS       the publisher's INSERT + COMMIT round trip
 *   commit   --rate R --seconds S --tag T --samples FILE
 *            the baseline: the same publisher, same rate, into bench.raw_outbox (LIKE
 *            catalog.outbox INCLUDING ALL, no trigger), no workers.  commit.T lines.
 *   pipeline --messages N --consumers K --tag T
 *            N messages in the outbox first (one INSERT ... SELECT), then a relay worker
 *            and K consumer workers (competing: one subscription, its partitions shared)
 *            are started; the time until the last message was handled.      -> msgs/s
 *   stages   --messages N
 *            the two halves on their own, by direct calls on one connection each:
 *            relay_step (batches of 500) until the outbox is empty, then consumer_poll
 *            until all N were handled.                                       -> msgs/s
 *   bulk     --messages N --seconds S
 *            the baselines of throughput: the same N outbox rows copied by one plain
 *            INSERT INTO bench.raw_bus (LIKE messaging.bus INCLUDING ALL) SELECT ... FROM
 *            catalog.outbox, in rows/s; and one-row INSERT + COMMIT back to back into
 *            bench.raw_outbox for S seconds, in rows/s.
 *
 * Every mode checks that each message was handled exactly once (by the handler's count
 * and a per-message flag); a lost or doubled message fails the benchmark instead of
 * looking fast.  Output: `result NAME VALUE UNIT` lines.  Exit 0, or 1 with one line on
 * stderr.  Connects through libpq's environment (PGHOST, PGDATABASE, ...) as a superuser
 * that can SET ROLE to the contexts' roles.
 * Read next: bench/messaging (the rounds, baselines and ratios), docs/performance.md.
 */
#include "application/messaging/message.h"
#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "domain/shared/uuid.h"
#include "infrastructure/messaging/consumer.h"
#include "infrastructure/messaging/relay.h"
#include "infrastructure/messaging/worker.h"
#include "infrastructure/postgres/connection.h"

#include <errno.h>
#include <getopt.h>
#include <libpq-fe.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SUBSCRIBER  "bench.prices"
#define PRODUCTS    100 /* streams product-BENCH-0..99: spread over the partitions */
#define TRACEPARENT "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
#define MAX_WORKERS 8

struct options {
    const char *mode, *tag, *samples;
    int listen, poll_ms, consumers;
    double rate, seconds;
    long messages;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
    if (s <= 0)
        return;
    struct timespec ts = {.tv_sec = (time_t)s, .tv_nsec = (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
    }
}

static _Noreturn void die(const char *what)
{
    fprintf(stderr, "msg_bench: %s\n", what);
    exit(1);
}

static _Noreturn void die_shop(const char *what)
{
    fprintf(stderr, "msg_bench: %s: %s\n", what, shop_error_message());
    exit(1);
}

static void print_result(const char *name, double value, const char *unit)
{
    printf("result %s %.3f %s\n", name, value, unit);
    fflush(stdout);
}

/* ------------------------------------------------------------------ connections */

static void exec_or_die(PGconn *conn, const char *sql)
{
    PGresult *res = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        fprintf(stderr, "msg_bench: %s: %s", sql, PQerrorMessage(conn));
        exit(1);
    }
    PQclear(res);
}

/* A connection from libpq's environment, as role (NULL: as the user who connected). */
static char role_catalog[] = "shop_catalog", role_ordering[] = "shop_ordering";

static int connect_as(PGconn **out, void *role)
{
    int rc = pg_connect(out, pg_conninfo_choose(NULL), "msg_bench", false);
    if (rc < 0)
        return rc;
    if (role) {
        char sql[64];
        snprintf(sql, sizeof sql, "SET ROLE %s", (const char *)role);
        PGresult *res = PQexec(*out, sql);
        bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
        PQclear(res);
        if (!ok) {
            rc = shop_error_set(SHOP_EREFUSED, "SET ROLE %s: %s", (const char *)role,
                                PQerrorMessage(*out));
            PQfinish(*out);
            *out = NULL;
        }
    }
    return rc;
}

static PGconn *connect_or_die(char *role)
{
    PGconn *conn;
    if (connect_as(&conn, role) < 0)
        die_shop("connecting");
    return conn;
}

/* Empties what a measurement fills, so none inherits another's rows, and checkpoints. */
static void reset(PGconn *ctl)
{
    exec_or_die(ctl, "TRUNCATE catalog.outbox, messaging.bus, messaging.subscriptions,"
                     " messaging.relays, messaging.retries, messaging.dead_letters,"
                     " ordering.inbox, bench.raw_outbox, bench.raw_bus");
    exec_or_die(ctl, "CHECKPOINT");
}

static long query_long(PGconn *conn, const char *sql)
{
    PGresult *res = PQexec(conn, sql);
    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
        fprintf(stderr, "msg_bench: %s: %s", sql, PQerrorMessage(conn));
        exit(1);
    }
    long v = strtol(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return v;
}

/* N catalog.PriceChanged in the outbox, sequence numbers 0..N-1, in one statement. */
static void fill_outbox(PGconn *ctl, long n)
{
    char sql[1024];
    snprintf(sql, sizeof sql,
             "INSERT INTO catalog.outbox (message_id, type, schema_version, stream, payload,"
             "                            correlation_id, traceparent)"
             " SELECT gen_random_uuid(), 'catalog.PriceChanged', 1,"
             "        'product-BENCH-' || (g %% %d),"
             "        jsonb_build_object('sku', 'BENCH-' || (g %% %d), 'price', '24.90 EUR',"
             "                           'catalog_version', g,"
             "                           'changed_at', '2024-06-10T06:13:20.000000Z'),"
             "        gen_random_uuid(), '%s'"
             "   FROM generate_series(0, %ld) AS g",
             PRODUCTS, PRODUCTS, TRACEPARENT, n - 1);
    exec_or_die(ctl, sql);
}

/* ------------------------------------------------------------------ the handler */

/* One message's times, by sequence number. */
struct slot {
    double commit_at;  /* the publisher's COMMIT returned */
    double commit_ms;  /* its INSERT + COMMIT round trip */
    double handled_at; /* the handler saw it (the first time) */
    atomic_char seen;
};

struct run {
    long capacity;
    struct slot *slots;
    atomic_long handled, again, published;
};

static void run_init(struct run *r, long capacity)
{
    memset(r, 0, sizeof *r);
    r->capacity = capacity;
    r->slots = shop_xcalloc((size_t)capacity, sizeof *r->slots);
}

static void run_dispose(struct run *r)
{
    free(r->slots);
}

/* The message's catalog_version: the publisher's sequence number. */
static long message_seq(const struct message *m)
{
    const char *p = m->payload ? strstr(m->payload, "\"catalog_version\"") : NULL;
    if (!p)
        return -1;
    p += strlen("\"catalog_version\"");
    while (*p == ' ' || *p == ':')
        p++;
    char *end;
    long seq = strtol(p, &end, 10);
    return end == p ? -1 : seq;
}

static int bench_handle(void *ctx, const struct message *m)
{
    struct run *r = ctx;
    double t = now_s();
    long seq = message_seq(m);
    if (seq < 0 || seq >= r->capacity)
        return shop_error_set(SHOP_EINVALID, "no sequence number in %s", m->type);
    if (atomic_exchange(&r->slots[seq].seen, 1) == 0) {
        r->slots[seq].handled_at = t;
        atomic_fetch_add(&r->handled, 1);
    } else {
        atomic_fetch_add(&r->again, 1);
    }
    return 0;
}

static const struct subscription subscription = {
    .name = SUBSCRIBER,
    .inbox_schema = "ordering",
    .types = {"catalog.PriceChanged"},
    .handle = bench_handle,
};

static struct relay_source catalog_relay = {.context = "catalog", .kind = RELAY_OUTBOX_TABLE};

/* ------------------------------------------------------------------ the workers */

struct workers {
    struct worker *w[MAX_WORKERS];
    int n;
    struct worker_def relay_def;
    struct consumer_worker_arg consumer_arg;
};

static void workers_start(struct workers *ws, PGconn *ctl, struct run *r, int consumers, int listen,
                          int poll_ms)
{
    memset(ws, 0, sizeof *ws);
    struct worker_options opt = {.poll_ms = poll_ms, .listen = listen};
    relay_worker_def(&ws->relay_def, &catalog_relay);
    ws->consumer_arg = (struct consumer_worker_arg){.sub = &subscription, .handler_arg = r};
    if (worker_start(&ws->w[ws->n++], &ws->relay_def, &catalog_relay, connect_as, role_catalog,
                     &opt) < 0)
        die_shop("starting the relay's worker");
    for (int i = 0; i < consumers; i++)
        if (worker_start(&ws->w[ws->n++], &consumer_worker, &ws->consumer_arg, connect_as,
                         role_ordering, &opt) < 0)
            die_shop("starting a consumer's worker");
    /* At work: the relay's row and the subscription's checkpoints exist. */
    double deadline = now_s() + 30;
    while (query_long(ctl, "SELECT (SELECT count(*) FROM messaging.relays"
                           "         WHERE context = 'catalog')"
                           "     * (SELECT count(*) FROM messaging.subscriptions"
                           "         WHERE subscriber = '" SUBSCRIBER
                           "')") < CONSUMER_DEFAULT_PARTITIONS) {
        if (now_s() > deadline)
            die("the workers did not start within 30 s");
        sleep_s(0.005);
    }
}

static void workers_stop(struct workers *ws)
{
    for (int i = 0; i < ws->n; i++) {
        struct worker_stats st;
        worker_stats(ws->w[i], &st);
        if (st.failures)
            fprintf(stderr, "msg_bench: a worker had %lu failed steps\n", st.failures);
        worker_stop(ws->w[i]);
    }
    ws->n = 0;
}

/* Waits until `expected` messages were handled; dies after timeout_s. */
static void wait_handled(struct run *r, long expected, double timeout_s)
{
    double deadline = now_s() + timeout_s;
    while (atomic_load(&r->handled) < expected) {
        if (now_s() > deadline) {
            char why[160];
            snprintf(why, sizeof why, "only %ld of %ld messages handled after %.0f s",
                     atomic_load(&r->handled), expected, timeout_s);
            die(why);
        }
        sleep_s(0.001);
    }
}

static void check_once(struct run *r, long expected)
{
    if (atomic_load(&r->handled) != expected || atomic_load(&r->again) != 0) {
        char why[160];
        snprintf(why, sizeof why, "%ld messages handled once and %ld again, of %ld",
                 atomic_load(&r->handled), atomic_load(&r->again), expected);
        die(why);
    }
}

/* ------------------------------------------------------------------ publishing */

/* Publishes at rate/s (Poisson arrivals) for seconds into table, one message per
 * transaction, noting each commit's time and round trip in r. */
static void publish(struct run *r, const char *table, double rate, double seconds)
{
    PGconn *conn = connect_or_die(role_catalog);
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO %s (message_id, type, schema_version, stream, payload,"
             "                correlation_id, traceparent)"
             " VALUES ($1::uuid, 'catalog.PriceChanged', 1, $2, $3::jsonb, $4::uuid, $5)",
             table);
    PGresult *res = PQprepare(conn, "publish", sql, 5, NULL);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        fprintf(stderr, "msg_bench: preparing the publisher: %s", PQerrorMessage(conn));
        exit(1);
    }
    PQclear(res);
    unsigned short seed[3] = {1, 2, 3}; /* the same arrivals in every round */
    double start = now_s(), next = start;
    for (long seq = 0; seq < r->capacity; seq++) {
        next += -log(1.0 - erand48(seed)) / rate;
        if (next - start > seconds || now_s() - start > seconds)
            break; /* the schedule's end, or the clock's when commits fall behind it */
        sleep_s(next - now_s());
        shop_uuid id, correlation;
        char id_text[UUID_STRING_SIZE], correlation_text[UUID_STRING_SIZE];
        char stream[64], payload[256];
        if (uuid_new_v7(&id) < 0 || uuid_new_v7(&correlation) < 0)
            die_shop("making a message id");
        snprintf(stream, sizeof stream, "product-BENCH-%ld", seq % PRODUCTS);
        snprintf(payload, sizeof payload,
                 "{\"sku\":\"BENCH-%ld\",\"price\":\"24.90 EUR\",\"catalog_version\":%ld,"
                 "\"changed_at\":\"2024-06-10T06:13:20.000000Z\"}",
                 seq % PRODUCTS, seq);
        const char *params[] = {uuid_format(id_text, id), stream, payload,
                                uuid_format(correlation_text, correlation), TRACEPARENT};
        double before = now_s();
        res = PQexecPrepared(conn, "publish", 5, params, NULL, NULL, 0);
        double after = now_s();
        if (PQresultStatus(res) != PGRES_COMMAND_OK) {
            fprintf(stderr, "msg_bench: publishing: %s", PQerrorMessage(conn));
            exit(1);
        }
        PQclear(res);
        r->slots[seq].commit_at = after;
        r->slots[seq].commit_ms = (after - before) * 1e3;
        atomic_fetch_add(&r->published, 1);
    }
    PQfinish(conn);
}

static FILE *samples_open(const struct options *o)
{
    if (!o->samples)
        die("--samples FILE is needed");
    FILE *f = fopen(o->samples, "a");
    if (!f)
        die("cannot open the samples file");
    return f;
}

static void mode_latency(const struct options *o, PGconn *ctl)
{
    struct run r;
    run_init(&r, (long)(o->rate * o->seconds * 2) + 100);
    reset(ctl);
    struct workers ws;
    workers_start(&ws, ctl, &r, 1, o->listen, o->poll_ms);
    publish(&r, "catalog.outbox", o->rate, o->seconds);
    long published = atomic_load(&r.published);
    wait_handled(&r, published, 30 + 3.0 * o->poll_ms / 1000);
    workers_stop(&ws);
    check_once(&r, published);
    FILE *f = samples_open(o);
    for (long i = 0; i < published; i++)
        fprintf(f, "latency.%s %.3f\ncommit.%s %.3f\n", o->tag,
                (r.slots[i].handled_at - r.slots[i].commit_at) * 1e3, o->tag, r.slots[i].commit_ms);
    fclose(f);
    char name[96];
    snprintf(name, sizeof name, "latency.%s.messages", o->tag);
    print_result(name, (double)published, "messages");
    run_dispose(&r);
}

static void mode_commit(const struct options *o, PGconn *ctl)
{
    struct run r;
    run_init(&r, (long)(o->rate * o->seconds * 2) + 100);
    reset(ctl);
    publish(&r, "bench.raw_outbox", o->rate, o->seconds);
    long published = atomic_load(&r.published);
    FILE *f = samples_open(o);
    for (long i = 0; i < published; i++)
        fprintf(f, "commit.%s %.3f\n", o->tag, r.slots[i].commit_ms);
    fclose(f);
    run_dispose(&r);
}

/* ------------------------------------------------------------------ throughput */

static double last_handled(const struct run *r, long n)
{
    double last = 0;
    for (long i = 0; i < n; i++)
        if (r->slots[i].handled_at > last)
            last = r->slots[i].handled_at;
    return last;
}

static void mode_pipeline(const struct options *o, PGconn *ctl)
{
    struct run r;
    run_init(&r, o->messages);
    reset(ctl);
    fill_outbox(ctl, o->messages);
    struct workers ws;
    double start = now_s();
    workers_start(&ws, ctl, &r, o->consumers, 1, 0);
    wait_handled(&r, o->messages, 120);
    double end = last_handled(&r, o->messages);
    workers_stop(&ws);
    check_once(&r, o->messages);
    char name[96];
    snprintf(name, sizeof name, "pipeline.%s", o->tag);
    print_result(name, (double)o->messages / (end - start), "msgs/s");
    run_dispose(&r);
}

static void mode_stages(const struct options *o, PGconn *ctl)
{
    struct run r;
    run_init(&r, o->messages);
    reset(ctl);
    fill_outbox(ctl, o->messages);

    PGconn *conn = connect_or_die(role_catalog);
    struct relay *relay;
    if (relay_open(&relay, conn, &catalog_relay) < 0)
        die_shop("opening the relay");
    size_t moved, total = 0;
    double start = now_s();
    do {
        if (relay_step(relay, RELAY_DEFAULT_BATCH, &moved) < 0)
            die_shop("relay_step");
        total += moved;
    } while (moved > 0);
    double relay_s = now_s() - start;
    relay_close(relay);
    PQfinish(conn);
    if ((long)total != o->messages)
        die("the relay did not move every message");

    conn = connect_or_die(role_ordering);
    struct consumer *consumer;
    if (consumer_open(&consumer, conn, &subscription, &r, NULL) < 0)
        die_shop("opening the consumer");
    double deadline = (start = now_s()) + 120;
    while (atomic_load(&r.handled) < o->messages) {
        if (consumer_poll(consumer, NULL) < 0)
            die_shop("consumer_poll");
        if (now_s() > deadline)
            die("the consumer did not handle every message within 120 s");
    }
    double consumer_s = now_s() - start;
    consumer_close(consumer);
    PQfinish(conn);
    check_once(&r, o->messages);
    print_result("stage.relay", (double)o->messages / relay_s, "msgs/s");
    print_result("stage.consumer", (double)o->messages / consumer_s, "msgs/s");
    run_dispose(&r);
}

static void mode_bulk(const struct options *o, PGconn *ctl)
{
    reset(ctl);
    fill_outbox(ctl, o->messages);
    double start = now_s();
    exec_or_die(ctl, "INSERT INTO bench.raw_bus (message_id, type, schema_version, source, stream,"
                     "                           payload, correlation_id, causation_id,"
                     "                           traceparent)"
                     " SELECT message_id, type, schema_version, 'catalog', stream, payload,"
                     "        correlation_id, causation_id, traceparent"
                     "   FROM catalog.outbox ORDER BY id");
    double bulk_s = now_s() - start;
    if (query_long(ctl, "SELECT count(*) FROM bench.raw_bus") != o->messages)
        die("the bulk copy did not copy every row");
    print_result("bulk.insert_select", (double)o->messages / bulk_s, "rows/s");

    struct run r;
    run_init(&r, 1000000);
    publish(&r, "bench.raw_outbox", 1e9, o->seconds); /* back to back */
    print_result("bulk.one_row_commits", (double)atomic_load(&r.published) / o->seconds, "rows/s");
    run_dispose(&r);
}

/* ------------------------------------------------------------------ main */

static _Noreturn void usage(void)
{
    fprintf(stderr, "usage: msg_bench latency|commit|pipeline|stages|bulk [--tag T]"
                    " [--listen 0|1] [--poll-ms P] [--rate R] [--seconds S] [--messages N]"
                    " [--consumers K] [--samples FILE]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        usage();
    struct options o = {.mode = argv[1],
                        .tag = "run",
                        .listen = 1,
                        .poll_ms = 1000,
                        .consumers = 1,
                        .rate = 20,
                        .seconds = 5,
                        .messages = 20000};
    static const struct option longs[] = {{"tag", required_argument, NULL, 't'},
                                          {"listen", required_argument, NULL, 'l'},
                                          {"poll-ms", required_argument, NULL, 'p'},
                                          {"rate", required_argument, NULL, 'r'},
                                          {"seconds", required_argument, NULL, 's'},
                                          {"messages", required_argument, NULL, 'n'},
                                          {"consumers", required_argument, NULL, 'c'},
                                          {"samples", required_argument, NULL, 'f'},
                                          {NULL, 0, NULL, 0}};
    int ch;
    optind = 2;
    while ((ch = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        switch (ch) {
        case 't': o.tag = optarg; break;
        case 'l': o.listen = atoi(optarg) != 0; break;
        case 'p': o.poll_ms = atoi(optarg); break;
        case 'r': o.rate = atof(optarg); break;
        case 's': o.seconds = atof(optarg); break;
        case 'n': o.messages = atol(optarg); break;
        case 'c': o.consumers = atoi(optarg); break;
        case 'f': o.samples = optarg; break;
        default: usage();
        }
    }
    if (o.rate <= 0 || o.seconds <= 0 || o.messages < 1 || o.poll_ms < 1 || o.consumers < 1 ||
        o.consumers > MAX_WORKERS - 1)
        usage();
    PGconn *ctl = connect_or_die(NULL);
    if (strcmp(o.mode, "latency") == 0)
        mode_latency(&o, ctl);
    else if (strcmp(o.mode, "commit") == 0)
        mode_commit(&o, ctl);
    else if (strcmp(o.mode, "pipeline") == 0)
        mode_pipeline(&o, ctl);
    else if (strcmp(o.mode, "stages") == 0)
        mode_stages(&o, ctl);
    else if (strcmp(o.mode, "bulk") == 0)
        mode_bulk(&o, ctl);
    else
        usage();
    PQfinish(ctl);
    return 0;
}
