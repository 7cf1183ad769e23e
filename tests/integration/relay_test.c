/*
 * tests/integration/relay_test.c — a context's relay moves its outbox to the bus, on a real
 * PostgreSQL (infrastructure/messaging/relay.h).
 *
 * What the other contexts rely on: every change that committed reaches the bus once,
 * in the order the context recorded it; a change that rolled back never does; two relays
 * of one context at once still publish each message once and in order; an event-sourced
 * context publishes what its translation says and keeps the rest inside, and an event it
 * cannot translate yet holds the relay there (nothing after it overtakes it) until it can.
 * Read next: infrastructure/messaging/relay.c, tests/integration/consumer_test.c
 */
#include "domain/shared/error.h"
#include "infrastructure/messaging/relay.h"
#include "infrastructure/messaging/worker.h"
#include "infrastructure/postgres/event_store_pg.h"
#include "tests/support/test_db.h"

#include <criterion/criterion.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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

static const struct relay_source catalog_outbox = {.context = "catalog",
                                                   .kind = RELAY_OUTBOX_TABLE};

/* What Catalog's repository does in the transaction of a change. */
static void record_in_outbox(PGconn *conn, const char *stream, int seq)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO catalog.outbox (message_id, type, schema_version, stream, payload,"
             " correlation_id, traceparent)"
             " VALUES (gen_random_uuid(), 'catalog.PriceChanged', 1, '%s',"
             " '{\"seq\": %d}', '0190a6f4-0000-7000-8000-000000000001',"
             " '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')",
             stream, seq);
    test_db_exec(conn, sql);
}

static long query_long(PGconn *conn, const char *sql)
{
    PGresult *res = PQexec(conn, sql);
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s: %s", sql, PQerrorMessage(conn));
    long v = atol(PQgetvalue(res, 0, 0));
    PQclear(res);
    return v;
}

static struct relay *open_relay(PGconn *conn, const struct relay_source *src)
{
    struct relay *r;
    cr_assert_eq(relay_open(&r, conn, src), 0, "%s", shop_error_message());
    return r;
}

static size_t step(struct relay *r, size_t max)
{
    size_t moved = 99;
    cr_assert_eq(relay_step(r, max, &moved), 0, "%s", shop_error_message());
    return moved;
}

/* The seq of the bus's messages in bus order, as "1,2,3". */
static void bus_sequence(char *out, size_t size)
{
    PGresult *res = PQexec(db, "SELECT coalesce(string_agg(payload->>'seq', ',' ORDER BY"
                               " transaction_id, position), '') FROM messaging.bus");
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK);
    snprintf(out, size, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
}

TestSuite(a_catalog_change, .init = setup, .fini = teardown, .timeout = 60);

Test(a_catalog_change, reaches_the_bus_exactly_once_with_its_ids)
{
    record_in_outbox(db, "product-LAMP-1", 1);
    struct relay *r = open_relay(db, &catalog_outbox);
    cr_assert_eq(step(r, 0), 1);
    cr_assert_eq(step(r, 0), 0, "a second step publishes nothing again");
    relay_close(r);

    cr_assert_eq(query_long(db, "SELECT count(*) FROM messaging.bus"), 1);
    cr_assert_eq(query_long(db, "SELECT count(*) FROM catalog.outbox"), 0, "the outbox is emptied");
    cr_assert_eq(query_long(db, "SELECT count(*) FROM messaging.bus WHERE source = 'catalog'"
                                " AND type = 'catalog.PriceChanged' AND stream = 'product-LAMP-1'"
                                " AND payload = '{\"seq\": 1}' AND correlation_id ="
                                " '0190a6f4-0000-7000-8000-000000000001' AND traceparent LIKE"
                                " '00-0af7651916cd43dd8448eb211c80319c-%'"),
                 1, "the bus message carries the outbox row's type, stream, payload and ids");
}

