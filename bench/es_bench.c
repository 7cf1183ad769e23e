/*
 * bench/es_bench.c — the event store's benchmark driver; bench/event-store runs it.
 *
 * Not a test: it measures.  Every mode drives the event-store port
 * (application/eventstore/event_store.h) through its PostgreSQL adapter
 * (infrastructure/postgres/event_store_pg.c) the way the application does, on the database
 * that libpq's environment names (PGHOST, PGDATABASE, ...), and prints each figure as one
 * line that bench/event-store puts in its table next to the baselines it measured itself:
 *
 *     result NAME VALUE UNIT
 *
 * The modes (stream ids start with "bench-TAG-", so runs on one database never collide):
 *
 *   append   --tag T --clients N --batch B --seconds S --data JSON
 *            N threads, each with its own connection and store.  Each appends B events per
 *            es_append, with the exact expected version, to streams of its own, and starts
 *            a new stream every STREAM_EVENTS events.                      -> events/s
 *   load     --tag T --sizes 10,1000,10000 --seconds S --data JSON
 *            writes two streams of each size: one without a snapshot, and one with a
 *            snapshot SNAPSHOT_TAIL events before its end (half of N for a short stream),
 *            where snapshotting every 100 events leaves a reader on average.  Then es_load
 *            of each, in alternating rounds, S seconds per size.           -> ms per load
 *   read     --tag T --events 1000 --seconds S --data JSON
 *            es_read_stream of a whole stream against a plain prepared SELECT of the same
 *            rows by libpq, on the same connection, in alternating rounds.  -> ms per read
 *   read-all --batch 1000 --seconds S
 *            es_read_all from checkpoint {0,0} to the end of the global log, in batches,
 *            for S seconds (a new pass from {0,0} at the end).             -> events/s
 *            The first whole pass must read every event of the table once (nothing else
 *            writes meanwhile): how many it read is reported too.
 *
 * Each mode checks what it read (counts, snapshot versions), so a broken adapter fails
 * the benchmark instead of looking fast.  Exit status 0, or 1 with one line on stderr.
 * Read next: bench/event-store (the baselines and the ratios), docs/performance.md.
 */
#include "application/eventstore/event_store.h"
#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "domain/shared/uuid.h"
#include "infrastructure/postgres/connection.h"
#include "infrastructure/postgres/event_store_pg.h"
#include "infrastructure/system/malloc_policy.h"

#include <getopt.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CONTEXT       "ordering" /* whose events table the benchmark writes */
#define EVENT_TYPE    "BenchEventRecorded"
#define STREAM_EVENTS 100 /* a new stream every 100 events: order streams are short */
#define SNAPSHOT_TAIL 50  /* events after the snapshot: half of snapshot-every-100 */
#define WRITE_BATCH   100 /* events per append when a mode prepares its streams */
#define MAX_CLIENTS   64
#define MAX_SIZES     8

/* An order's state, about the size the Ordering codec writes. */
static char snapshot_data[] =
    "{\"order_id\":\"0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90\",\"customer\":\"c-1001\","
    "\"status\":\"placed\",\"ship_to\":\"1 Rue de la Paix, 75002 Paris\","
    "\"lines\":[{\"sku\":\"TEA-GREEN-250\",\"quantity\":2,\"unit_price\":\"7.50 EUR\"},"
    "{\"sku\":\"MUG-BLUE\",\"quantity\":1,\"unit_price\":\"12.00 EUR\"}],"
    "\"total\":\"27.00 EUR\"}";

