/*
 * tests/integration/event_store_concurrency_test.c — writers racing on one stream, on a
 * real PostgreSQL (each writer a thread with its own connection and adapter).
 *
 * What the unique (stream_id, stream_version) key promises under concurrency: of two
 * writers that both saw version n, exactly one appends n + 1 and the other gets
 * SHOP_ECONFLICT — with or without a snapshot (pipeline mode) — and the stream never has a
 * gap or a duplicate; writers that append "at any version" all succeed, one after the
 * other, because the adapter retries when another writer took the version in between —
 * except inside the caller's transaction, which the failed statement aborted: there the
 * caller is told to retry (both cases are staged step by step, not left to chance).
 * The in-memory adapter is single-threaded: these are PostgreSQL's alone.
 * Read next: infrastructure/postgres/event_store_pg.c
 */
#include "domain/shared/error.h"
#include "infrastructure/postgres/event_store_pg.h"
#include "tests/support/test_db.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char db_name[TEST_DB_NAME_MAX];
static PGconn *db;

static void setup(void)
{
    db = test_db_create(db_name);
    test_db_migrate(db);
}

static void teardown(void)
{
    test_db_drop(db, db_name);
}

TestSuite(writers_racing_on_one_stream, .init = setup, .fini = teardown, .timeout = 120);

#define ROUNDS      30
#define ANY_WRITERS 4
#define ANY_APPENDS 25

struct writer {
    int index;
    pthread_barrier_t *barrier;
    bool won[ROUNDS + 1]; /* exact writers: which rounds this one won */
    int unexpected;       /* results other than success or conflict */
    char message[SHOP_ERROR_MESSAGE_MAX];
};

static void note_unexpected(struct writer *w, int rc)
{
    if (w->unexpected++ == 0)
        snprintf(w->message, sizeof w->message, "%s: %s", shop_error_name(rc),
                 shop_error_message());
}

/* Round r: both writers expect version r - 1 and append version r (odd rounds with a
 * snapshot of version r); the barrier starts them together. */
static void *exact_writer(void *arg)
{
    struct writer *w = arg;
    PGconn *conn = test_db_connect(db_name, NULL);
    struct event_store *store;
    if (event_store_pg_new(&store, conn, "ordering") < 0) {
        note_unexpected(w, shop_error_code());
        pthread_barrier_wait(w->barrier); /* keep the other writer's rounds in step */
        for (int r = 1; r <= ROUNDS; r++)
            pthread_barrier_wait(w->barrier);
        PQfinish(conn);
        return NULL;
    }
    pthread_barrier_wait(w->barrier);
    for (int r = 1; r <= ROUNDS; r++) {
        char data[64];
        snprintf(data, sizeof data, "{\"writer\": %d, \"round\": %d}", w->index, r);
        struct es_new_event e = {.type = "Raced", .schema_version = 1, .data = data};
        struct es_snapshot snap = {.stream_version = r, .schema_version = 1, .data = data};
        pthread_barrier_wait(w->barrier);
        int rc = es_append(store, NULL, "order-raced", r - 1, &e, 1, r % 2 ? &snap : NULL);
        if (rc == 0)
            w->won[r] = true;
        else if (rc != SHOP_ECONFLICT)
            note_unexpected(w, rc);
    }
    es_free(store);
    PQfinish(conn);
    return NULL;
}

/* The "writer" number in an event's or snapshot's JSON. */
static int writer_of(const char *json)
{
    cJSON *doc = cJSON_Parse(json);
    cJSON *w = cJSON_GetObjectItemCaseSensitive(doc, "writer");
    int n = cJSON_IsNumber(w) ? w->valueint : -1;
    cJSON_Delete(doc);
    return n;
}