Test(a_catalog_change, that_rolled_back_publishes_nothing)
{
    test_db_exec(db, "BEGIN");
    record_in_outbox(db, "product-LAMP-1", 1);
    test_db_exec(db, "ROLLBACK");
    struct relay *r = open_relay(db, &catalog_outbox);
    cr_assert_eq(step(r, 0), 0);
    relay_close(r);
    cr_assert_eq(query_long(db, "SELECT count(*) FROM messaging.bus"), 0);
}

Test(a_catalog_change, reaches_the_bus_in_the_order_catalog_recorded_it)
{
    for (int i = 1; i <= 7; i++)
        record_in_outbox(db, i % 2 ? "product-A" : "product-B", i);
    struct relay *r = open_relay(db, &catalog_outbox);
    size_t total = 0, moved;
    while ((moved = step(r, 3)) > 0) {
        cr_assert_leq(moved, 3, "a step moves at most its batch");
        total += moved;
    }
    relay_close(r);
    cr_assert_eq(total, 7);
    char seq[256];
    bus_sequence(seq, sizeof seq);
    cr_assert_str_eq(seq, "1,2,3,4,5,6,7");
}

Test(a_catalog_change, already_on_the_bus_is_stored_once)
{
    /* A relay that published, then lost its commit's answer, may run the row again. */
    test_db_exec(db, "INSERT INTO catalog.outbox (message_id, type, schema_version, stream,"
                     " payload) VALUES ('0190a6f4-0000-7000-8000-0000000000aa',"
                     " 'catalog.ProductAdded', 1, 'product-X', '{\"seq\": 1}')");
    test_db_exec(db, "INSERT INTO messaging.bus (message_id, type, schema_version, source, stream,"
                     " payload) VALUES ('0190a6f4-0000-7000-8000-0000000000aa',"
                     " 'catalog.ProductAdded', 1, 'catalog', 'product-X', '{\"seq\": 1}')");
    struct relay *r = open_relay(db, &catalog_outbox);
    cr_assert_eq(step(r, 0), 0, "nothing new was published");
    relay_close(r);
    cr_assert_eq(query_long(db, "SELECT count(*) FROM messaging.bus"), 1);
    cr_assert_eq(query_long(db, "SELECT count(*) FROM catalog.outbox"), 0);
}

Test(a_catalog_change, is_relayed_by_the_catalog_role_under_its_own_grants)
{
    record_in_outbox(db, "product-LAMP-1", 1);
    test_db_exec(db, "SET ROLE shop_catalog");
    struct relay *r = open_relay(db, &catalog_outbox);
    cr_assert_eq(step(r, 0), 1);
    relay_close(r);
    test_db_exec(db, "RESET ROLE");
    cr_assert_eq(query_long(db, "SELECT count(*) FROM messaging.relays WHERE context = 'catalog'"
                                " AND owner = 'shop_catalog'"),
                 1);
}

/* The relay's row was made by another role (a relay once run as the owner, or with a
 * login of its own): the catalog role cannot see it, so it could never take the lock.
 * Opening says so, rather than stepping forever as if another relay were at work. */
Test(a_catalog_change, is_refused_to_a_role_that_cannot_see_the_relays_row)
{
    record_in_outbox(db, "product-LAMP-1", 1);
    relay_close(open_relay(db, &catalog_outbox)); /* the row, owned by the test's user */
    test_db_exec(db, "SET ROLE shop_catalog");
    struct relay *r = NULL;
    int rc = relay_open(&r, db, &catalog_outbox);
    test_db_exec(db, "RESET ROLE");
    cr_assert_eq(rc, SHOP_EREFUSED, "got %d: %s", rc, shop_error_message());
    cr_assert_null(r);
    cr_assert(strstr(shop_error_message(), "not this role's"), "%s", shop_error_message());
    cr_assert_eq(query_long(db, "SELECT count(*) FROM catalog.outbox"), 1, "nothing was moved");
}