struct options {
    const char *mode;
    const char *tag;
    const char *data; /* every event's data: the same JSON as the pgbench baseline's */
    int clients;
    int batch;
    int events;
    double seconds;
    int sizes[MAX_SIZES];
    size_t size_count;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void print_result(const char *name, double value, const char *unit)
{
    printf("result %s %.3f %s\n", name, value, unit);
    fflush(stdout);
}

/* A connection from libpq's environment and a store on it; both or neither. */
static int store_open(PGconn **out_conn, struct event_store **out_store)
{
    PGconn *conn = NULL;
    int rc = pg_connect(&conn, pg_conninfo_choose(NULL), "es_bench", false);
    if (rc < 0)
        return rc;
    rc = event_store_pg_new(out_store, conn, CONTEXT);
    if (rc < 0) {
        PQfinish(conn);
        return rc;
    }
    *out_conn = conn;
    return 0;
}

static void store_close(PGconn *conn, struct event_store *store)
{
    es_free(store);
    PQfinish(conn);
}

/* Fills n events of one stream, each with a message id of its own, as a handler would. */
static int events_fill(struct es_new_event *events, size_t n, const char *data,
                       shop_uuid correlation_id)
{
    for (size_t i = 0; i < n; i++) {
        memset(&events[i], 0, sizeof events[i]);
        events[i].type = EVENT_TYPE;
        events[i].schema_version = 1;
        events[i].data = data;
        events[i].meta.correlation_id = correlation_id;
        int rc = uuid_new_v7(&events[i].meta.message_id);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/*
 * Writes a stream of n events in appends of WRITE_BATCH, the append that ends at version
 * snapshot_at (0: none) carrying a snapshot there.
 */
static int stream_write(struct event_store *store, const char *stream_id, int64_t n,
                        int64_t snapshot_at, const char *data)
{
    struct es_new_event events[WRITE_BATCH];
    shop_uuid correlation_id;
    int64_t version = 0;
    int rc = uuid_new_v7(&correlation_id);
    while (rc == 0 && version < n) {
        int64_t end = version + WRITE_BATCH < n ? version + WRITE_BATCH : n;
        if (snapshot_at > version && snapshot_at < end)
            end = snapshot_at;
        struct es_snapshot snapshot = {
            .stream_version = end, .schema_version = 1, .data = snapshot_data};
        rc = events_fill(events, (size_t)(end - version), data, correlation_id);
        if (rc == 0)
            rc = es_append(store, &version, stream_id, version, events, (size_t)(end - version),
                           end == snapshot_at ? &snapshot : NULL);
    }
    return rc;
}

/* ------------------------------------------------------------------ append */

struct appender {
    pthread_t thread;
    const struct options *opt;
    pthread_barrier_t *start;
    int client;
    long long events; /* appended */
    int rc;
    char error[SHOP_ERROR_MESSAGE_MAX];
};

static void *appender_run(void *arg)
{
    struct appender *a = arg;
    const struct options *opt = a->opt;
    struct es_new_event *events = shop_xcalloc((size_t)opt->batch, sizeof *events);
    PGconn *conn = NULL;
    struct event_store *store = NULL;
    char stream_id[ES_STREAM_ID_MAX + 1] = "";
    shop_uuid correlation_id = {0};
    long long streams = 0;
    int64_t version = 0;

    a->rc = store_open(&conn, &store);
    pthread_barrier_wait(a->start); /* every client connected: the clock starts */
    if (a->rc < 0)
        goto done;

    double deadline = now_s() + opt->seconds;
    while (now_s() < deadline) {
        if (streams == 0 || version + opt->batch > STREAM_EVENTS) {
            snprintf(stream_id, sizeof stream_id, "bench-%s-c%d-s%lld", opt->tag, a->client,
                     streams++);
            version = 0;
            if ((a->rc = uuid_new_v7(&correlation_id)) < 0)
                goto done;
        }
        if ((a->rc = events_fill(events, (size_t)opt->batch, opt->data, correlation_id)) < 0)
            goto done;
        a->rc = es_append(store, &version, stream_id, version, events, (size_t)opt->batch, NULL);
        if (a->rc < 0)
            goto done;
        a->events += opt->batch;
    }
done:
    if (a->rc < 0)
        snprintf(a->error, sizeof a->error, "client %d: %s", a->client, shop_error_message());
    store_close(conn, store);
    free(events);
    return NULL;
}

static int run_append(const struct options *opt)
{
    struct appender clients[MAX_CLIENTS] = {0};
    pthread_barrier_t start;
    long long total = 0;
    int rc = 0;

    pthread_barrier_init(&start, NULL, (unsigned)opt->clients + 1);
    for (int i = 0; i < opt->clients; i++) {
        clients[i].opt = opt;
        clients[i].start = &start;
        clients[i].client = i;
        if (pthread_create(&clients[i].thread, NULL, appender_run, &clients[i]) != 0) {
            fprintf(stderr, "es_bench: cannot start thread %d\n", i);
            exit(1); /* the barrier waits for it: nothing sensible to clean up */
        }
    }
    pthread_barrier_wait(&start);
    double t0 = now_s();
    for (int i = 0; i < opt->clients; i++)
        pthread_join(clients[i].thread, NULL);
    double elapsed = now_s() - t0;
    pthread_barrier_destroy(&start);

    for (int i = 0; i < opt->clients; i++) {
        total += clients[i].events;
        if (clients[i].rc < 0 && rc == 0)
            rc = shop_error_set(clients[i].rc, "%s", clients[i].error);
    }
    if (rc == 0) {
        char name[64];
        snprintf(name, sizeof name, "append.batch%d.clients%d", opt->batch, opt->clients);
        print_result(name, (double)total / elapsed, "events/s");
    }
    return rc;
}

/* ------------------------------------------------------- alternating rounds */

/*
 * One way of doing a piece of work (a load of one stream, a read by one means), timed in
 * alternating rounds against the others, so that all of them see the same moments of a
 * noisy machine.  do_once does the work once and checks what it got.
 */
struct timed_way {
    int (*do_once)(const struct timed_way *way);
    struct event_store *store;
    PGconn *conn;
    const char *stream_id;
    int64_t expect_snapshot; /* load: the snapshot's version (0: none) */
    int64_t expect_events;   /* the events it must find */
    double spent;            /* seconds, over every round */
    long long count;         /* times done */
};

/* Each way once untimed (caches), then `rounds` rounds of about seconds / rounds / n
 * each way, at least once per round. */
static int time_alternating(struct timed_way *ways, size_t n, double seconds, int rounds)
{
    double slice = seconds / ((double)rounds * (double)n);
    int rc = 0;
    for (size_t w = 0; rc == 0 && w < n; w++)
        rc = ways[w].do_once(&ways[w]);
    for (int round = 0; rc == 0 && round < rounds; round++) {
        for (size_t w = 0; rc == 0 && w < n; w++) {
            double t0 = now_s(), elapsed = 0;
            long long count = 0;
            while (rc == 0 && (count == 0 || elapsed < slice)) {
                rc = ways[w].do_once(&ways[w]);
                count++;
                elapsed = now_s() - t0;
            }
            ways[w].spent += elapsed;
            ways[w].count += count;
        }
    }
    return rc;
}

static double mean_ms(const struct timed_way *way)
{
    return way->spent * 1000.0 / (double)way->count;
}

/* -------------------------------------------------------------------- load */

#define LOAD_ROUNDS 5

/* Events after the snapshot in a stream of n: SNAPSHOT_TAIL, or half of a short stream. */
static int64_t snapshot_tail(int64_t n)
{
    return n >= 2 * SNAPSHOT_TAIL ? SNAPSHOT_TAIL : n / 2;
}

static int load_once(const struct timed_way *way)
{
    struct es_snapshot snapshot = {0};
    struct es_event_list events = {0};
    int rc = es_load(way->store, &snapshot, &events, way->stream_id, 1);
    if (rc == 0 && (snapshot.stream_version != way->expect_snapshot ||
                    (int64_t)events.count != way->expect_events))
        rc = shop_error_set(SHOP_EINTERNAL,
                            "es_load(%s): snapshot at %lld and %zu events, expected %lld and %lld",
                            way->stream_id, (long long)snapshot.stream_version, events.count,
                            (long long)way->expect_snapshot, (long long)way->expect_events);
    es_snapshot_dispose(&snapshot);
    es_event_list_dispose(&events);
    return rc;
}

static int run_load(const struct options *opt)
{
    PGconn *conn = NULL;
    struct event_store *store = NULL;
    char ids[2 * MAX_SIZES][ES_STREAM_ID_MAX + 1];
    struct timed_way ways[2 * MAX_SIZES]; /* per size: [2i] no snapshot, [2i+1] snapshot */
    size_t n = 2 * opt->size_count;
    int rc = store_open(&conn, &store);

    for (size_t i = 0; rc == 0 && i < opt->size_count; i++) {
        int64_t events = opt->sizes[i], tail = snapshot_tail(events);
        snprintf(ids[2 * i], sizeof ids[0], "bench-%s-load%lld", opt->tag, (long long)events);
        snprintf(ids[2 * i + 1], sizeof ids[0], "bench-%s-load%lld-snap", opt->tag,
                 (long long)events);
        ways[2 * i] = (struct timed_way){
            .do_once = load_once, .store = store, .stream_id = ids[2 * i], .expect_events = events};
        ways[2 * i + 1] = (struct timed_way){.do_once = load_once,
                                             .store = store,
                                             .stream_id = ids[2 * i + 1],
                                             .expect_snapshot = events - tail,
                                             .expect_events = tail};
        rc = stream_write(store, ids[2 * i], events, 0, opt->data);
        if (rc == 0)
            rc = stream_write(store, ids[2 * i + 1], events, events - tail, opt->data);
    }
    if (rc == 0)
        rc = time_alternating(ways, n, opt->seconds * (double)opt->size_count, LOAD_ROUNDS);
    for (size_t i = 0; rc == 0 && i < opt->size_count; i++) {
        char name[64];
        snprintf(name, sizeof name, "load.events%d.no_snapshot", opt->sizes[i]);
        print_result(name, mean_ms(&ways[2 * i]), "ms/load");
        snprintf(name, sizeof name, "load.events%d.snapshot", opt->sizes[i]);
        print_result(name, mean_ms(&ways[2 * i + 1]), "ms/load");
    }
    store_close(conn, store);
    return rc;
}

/* -------------------------------------------------------------------- read */

#define READ_ROUNDS 10

static const char PLAIN_READ_SQL[] =
    "SELECT global_position, stream_id, stream_version, type, schema_version, data, message_id, "
    "correlation_id, causation_id, traceparent, recorded_at, transaction_id FROM " CONTEXT
    ".events WHERE stream_id = $1 "
    "ORDER BY stream_version";

static int check_found(const char *who, const struct timed_way *way, int64_t found)
{
    if (found == way->expect_events)
        return 0;
    return shop_error_set(SHOP_EINTERNAL, "%s read %lld events of %s, expected %lld", who,
                          (long long)found, way->stream_id, (long long)way->expect_events);
}

static int read_with_port(const struct timed_way *way)
{
    struct es_event_list events = {0};
    int rc = es_read_stream(way->store, &events, way->stream_id, ES_WHOLE_STREAM);
    if (rc == 0)
        rc = check_found("es_read_stream", way, (int64_t)events.count);
    es_event_list_dispose(&events);
    return rc;
}

/* The same rows by a prepared SELECT on the same connection, fetched and left as text. */
static int read_with_select(const struct timed_way *way)
{
    PGresult *res =
        PQexecPrepared(way->conn, "es_bench_plain_read", 1, &way->stream_id, NULL, NULL, 0);
    int rc = 0;
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        rc = shop_error_set(SHOP_EINTERNAL, "plain SELECT: %s", PQresultErrorMessage(res));
    else
        rc = check_found("plain SELECT", way, PQntuples(res));
    PQclear(res);
    return rc;
}

static int run_read(const struct options *opt)
{
    PGconn *conn = NULL;
    struct event_store *store = NULL;
    char stream_id[ES_STREAM_ID_MAX + 1];
    int rc = store_open(&conn, &store);
    if (rc < 0)
        return rc;

    snprintf(stream_id, sizeof stream_id, "bench-%s-read%d", opt->tag, opt->events);
    struct timed_way ways[2] = {
        {.do_once = read_with_port,
         .store = store,
         .stream_id = stream_id,
         .expect_events = opt->events},
        {.do_once = read_with_select,
         .conn = conn,
         .stream_id = stream_id,
         .expect_events = opt->events},
    };
    rc = stream_write(store, stream_id, opt->events, 0, opt->data);
    if (rc == 0) {
        PGresult *res = PQprepare(conn, "es_bench_plain_read", PLAIN_READ_SQL, 1, NULL);
        if (PQresultStatus(res) != PGRES_COMMAND_OK)
            rc = shop_error_set(SHOP_EINTERNAL, "preparing the plain SELECT: %s",
                                PQresultErrorMessage(res));
        PQclear(res);
    }
    if (rc == 0)
        rc = time_alternating(ways, 2, opt->seconds, READ_ROUNDS);
    if (rc == 0) {
        char name[64];
        snprintf(name, sizeof name, "read.events%d.es_read_stream", opt->events);
        print_result(name, mean_ms(&ways[0]), "ms/read");
        snprintf(name, sizeof name, "read.events%d.plain_select", opt->events);
        print_result(name, mean_ms(&ways[1]), "ms/read");
    }
    store_close(conn, store);
    return rc;
}

/* ---------------------------------------------------------------- read-all */

/* The number of events in the context's table: what one pass of the global log must read
 * while nothing else writes, as during the benchmark. */
static int count_events(long long *out, PGconn *conn)
{
    PGresult *res = PQexec(conn, "SELECT count(*) FROM " CONTEXT ".events");
    int rc = 0;
    if (PQresultStatus(res) == PGRES_TUPLES_OK)
        *out = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    else
        rc = shop_error_set(SHOP_EINTERNAL, "counting the events: %s", PQresultErrorMessage(res));
    PQclear(res);
    return rc;
}

static int run_read_all(const struct options *opt)
{
    PGconn *conn = NULL;
    struct event_store *store = NULL;
    struct es_checkpoint at = {0, 0};
    long long in_table = 0, total = 0, pass = 0, passes = 0;
    int rc = store_open(&conn, &store);
    if (rc == 0)
        rc = count_events(&in_table, conn);
    if (rc == 0 && in_table == 0)
        rc = shop_error_set(SHOP_EINVALID, "the global log is empty: nothing to read");
    if (rc < 0)
        goto done;

    /* Batches until the time is up; at the end of the log, a new pass from the start. */
    double t0 = now_s(), elapsed = 0;
    while (rc == 0 && (total == 0 || elapsed < opt->seconds)) {
        struct es_event_list events = {0};
        rc = es_read_all(store, &events, at, (size_t)opt->batch);
        size_t count = events.count;
        if (rc == 0 && count > 0) {
            at.transaction_id = events.items[count - 1].transaction_id;
            at.global_position = events.items[count - 1].global_position;
        }
        es_event_list_dispose(&events);
        pass += (long long)count;
        total += (long long)count;
        if (rc == 0 && count == 0) {
            /* A pass that missed events is reported, not fatal: the table shows it. */
            if (passes == 0)
                print_result("read_all.first_pass", (double)pass, "events");
            at = (struct es_checkpoint){0, 0};
            pass = 0;
            passes++;
        }
        elapsed = now_s() - t0;
    }
    if (rc == 0) {
        print_result("read_all.log_size", (double)in_table, "events");
        print_result("read_all", (double)total / elapsed, "events/s");
    }
done:
    store_close(conn, store);
    return rc;
}

/* -------------------------------------------------------------------- main */

static void usage(FILE *to)
{
    fprintf(to, "Usage: es_bench MODE [OPTIONS]   (run by bench/event-store; see its --help)\n"
                "\n"
                "  append   --tag T --clients N --batch B --seconds S --data JSON\n"
                "  load     --tag T --sizes N[,N...] --seconds S --data JSON\n"
                "  read     --tag T --events N --seconds S --data JSON\n"
                "  read-all --batch B --seconds S\n"
                "\n"
                "Connects through libpq's environment (PGHOST, PGDATABASE, ...) to a database\n"
                "that `shop db migrate` prepared.  Prints `result NAME VALUE UNIT` lines.\n");
}

static int parse_int(int *out, const char *text, const char *option, int max)
{
    char *end;
    long v = strtol(text, &end, 10);
    if (end == text || *end || v < 1 || v > max)
        return shop_error_set(SHOP_EINVALID, "--%s must be a number from 1 to %d, got '%s'", option,
                              max, text);
    *out = (int)v;
    return 0;
}

static int parse_options(struct options *out, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"tag", required_argument, NULL, 't'},
        {"clients", required_argument, NULL, 'c'},
        {"batch", required_argument, NULL, 'b'},
        {"events", required_argument, NULL, 'e'},
        {"seconds", required_argument, NULL, 's'},
        {"sizes", required_argument, NULL, 'z'},
        {"data", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    *out = (struct options){.tag = "x",
                            .clients = 1,
                            .batch = 1,
                            .events = 1000,
                            .seconds = 1.0,
                            .sizes = {10, 1000, 10000},
                            .size_count = 3};
    int c, rc = 0;
    char *end;
    while (rc == 0 && (c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 't': out->tag = optarg; break;
        case 'c': rc = parse_int(&out->clients, optarg, "clients", MAX_CLIENTS); break;
        case 'b': rc = parse_int(&out->batch, optarg, "batch", 100000); break;
        case 'e': rc = parse_int(&out->events, optarg, "events", 10000000); break;
        case 'd': out->data = optarg; break;
        case 's':
            out->seconds = strtod(optarg, &end);
            if (end == optarg || *end || !(out->seconds > 0 && out->seconds <= 3600))
                rc = shop_error_set(SHOP_EINVALID, "--seconds must be above 0, got '%s'", optarg);
            break;
        case 'z':
            out->size_count = 0;
            for (char *s = strtok(optarg, ","); rc == 0 && s; s = strtok(NULL, ",")) {
                if (out->size_count == MAX_SIZES)
                    rc = shop_error_set(SHOP_EINVALID, "--sizes: at most %d sizes", MAX_SIZES);
                else
                    rc = parse_int(&out->sizes[out->size_count++], s, "sizes", 10000000);
            }
            break;
        case 'h': usage(stdout); exit(0);
        default: return shop_error_set(SHOP_EINVALID, "unknown option (see --help)");
        }
    }
    if (rc == 0 && optind != argc - 1)
        rc = shop_error_set(SHOP_EINVALID, "expected one mode: append, load, read or read-all");
    if (rc == 0)
        out->mode = argv[optind];
    if (rc == 0 && strcmp(out->mode, "read-all") != 0 && (!out->data || out->data[0] != '{'))
        rc = shop_error_set(SHOP_EINVALID, "--data must be the events' JSON object");
    if (rc == 0 && out->size_count == 0)
        rc = shop_error_set(SHOP_EINVALID, "--sizes needs at least one size");
    return rc;
}

int main(int argc, char **argv)
{
    struct options opt;
    malloc_policy_apply(); /* as shop does: the adapter is measured as it runs there */
    int rc = parse_options(&opt, argc, argv);
    if (rc == 0) {
        if (strcmp(opt.mode, "append") == 0)
            rc = run_append(&opt);
        else if (strcmp(opt.mode, "load") == 0)
            rc = run_load(&opt);
        else if (strcmp(opt.mode, "read") == 0)
            rc = run_read(&opt);
        else if (strcmp(opt.mode, "read-all") == 0)
            rc = run_read_all(&opt);
        else
            rc = shop_error_set(SHOP_EINVALID, "unknown mode '%s' (see --help)", opt.mode);
    }
    if (rc < 0) {
        fprintf(stderr, "es_bench: %s\n", shop_error_message());
        return 1;
    }
    return 0;
}