Test(writers_racing_on_one_stream, with_the_same_expected_version_one_wins_and_one_conflicts)
{
    pthread_barrier_t barrier;
    pthread_barrier_init(&barrier, NULL, 2);
    struct writer w[2] = {{.index = 0, .barrier = &barrier}, {.index = 1, .barrier = &barrier}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, exact_writer, &w[i]);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&barrier);
    cr_assert_eq(w[0].unexpected + w[1].unexpected, 0, "%s%s", w[0].message, w[1].message);

    struct event_store *store;
    cr_assert_eq(event_store_pg_new(&store, db, "ordering"), 0, "%s", shop_error_message());
    struct es_event_list l;
    cr_assert_eq(es_read_stream(store, &l, "order-raced", ES_WHOLE_STREAM), 0);
    cr_assert_eq(l.count, ROUNDS, "one event per round");
    int wins[2] = {0, 0};
    for (int r = 1; r <= ROUNDS; r++) {
        cr_expect_eq(w[0].won[r] + w[1].won[r], 1, "round %d: exactly one writer wins", r);
        const struct es_event *e = &l.items[r - 1];
        cr_expect_eq(e->stream_version, r, "no gap, no duplicate");
        cr_expect_eq(writer_of(e->data), w[0].won[r] ? 0 : 1, "round %d: the winner's event", r);
        wins[w[0].won[r] ? 0 : 1]++;
    }
    es_event_list_dispose(&l);

    /* The newest snapshot (round 29) is the one its round's winner wrote. */
    struct es_snapshot s;
    cr_assert_eq(es_load(store, &s, &l, "order-raced", 1), 0, "%s", shop_error_message());
    cr_expect_eq(s.stream_version, ROUNDS - 1);
    cr_expect_eq(writer_of(s.data), w[0].won[ROUNDS - 1] ? 0 : 1, "the loser's snapshot is gone");
    cr_expect_eq(l.count, 1);
    es_snapshot_dispose(&s);
    es_event_list_dispose(&l);
    es_free(store);
    cr_log_info("wins: writer 0 %d, writer 1 %d", wins[0], wins[1]);
}

static void *any_writer(void *arg)
{
    struct writer *w = arg;
    PGconn *conn = test_db_connect(db_name, NULL);
    struct event_store *store;
    int rc = event_store_pg_new(&store, conn, "ordering");
    pthread_barrier_wait(w->barrier);
    if (rc < 0) {
        note_unexpected(w, rc);
        PQfinish(conn);
        return NULL;
    }
    for (int i = 0; i < ANY_APPENDS; i++) {
        char data[64];
        snprintf(data, sizeof data, "{\"writer\": %d, \"append\": %d}", w->index, i);
        struct es_new_event two[2] = {{.type = "First", .schema_version = 1, .data = data},
                                      {.type = "Second", .schema_version = 1, .data = data}};
        rc = es_append(store, NULL, "order-busy", ES_EXPECT_ANY, two, 2, NULL);
        if (rc < 0)
            note_unexpected(w, rc);
    }
    es_free(store);
    PQfinish(conn);
    return NULL;
}

Test(writers_racing_on_one_stream, at_any_version_all_append_without_gaps)
{
    pthread_barrier_t barrier;
    pthread_barrier_init(&barrier, NULL, ANY_WRITERS);
    struct writer w[ANY_WRITERS];
    pthread_t t[ANY_WRITERS];
    for (int i = 0; i < ANY_WRITERS; i++) {
        w[i] = (struct writer){.index = i, .barrier = &barrier};
        pthread_create(&t[i], NULL, any_writer, &w[i]);
    }
    for (int i = 0; i < ANY_WRITERS; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&barrier);
    for (int i = 0; i < ANY_WRITERS; i++)
        cr_expect_eq(w[i].unexpected, 0, "writer %d: %s", i, w[i].message);

    struct event_store *store;
    cr_assert_eq(event_store_pg_new(&store, db, "ordering"), 0, "%s", shop_error_message());
    struct es_event_list l;
    cr_assert_eq(es_read_stream(store, &l, "order-busy", ES_WHOLE_STREAM), 0);
    cr_assert_eq(l.count, 2 * ANY_WRITERS * ANY_APPENDS, "every append was written");
    for (size_t i = 0; i < l.count; i++)
        cr_expect_eq(l.items[i].stream_version, (int64_t)i + 1, "versions 1..N without gaps");
    for (size_t i = 0; i + 1 < l.count; i += 2) {
        cr_expect_str_eq(l.items[i].type, "First");
        cr_expect_str_eq(l.items[i + 1].type, "Second", "an append's events stay together");
        cr_expect_str_eq(l.items[i].data, l.items[i + 1].data);
        cr_expect_eq(l.items[i].transaction_id, l.items[i + 1].transaction_id);
    }
    es_event_list_dispose(&l);
    es_free(store);
}