Test(a_catalog_change, waits_while_another_relay_of_the_context_holds_the_lock)
{
    struct relay *r = open_relay(db, &catalog_outbox);
    record_in_outbox(db, "product-LAMP-1", 1);
    PGconn *other = test_db_connect(db_name, NULL);
    test_db_exec(other, "BEGIN");
    test_db_exec(other, "SELECT 1 FROM messaging.relays WHERE context = 'catalog' FOR UPDATE");
    cr_assert_eq(step(r, 0), 0, "the lock is held: this relay leaves the work to the other");
    cr_assert_eq(query_long(db, "SELECT count(*) FROM catalog.outbox"), 1);
    test_db_exec(other, "ROLLBACK");
    cr_assert_eq(step(r, 0), 1);
    relay_close(r);
    PQfinish(other);
}

/* ---- two relays of one context at once, while Catalog keeps writing ---- */

#define RACE_MESSAGES 300

struct racer {
    size_t moved;
    int failures;
    char message[SHOP_ERROR_MESSAGE_MAX];
    volatile int *writer_done;
};

static void *racing_relay(void *arg)
{
    struct racer *w = arg;
    PGconn *conn = test_db_connect(db_name, NULL);
    struct relay *r;
    if (relay_open(&r, conn, &catalog_outbox) < 0) {
        w->failures++;
        snprintf(w->message, sizeof w->message, "%s", shop_error_message());
        PQfinish(conn);
        return NULL;
    }
    for (int idle = 0; idle < 3;) {
        int done = __atomic_load_n(w->writer_done, __ATOMIC_ACQUIRE);
        size_t moved;
        if (relay_step(r, 4, &moved) < 0) {
            if (w->failures++ == 0)
                snprintf(w->message, sizeof w->message, "%s", shop_error_message());
            break;
        }
        w->moved += moved;
        idle = done && moved == 0 ? idle + 1 : 0;
    }
    relay_close(r);
    PQfinish(conn);
    return NULL;
}

Test(a_catalog_change, is_published_once_and_in_order_by_two_relays_at_once)
{
    volatile int writer_done = 0;
    struct racer racers[2] = {{.writer_done = &writer_done}, {.writer_done = &writer_done}};
    pthread_t threads[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&threads[i], NULL, racing_relay, &racers[i]);
    PGconn *writer = test_db_connect(db_name, NULL);
    for (int i = 1; i <= RACE_MESSAGES; i++)
        record_in_outbox(writer, i % 3 ? "product-A" : "product-B", i);
    __atomic_store_n(&writer_done, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < 2; i++)
        pthread_join(threads[i], NULL);
    PQfinish(writer);
    /* A relay may stop while the other still had the lock: finish what is left. */
    struct relay *r = open_relay(db, &catalog_outbox);
    size_t rest = 0, moved;
    while ((moved = step(r, 0)) > 0)
        rest += moved;
    relay_close(r);

    for (int i = 0; i < 2; i++)
        cr_assert_eq(racers[i].failures, 0, "relay %d: %s", i, racers[i].message);
    cr_assert_eq(racers[0].moved + racers[1].moved + rest, RACE_MESSAGES);
    cr_assert_eq(query_long(db, "SELECT count(DISTINCT message_id) FROM messaging.bus"),
                 RACE_MESSAGES);
    cr_assert_eq(query_long(db, "SELECT count(*) FROM messaging.bus"), RACE_MESSAGES);
    /* In (transaction, position) order, the order the bus is read in, seq only grows. */
    cr_assert_eq(query_long(db, "SELECT count(*) FROM (SELECT (payload->>'seq')::int AS seq,"
                                " lag((payload->>'seq')::int) OVER (ORDER BY transaction_id,"
                                " position) AS before FROM messaging.bus) s WHERE seq < before"),
                 0, "a message overtook one recorded before it");
}

/* ---- an event-sourced context: the event store is the outbox ---- */

static int translate_failures_left; /* > 0: translating a "Flaky" event fails */

/* The published language of this test's context: "Placed" and "Flaky" are told to the
 * others as ordering.<Type>; "Noted" stays inside. */