/*
 * A deterministic race for "any": a holder inserts version 1 and keeps its transaction
 * open; the racer's "any" append computes version 1 as well and waits on the unique key;
 * the holder commits; the racer's insert fails with 23505.
 */
struct racer {
    PGconn *conn;
    bool in_transaction; /* BEGIN first: the append joins the racer's own transaction */
    int rc;
    int64_t version;
    PGTransactionStatusType status_after;
    char message[SHOP_ERROR_MESSAGE_MAX];
};

static void *race_at_any_version(void *arg)
{
    struct racer *r = arg;
    struct event_store *store;
    r->rc = event_store_pg_new(&store, r->conn, "ordering");
    if (r->rc == 0) {
        if (r->in_transaction)
            PQclear(PQexec(r->conn, "BEGIN"));
        struct es_new_event e = {.type = "Raced", .schema_version = 1, .data = "{}"};
        r->rc = es_append(store, &r->version, "order-1", ES_EXPECT_ANY, &e, 1, NULL);
        r->status_after = PQtransactionStatus(r->conn);
        if (r->in_transaction)
            PQclear(PQexec(r->conn, "ROLLBACK"));
        es_free(store);
    }
    snprintf(r->message, sizeof r->message, "%s", shop_error_message());
    return NULL;
}

static void sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

static void race(struct racer *racer)
{
    PGconn *holder = test_db_connect(db_name, NULL);
    struct event_store *store;
    cr_assert_eq(event_store_pg_new(&store, holder, "ordering"), 0, "%s", shop_error_message());
    test_db_exec(holder, "BEGIN");
    struct es_new_event e = {.type = "Held", .schema_version = 1, .data = "{}"};
    cr_assert_eq(es_append(store, NULL, "order-1", ES_EXPECT_ANY, &e, 1, NULL), 0);

    racer->conn = test_db_connect(db_name, NULL);
    char pid[16];
    snprintf(pid, sizeof pid, "%d", PQbackendPID(racer->conn));
    pthread_t t;
    pthread_create(&t, NULL, race_at_any_version, racer);

    /* Commit only once the racer waits on the holder's row, so the race is certain. */
    bool waiting = false;
    for (int i = 0; i < 500 && !waiting; i++) {
        const char *values[1] = {pid};
        PGresult *res = PQexecParams(db,
                                     "SELECT 1 FROM pg_stat_activity"
                                     " WHERE pid = $1::int AND wait_event_type = 'Lock'",
                                     1, NULL, values, NULL, NULL, 0);
        waiting = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1;
        PQclear(res);
        if (!waiting)
            sleep_ms(20);
    }
    test_db_exec(holder, "COMMIT");
    pthread_join(t, NULL);
    es_free(store);
    PQfinish(holder);
    PQfinish(racer->conn);
    cr_assert(waiting, "the racer never waited for the holder's transaction");
}

Test(writers_racing_on_one_stream, at_any_version_the_writer_that_lost_the_race_tries_again)
{
    struct racer racer = {.in_transaction = false};
    race(&racer);
    cr_expect_eq(racer.rc, 0, "%s", racer.message);
    cr_expect_eq(racer.version, 2, "appended after the holder's event");
}

Test(writers_racing_on_one_stream, at_any_version_inside_a_callers_transaction_the_caller_retries)
{
    struct racer racer = {.in_transaction = true};
    race(&racer);
    cr_expect_eq(racer.rc, SHOP_ECONFLICT, "%s", racer.message);
    cr_expect(strstr(racer.message, "roll it back and retry"), "%s", racer.message);
    cr_expect_eq(racer.status_after, PQTRANS_INERROR, "the caller's transaction is the caller's");
}