static int translate(const struct es_event *event, struct outgoing_message *out, bool *publish)
{
    *publish = false;
    if (strcmp(event->type, "Noted") == 0)
        return 0;
    if (strcmp(event->type, "Flaky") == 0 && translate_failures_left > 0) {
        translate_failures_left--;
        return shop_error_set(SHOP_EINTERNAL, "cannot translate yet");
    }
    snprintf(out->type, sizeof out->type, "ordering.%s", event->type);
    out->schema_version = 1;
    snprintf(out->stream, sizeof out->stream, "%s", event->stream_id);
    out->payload = strdup(event->data);
    out->meta = event->meta;
    *publish = true;
    return 0;
}

/*
 * The global log shows an event only once every older transaction of the whole cluster
 * has finished (gap-free reading): other tests' transactions may hold it back a moment.
 * So the relay steps until the bus shows what is expected, within a deadline.
 */
static size_t step_until_bus_is(struct relay *r, const char *expected)
{
    size_t total = 0, moved;
    char seq[256];
    for (int i = 0; i < 1000; i++) {
        cr_assert_eq(relay_step(r, 0, &moved), 0, "%s", shop_error_message());
        total += moved;
        bus_sequence(seq, sizeof seq);
        if (strcmp(seq, expected) == 0)
            return total;
        struct timespec pause = {0, 10 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    cr_assert_fail("after 10 s the bus holds %s, not %s", seq, expected);
    return 0;
}

/* Steps until a step fails (the event that cannot be translated is in sight). */
static int step_until_failure(struct relay *r)
{
    size_t moved;
    for (int i = 0; i < 1000; i++) {
        int rc = relay_step(r, 0, &moved);
        if (rc < 0)
            return rc;
        struct timespec pause = {0, 10 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    cr_assert_fail("after 10 s the relay has not met the event it cannot translate");
    return 0;
}

static const struct relay_source ordering_events = {
    .context = "ordering", .kind = RELAY_EVENT_STORE, .translate = translate};

static void record_event(struct event_store *es, const char *stream, const char *type, int seq)
{
    char data[64];
    snprintf(data, sizeof data, "{\"seq\": %d}", seq);
    struct es_new_event e = {.type = type, .schema_version = 1, .data = data};
    cr_assert_eq(uuid_new_v7(&e.meta.message_id), 0);
    cr_assert_eq(uuid_new_v7(&e.meta.correlation_id), 0);
    cr_assert_eq(es_append(es, NULL, stream, ES_EXPECT_ANY, &e, 1, NULL), 0, "%s",
                 shop_error_message());
}

TestSuite(an_event_sourced_context, .init = setup, .fini = teardown, .timeout = 60);

Test(an_event_sourced_context, publishes_what_it_translates_and_keeps_the_rest_inside)
{
    struct event_store *es;
    cr_assert_eq(event_store_pg_new(&es, db, "ordering"), 0);
    record_event(es, "order-1", "Placed", 1);
    record_event(es, "order-1", "Noted", 2);
    record_event(es, "order-2", "Placed", 3);
    struct relay *r = open_relay(db, &ordering_events);
    cr_assert_eq(step_until_bus_is(r, "1,3"), 2);
    cr_assert_eq(step(r, 0), 0, "nothing is published twice");
    cr_assert_eq(query_long(db, "SELECT count(*) FROM messaging.bus b JOIN ordering.events e"
                                " USING (message_id) WHERE b.source = 'ordering' AND"
                                " b.correlation_id = e.correlation_id AND b.stream = e.stream_id"),
                 2, "the integration event keeps the domain event's ids");

    /* The checkpoint moves over events that stay inside, even when nothing is published. */
    record_event(es, "order-2", "Noted", 4);
    static const char at_seq_4[] =
        "SELECT count(*) FROM messaging.relays r JOIN ordering.events e"
        " ON e.transaction_id = r.transaction_id AND e.global_position = r.position"
        " WHERE r.context = 'ordering' AND e.data->>'seq' = '4'";
    int steps = 0;
    while (query_long(db, at_seq_4) == 0 && steps++ < 1000) {
        cr_assert_eq(step(r, 0), 0, "an event that stays inside publishes nothing");
        struct timespec pause = {0, 10 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    cr_assert_eq(query_long(db, at_seq_4), 1, "the relay's checkpoint is the last event it read");
    char seq[64];
    bus_sequence(seq, sizeof seq);
    cr_assert_str_eq(seq, "1,3");
    relay_close(r);
    es_free(es);
}

Test(an_event_sourced_context, holds_at_an_event_it_cannot_translate_until_it_can)
{
    struct event_store *es;
    cr_assert_eq(event_store_pg_new(&es, db, "ordering"), 0);
    record_event(es, "order-1", "Placed", 1);
    record_event(es, "order-1", "Flaky", 2);
    record_event(es, "order-2", "Placed", 3);
    struct relay *r = open_relay(db, &ordering_events);
    translate_failures_left = 2;
    cr_assert_lt(step_until_failure(r), 0, "the failure is reported");
    cr_assert(strstr(shop_error_message(), "cannot translate yet"), "%s", shop_error_message());
    char seq[64];
    bus_sequence(seq, sizeof seq);
    cr_assert_str_eq(seq, "1", "what came before is published; nothing after overtakes it");
    size_t moved;
    cr_assert_lt(relay_step(r, 0, &moved), 0, "the relay is still held at the event");
    bus_sequence(seq, sizeof seq);
    cr_assert_str_eq(seq, "1");
    step_until_bus_is(r, "1,2,3");
    relay_close(r);
    es_free(es);
}

Test(an_event_sourced_context, is_not_a_relay_for_a_context_without_an_event_store)
{
    struct relay *r = NULL;
    struct relay_source catalog_events = {
        .context = "catalog", .kind = RELAY_EVENT_STORE, .translate = translate};
    cr_assert_lt(relay_open(&r, db, &catalog_events), 0);
    cr_assert_null(r);
    struct relay_source bad = {.context = "Catalog;", .kind = RELAY_OUTBOX_TABLE};
    cr_assert_eq(relay_open(&r, db, &bad), SHOP_EINVALID);
}

/* ---- an event-sourced context with an outbox table as well (Ordering and its saga) ---- */

static const struct relay_source ordering_events_and_outbox = {
    .context = "ordering", .kind = RELAY_EVENT_STORE, .translate = translate, .with_outbox = true};

/* What the saga store does: a command in ordering.outbox. */
static void record_command(PGconn *conn, const char *stream, int seq)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO ordering.outbox (message_id, type, schema_version, stream, payload)"
             " VALUES (gen_random_uuid(), 'ordering.ReserveStock', 1, '%s', '{\"seq\": %d}')",
             stream, seq);
    test_db_exec(conn, sql);
}

/* The seq of the bus's messages of one type prefix, in bus order. */
static void bus_sequence_of(char *out, size_t size, const char *type)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT coalesce(string_agg(payload->>'seq', ',' ORDER BY transaction_id,"
             " position), '') FROM messaging.bus WHERE type = '%s'",
             type);
    PGresult *res = PQexec(db, sql);
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK);
    snprintf(out, size, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
}

/* Steps until the bus holds `count` messages (the events may be held back a moment by
 * other tests' transactions: gap-free reading), within a deadline. */
static void step_until_bus_count(struct relay *r, long count)
{
    for (int i = 0; i < 1000; i++) {
        step(r, 0);
        if (query_long(db, "SELECT count(*) FROM messaging.bus") >= count)
            return;
        struct timespec pause = {0, 10 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    cr_assert_fail("after 10 s the bus holds %ld messages, not %ld",
                   query_long(db, "SELECT count(*) FROM messaging.bus"), count);
}

TestSuite(an_event_sourced_context_with_an_outbox, .init = setup, .fini = teardown, .timeout = 60);

Test(an_event_sourced_context_with_an_outbox, moves_its_commands_once_and_in_order_with_its_events)
{
    struct event_store *es;
    cr_assert_eq(event_store_pg_new(&es, db, "ordering"), 0);
    record_event(es, "order-1", "Placed", 1);
    record_command(db, "order-1", 2);
    record_command(db, "order-2", 3);
    record_event(es, "order-2", "Noted", 4);
    record_command(db, "order-1", 5);
    test_db_exec(db, "SET ROLE shop_ordering");
    struct relay *r = open_relay(db, &ordering_events_and_outbox);
    step_until_bus_count(r, 4);
    cr_assert_eq(step(r, 0), 0, "nothing is published twice");
    relay_close(r);
    test_db_exec(db, "RESET ROLE");
    es_free(es);

    char seq[64];
    bus_sequence_of(seq, sizeof seq, "ordering.ReserveStock");
    cr_assert_str_eq(seq, "2,3,5", "the commands reach the bus in the order they were recorded");
    bus_sequence_of(seq, sizeof seq, "ordering.Placed");
    cr_assert_str_eq(seq, "1", "the translated events are published too; Noted stays inside");
    cr_assert_eq(query_long(db, "SELECT count(*) FROM messaging.bus"), 4);
    cr_assert_eq(query_long(db, "SELECT count(*) FROM ordering.outbox"), 0,
                 "the outbox is emptied");
    cr_assert_eq(query_long(db, "SELECT count(*) FROM messaging.bus WHERE source = 'ordering'"), 4);
}

Test(an_event_sourced_context_with_an_outbox, killed_before_its_commit_moves_neither)
{
    struct event_store *es;
    cr_assert_eq(event_store_pg_new(&es, db, "ordering"), 0);
    record_event(es, "order-1", "Placed", 1);
    record_command(db, "order-1", 2);
    es_free(es);

    pid_t child = fork();
    cr_assert_neq(child, -1);
    if (child == 0) {
        /* The relay process: it dies with the bus rows inserted, not committed. */
        setenv("SHOP_CRASH_POINT", "relay.after-publish", 1);
        PGconn *conn = test_db_connect(db_name, NULL);
        struct relay *r;
        if (relay_open(&r, conn, &ordering_events_and_outbox) < 0)
            _exit(2);
        for (int i = 0; i < 1000; i++) {
            size_t moved;
            if (relay_step(r, 0, &moved) < 0)
                _exit(3);
            struct timespec pause = {0, 10 * 1000 * 1000};
            nanosleep(&pause, NULL);
        }
        _exit(4); /* never reached the crash point */
    }
    int status;
    cr_assert_eq(waitpid(child, &status, 0), child);
    cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
              "the relay died at its crash point (status %d)", status);
    cr_assert_eq(query_long(db, "SELECT count(*) FROM messaging.bus"), 0, "nothing was published");
    cr_assert_eq(query_long(db, "SELECT count(*) FROM ordering.outbox"), 1, "the command is kept");
    cr_assert_eq(query_long(db, "SELECT position FROM messaging.relays WHERE context = 'ordering'"),
                 0, "the checkpoint did not move");

    struct relay *r = open_relay(db, &ordering_events_and_outbox);
    step_until_bus_count(r, 2);
    cr_assert_eq(step(r, 0), 0);
    relay_close(r);
    cr_assert_eq(query_long(db, "SELECT count(*) FROM messaging.bus"), 2, "each once");
    cr_assert_eq(query_long(db, "SELECT count(*) FROM ordering.outbox"), 0);
}

Test(an_event_sourced_context_with_an_outbox, listens_for_both_its_events_and_its_outbox)
{
    struct worker_def def;
    relay_worker_def(&def, &ordering_events_and_outbox);
    cr_assert_str_eq(def.channels[0], "shop_events_ordering");
    cr_assert_str_eq(def.channels[1], "shop_outbox_ordering");
    cr_assert_null(def.channels[2]);
}
