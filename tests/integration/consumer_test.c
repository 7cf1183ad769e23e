/*
 * tests/integration/consumer_test.c — a subscriber's consumer of the bus, on a real
 * PostgreSQL (infrastructure/messaging/consumer.h).
 *
 * What a subscribing context relies on: each message's effects happen once, however
 * often it is delivered; a message that can never be handled is set aside at once, one
 * that fails now is tried again later and set aside after its budget, and neither holds
 * up the other streams; a stream's messages are handled in order even around failures;
 * a crash leaves nothing half-done; two consumers of one subscription share the work
 * without handling anything twice.
 *
 * The test's subscriber "test.sink" writes each message it handles into
 * ordering.test_handled on the consumer's connection, inside the consumer's
 * transaction, as a real handler does (Ordering's price list, Notifications).  What it
 * does with a message is written in the message: {"seq": 3, "poison": true} is refused
 * (SHOP_EINVALID), {"fails": 2} fails its first two attempts, {"die": true} kills its
 * own database connection (a crash in the middle of a batch), {"babble": true} fails
 * with an error message longer than an error message may be, in a language not English.
 * Read next: infrastructure/messaging/consumer.c, tests/integration/messaging_process_test.sh
 */
#include "domain/shared/error.h"
#include "infrastructure/messaging/consumer.h"
#include "tests/support/test_db.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
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
    test_db_exec(db, "CREATE TABLE ordering.test_handled (id bigserial PRIMARY KEY,"
                     " message_id uuid NOT NULL, stream text NOT NULL, seq int NOT NULL,"
                     " who text NOT NULL)");
}

static void teardown(void)
{
    test_db_drop(db, db_name);
}

/* ---- the test's subscriber ---- */

#define MAX_SEQ 2000

struct sink {
    PGconn *conn;
    const char *who;
    bool refuse_all;           /* every message is SHOP_EINVALID (until fixed) */
    bool may_die;              /* {"die": true} kills the connection */
    int attempts[MAX_SEQ + 1]; /* by seq: how often the handler was called */
};

static int sink_handle(void *ctx, const struct message *m)
{
    struct sink *s = ctx;
    cJSON *doc = cJSON_Parse(m->payload);
    cr_assert_not_null(doc, "payload %s", m->payload);
    int seq = cJSON_GetObjectItem(doc, "seq")->valueint;
    cJSON *fails_item = cJSON_GetObjectItem(doc, "fails");
    int fails = cJSON_IsNumber(fails_item) ? fails_item->valueint : 0;
    bool poison = cJSON_IsTrue(cJSON_GetObjectItem(doc, "poison"));
    bool die = cJSON_IsTrue(cJSON_GetObjectItem(doc, "die"));
    bool babble = cJSON_IsTrue(cJSON_GetObjectItem(doc, "babble"));
    bool swallow = cJSON_IsTrue(cJSON_GetObjectItem(doc, "swallow"));
    int attempt = ++s->attempts[seq];
    cJSON_Delete(doc);
    if (die && s->may_die) {
        PQclear(PQexec(s->conn, "SELECT pg_terminate_backend(pg_backend_pid())"));
        return shop_error_set(SHOP_EUNAVAILABLE, "the connection died");
    }
    if (babble) {
        /* "x" then 300 two-byte characters: cut to an error message's length, the cut
         * falls inside a character. */
        char text[1 + 300 * 2 + 1] = "x";
        for (int i = 0; i < 300; i++)
            strcat(text, "\xc3\xa9"); /* é */
        return shop_error_set(SHOP_EUNAVAILABLE, "%s", text);
    }
    if (poison || s->refuse_all)
        return shop_error_set(SHOP_EINVALID, "message %d breaks its schema", seq);
    if (swallow) { /* a statement fails, and the handler says all is well */
        PQclear(PQexec(s->conn, "SELECT 1 / 0"));
        return 0;
    }
    if (attempt <= fails)
        return shop_error_set(SHOP_EUNAVAILABLE, "attempt %d of message %d failed", attempt, seq);
    char id[UUID_STRING_SIZE], seq_text[16];
    snprintf(seq_text, sizeof seq_text, "%d", seq);
    const char *params[] = {uuid_format(id, m->meta.message_id), m->stream, seq_text, s->who};
    PGresult *res = PQexecParams(s->conn,
                                 "INSERT INTO ordering.test_handled (message_id, stream, seq, who)"
                                 " VALUES ($1::uuid, $2, $3::int, $4)",
                                 4, NULL, params, NULL, NULL, 0);
    int rc = PQresultStatus(res) == PGRES_COMMAND_OK
                 ? 0
                 : shop_error_set(SHOP_EINTERNAL, "%s", PQerrorMessage(s->conn));
    PQclear(res);
    return rc;
}

static const struct subscription sink_subscription = {
    .name = "test.sink",
    .inbox_schema = "ordering",
    .types = {"catalog.PriceChanged", "catalog.ProductAdded"},
    .handle = sink_handle,
};

/* ---- helpers ---- */

/* Publishes a message as a relay would; payload_extra is added to {"seq": seq}. */
static void publish_on(PGconn *conn, const char *type, const char *stream, int seq,
                       const char *payload_extra)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO messaging.bus (message_id, type, schema_version, source, stream,"
             " payload) VALUES (gen_random_uuid(), '%s', 1, 'catalog', '%s',"
             " '{\"seq\": %d%s%s}')",
             type, stream, seq, payload_extra ? ", " : "", payload_extra ? payload_extra : "");
    test_db_exec(conn, sql);
}

static void publish(const char *stream, int seq, const char *payload_extra)
{
    publish_on(db, "catalog.PriceChanged", stream, seq, payload_extra);
}

static long query_long(PGconn *conn, const char *sql)
{
    PGresult *res = PQexec(conn, sql);
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s: %s", sql, PQerrorMessage(conn));
    long v = atol(PQgetvalue(res, 0, 0));
    PQclear(res);
    return v;
}

static void query_text(PGconn *conn, const char *sql, char *out, size_t size)
{
    PGresult *res = PQexec(conn, sql);
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s: %s", sql, PQerrorMessage(conn));
    snprintf(out, size, "%s", PQgetisnull(res, 0, 0) ? "" : PQgetvalue(res, 0, 0));
    PQclear(res);
}

static void pause_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

/*
 * Polls until `sql` (a count, on the test's connection) gives `expected`, within 15 s.
 * Polling, not one pass: the bus shows a message only once every older transaction of
 * the cluster has finished (other tests' too), which may take a moment.
 */
static void poll_until(struct consumer *c, struct consumer_stats *st, const char *sql,
                       long expected)
{
    long got = -1;
    for (int i = 0; i < 1500; i++) {
        cr_assert_eq(consumer_poll(c, st), 0, "%s", shop_error_message());
        if ((got = query_long(db, sql)) == expected)
            return;
        pause_ms(10);
    }
    cr_assert_fail("after 15 s, %s gives %ld, not %ld", sql, got, expected);
}

static struct consumer *open_consumer(PGconn *conn, struct sink *sink,
                                      const struct consumer_options *opt)
{
    struct consumer *c;
    cr_assert_eq(consumer_open(&c, conn, &sink_subscription, sink, opt), 0, "%s",
                 shop_error_message());
    return c;
}

static const char count_handled[] = "SELECT count(*) FROM ordering.test_handled";

TestSuite(a_message, .init = setup, .fini = teardown, .timeout = 60);

Test(a_message, is_handled_once_and_recorded_in_the_inbox)
{
    struct sink sink = {.conn = db, .who = "one"};
    struct consumer *c = open_consumer(db, &sink, NULL);
    struct consumer_stats st = {0};
    publish("product-A", 1, NULL);
    poll_until(c, &st, count_handled, 1);
    for (int i = 0; i < 5; i++)
        cr_assert_eq(consumer_poll(c, &st), 0);
    cr_assert_eq(query_long(db, count_handled), 1, "handled again by a later pass");
    cr_assert_eq(st.handled, 1);
    cr_assert_eq(query_long(db, "SELECT count(*) FROM ordering.inbox i JOIN messaging.bus b"
                                " USING (message_id) WHERE i.subscriber = 'test.sink'"),
                 1);
    struct consumer_stats totals;
    consumer_totals(c, &totals);
    cr_assert_eq(totals.handled, 1);
    consumer_close(c);
}

Test(a_message, delivered_twice_has_its_effects_once)
{
    struct sink sink = {.conn = db, .who = "one"};
    struct consumer *c = open_consumer(db, &sink, &(struct consumer_options){.partitions = 2});
    struct consumer_stats st = {0};
    publish("product-A", 1, NULL);
    publish("product-B", 2, NULL);
    poll_until(c, &st, count_handled, 2);
    /* The checkpoints moved back to the beginning: everything is read again. */
    test_db_exec(db, "UPDATE messaging.subscriptions SET transaction_id = '0', position = 0");
    for (int i = 0; i < 1500 && st.duplicates < 2; i++) {
        cr_assert_eq(consumer_poll(c, &st), 0, "%s", shop_error_message());
        pause_ms(10);
    }
    cr_assert_eq(st.duplicates, 2, "the second delivery is recognised");
    cr_assert_eq(st.handled, 2);
    cr_assert_eq(query_long(db, count_handled), 2, "effects once");
    consumer_close(c);
}

Test(a_message, of_a_type_not_subscribed_to_is_passed_over)
{
    struct sink sink = {.conn = db, .who = "one"};
    struct consumer *c = open_consumer(db, &sink, &(struct consumer_options){.partitions = 1});
    struct consumer_stats st = {0};
    publish_on(db, "ordering.OrderPlaced", "order-1", 1, NULL);
    publish("product-A", 2, NULL);
    poll_until(c, &st, count_handled, 1);
    cr_assert_eq(st.passed, 1);
    cr_assert_eq(sink.attempts[1], 0, "the handler never saw it");
    cr_assert_eq(query_long(db, "SELECT count(*) FROM messaging.subscriptions s JOIN"
                                " messaging.bus b ON b.transaction_id = s.transaction_id AND"
                                " b.position = s.position WHERE b.payload->>'seq' = '2'"),
                 1, "the checkpoint is past both");
    consumer_close(c);
}

/* A consumer holds a stream name in MESSAGE_STREAM_MAX (100) bytes and parks, and waits
 * behind, by that name: the bus must not take a longer one (100 characters of '€' are
 * 300 bytes), or the name would be cut, inside a character even, and the message could
 * neither be parked nor be waited behind. */
Test(a_message, whose_stream_is_longer_than_a_consumer_holds_is_refused_by_the_bus)
{
    char stream[34 * 3 + 1] = "";
    for (int i = 0; i < 34; i++)
        strcat(stream, "\xe2\x82\xac"); /* €: 34 characters, 102 bytes */
    const char *params[] = {stream};
    PGresult *res = PQexecParams(db,
                                 "INSERT INTO messaging.bus (message_id, type, schema_version,"
                                 " source, stream, payload) VALUES (gen_random_uuid(),"
                                 " 'catalog.PriceChanged', 1, 'catalog', $1, '{\"seq\": 1}')",
                                 1, NULL, params, NULL, NULL, 0);
    cr_assert_eq(PQresultStatus(res), PGRES_FATAL_ERROR, "the bus took a %zu-byte stream",
                 strlen(stream));
    cr_assert_str_eq(PQresultErrorField(res, PG_DIAG_SQLSTATE), "23514", "a CHECK refuses it");
    PQclear(res);
    stream[99] = '\0'; /* 33 characters, 99 bytes: taken */
    res = PQexecParams(db,
                       "INSERT INTO messaging.bus (message_id, type, schema_version,"
                       " source, stream, payload) VALUES (gen_random_uuid(),"
                       " 'catalog.PriceChanged', 1, 'catalog', $1, '{\"seq\": 1}')",
                       1, NULL, params, NULL, NULL, 0);
    cr_assert_eq(PQresultStatus(res), PGRES_COMMAND_OK, "%s", PQerrorMessage(db));
    PQclear(res);
}

TestSuite(a_failing_message, .init = setup, .fini = teardown, .timeout = 60);

Test(a_failing_message, that_can_never_be_handled_is_dead_lettered_at_once)
{
    struct sink sink = {.conn = db, .who = "one"};
    struct consumer *c = open_consumer(db, &sink, &(struct consumer_options){.partitions = 1});
    struct consumer_stats st = {0};
    publish("product-A", 1, "\"poison\": true");
    publish("product-A", 2, NULL);
    poll_until(c, &st, count_handled, 1);
    cr_assert_eq(sink.attempts[1], 1, "tried once, not retried");
    cr_assert_eq(st.dead_lettered, 1);
    char error[256];
    query_text(db,
               "SELECT attempts || ' ' || last_error FROM messaging.dead_letters"
               " WHERE subscriber = 'test.sink' AND type = 'catalog.PriceChanged'"
               " AND stream = 'product-A'",
               error, sizeof error);
    cr_assert_str_eq(error, "1 SHOP_EINVALID: message 1 breaks its schema");
    cr_assert_eq(query_long(db, "SELECT count(*) FROM messaging.retries"), 0);
    cr_assert_eq(query_long(db, "SELECT count(*) FROM ordering.inbox"), 1,
                 "only the handled message is in the inbox");
    consumer_close(c);
}

Test(a_failing_message, is_retried_with_backoff_then_dead_lettered_while_other_streams_go_on)
{
    struct sink sink = {.conn = db, .who = "one"};
    struct consumer_options opt = {
        .partitions = 1, .max_attempts = 3, .backoff_base_ms = 40, .backoff_cap_ms = 200};
    struct consumer *c = open_consumer(db, &sink, &opt);
    struct consumer_stats st = {0};
    publish("product-A", 1, "\"fails\": 100");
    publish("product-B", 2, NULL);
    poll_until(c, &st, count_handled, 1);
    cr_assert_eq(sink.attempts[2], 1, "the other stream did not wait");
    cr_assert_geq(st.retried, 1);
    cr_assert_eq(query_long(db, "SELECT count(*) FROM messaging.retries WHERE attempts >= 1"
                                " AND next_attempt_at <= statement_timestamp() + interval"
                                " '200 ms' AND last_error LIKE 'SHOP_EUNAVAILABLE: attempt %'"),
                 st.dead_lettered ? 0 : 1, "parked with its error and a bounded delay");
    poll_until(c, &st, "SELECT count(*) FROM messaging.dead_letters WHERE attempts = 3", 1);
    cr_assert_eq(sink.attempts[1], 3, "max_attempts attempts, no more");
    cr_assert_eq(st.retried, 2);
    cr_assert_eq(st.dead_lettered, 1);
    cr_assert_eq(query_long(db, "SELECT count(*) FROM messaging.retries"), 0);
    char error[256];
    query_text(db, "SELECT last_error FROM messaging.dead_letters", error, sizeof error);
    cr_assert_str_eq(error, "SHOP_EUNAVAILABLE: attempt 3 of message 1 failed");
    consumer_close(c);
}

/* A handler's error message is kept as last_error, whatever it says: cut to length, it
 * must still be text the database takes, or the message could be neither retried nor
 * dead-lettered and its partition would stop at it. */
Test(a_failing_message, with_a_long_error_in_any_language_is_parked_and_the_rest_goes_on)
{
    struct sink sink = {.conn = db, .who = "one"};
    struct consumer_options opt = {.partitions = 1, .max_attempts = 2, .backoff_base_ms = 20};
    struct consumer *c = open_consumer(db, &sink, &opt);
    struct consumer_stats st = {0};
    publish("product-A", 1, "\"babble\": true");
    publish("product-B", 2, NULL);
    poll_until(c, &st, count_handled, 1);
    cr_assert_eq(sink.attempts[2], 1, "the other stream went on");
    poll_until(c, &st, "SELECT count(*) FROM messaging.dead_letters WHERE attempts = 2", 1);
    cr_assert_eq(sink.attempts[1], 2);
    cr_assert_eq(query_long(db, "SELECT count(*) FROM messaging.dead_letters"
                                " WHERE last_error LIKE 'SHOP_EUNAVAILABLE: x\xc3\xa9\xc3\xa9%'"),
                 1, "the error is kept, as much of it as fits");
    consumer_close(c);
}

Test(a_failing_message, whose_handler_hides_a_failed_statement_is_parked_and_the_rest_goes_on)
{
    struct sink sink = {.conn = db, .who = "one"};
    struct consumer *c = open_consumer(db, &sink, &(struct consumer_options){.partitions = 1});
    struct consumer_stats st = {0};
    publish("product-A", 1, "\"swallow\": true");
    publish("product-B", 2, NULL);
    poll_until(c, &st, count_handled, 1);
    cr_assert_eq(query_long(db, "SELECT seq FROM ordering.test_handled"), 2,
                 "the next message is handled: the partition is not stuck");
    char error[256];
    query_text(db, "SELECT last_error FROM messaging.retries WHERE stream = 'product-A'", error,
               sizeof error);
    cr_assert_str_eq(error,
                     "SHOP_EINTERNAL: the handler reported success after a failed statement");
    cr_assert_eq(query_long(db, "SELECT count(*) FROM ordering.inbox"), 1,
                 "the message whose handler failed is not in the inbox");
    consumer_close(c);
}

Test(a_failing_message, keeps_the_later_messages_of_its_stream_waiting_in_order)
{
    struct sink sink = {.conn = db, .who = "one"};
    struct consumer_options opt = {
        .partitions = 1, .max_attempts = 5, .backoff_base_ms = 30, .backoff_cap_ms = 100};
    struct consumer *c = open_consumer(db, &sink, &opt);
    struct consumer_stats st = {0};
    test_db_exec(db, "BEGIN");
    publish("product-A", 1, "\"fails\": 2");
    publish("product-A", 2, NULL);
    publish("product-B", 3, NULL);
    publish("product-A", 4, NULL);
    test_db_exec(db, "COMMIT");
    poll_until(c, &st, count_handled, 1);
    cr_assert_eq(query_long(db, "SELECT seq FROM ordering.test_handled"), 3,
                 "only the other stream went on");
    cr_assert_eq(sink.attempts[2] + sink.attempts[4], 0, "the stream's later messages waited");
    cr_assert_eq(query_long(db, "SELECT count(*) FROM messaging.retries WHERE attempts = 0"), 2,
                 "parked behind the failed one, not tried");
    poll_until(c, &st, count_handled, 4);
    char order[64];
    query_text(db,
               "SELECT string_agg(seq::text, ',' ORDER BY id) FROM ordering.test_handled"
               " WHERE stream = 'product-A'",
               order, sizeof order);
    cr_assert_str_eq(order, "1,2,4");
    cr_assert_eq(sink.attempts[1], 3);
    cr_assert_eq(query_long(db, "SELECT count(*) FROM messaging.retries"), 0);

    /* And once the stream is clear, its next message goes straight through. */
    publish("product-A", 5, NULL);
    poll_until(c, &st, count_handled, 5);
    consumer_close(c);
}

Test(a_failing_message, replayed_from_the_dead_letters_is_handled_once)
{
    struct sink sink = {.conn = db, .who = "one", .refuse_all = true};
    struct consumer *c = open_consumer(db, &sink, &(struct consumer_options){.partitions = 1});
    struct consumer_stats st = {0};
    publish("product-A", 1, NULL);
    poll_until(c, &st, "SELECT count(*) FROM messaging.dead_letters", 1);
    sink.refuse_all = false; /* the subscriber was fixed and redeployed */
    /* What `shop dlq replay` does: the dead letter is parked again with no attempts. */
    static const char replay[] =
        "WITH moved AS (DELETE FROM messaging.dead_letters RETURNING *)"
        " INSERT INTO messaging.retries (subscriber, position, partition, stream, message_id,"
        " attempts, next_attempt_at) SELECT subscriber, position, 0, stream, message_id, 0,"
        " statement_timestamp() FROM moved";
    test_db_exec(db, replay);
    poll_until(c, &st, count_handled, 1);
    cr_assert_eq(query_long(db, "SELECT count(*) FROM messaging.retries"), 0);
    cr_assert_eq(query_long(db, "SELECT count(*) FROM messaging.dead_letters"), 0);

    /* Replayed again by mistake: the inbox keeps it from counting twice. */
    test_db_exec(db, "INSERT INTO messaging.retries (subscriber, position, partition, stream,"
                     " message_id, attempts, next_attempt_at) SELECT 'test.sink', position, 0,"
                     " stream, message_id, 0, statement_timestamp() FROM messaging.bus");
    poll_until(c, &st, "SELECT count(*) FROM messaging.retries", 0);
    cr_assert_eq(st.duplicates, 1);
    cr_assert_eq(query_long(db, count_handled), 1);
    consumer_close(c);
}

TestSuite(a_crash, .init = setup, .fini = teardown, .timeout = 60);

Test(a_crash, in_the_middle_of_a_batch_leaves_nothing_half_done)
{
    PGconn *conn = test_db_connect(db_name, NULL);
    struct sink sink = {.conn = conn, .who = "first", .may_die = true};
    struct consumer *c = open_consumer(conn, &sink, &(struct consumer_options){.partitions = 1});
    test_db_exec(db, "BEGIN");
    publish("product-A", 1, NULL);
    publish("product-B", 2, NULL);
    publish("product-A", 3, "\"die\": true");
    publish("product-C", 4, NULL);
    test_db_exec(db, "COMMIT");
    int rc = 0;
    for (int i = 0; i < 1500 && rc == 0; i++) {
        rc = consumer_poll(c, NULL);
        pause_ms(10);
    }
    cr_assert_eq(rc, SHOP_EUNAVAILABLE, "%s", shop_error_message());
    consumer_close(c);
    PQfinish(conn);
    cr_assert_eq(query_long(db, count_handled), 0, "the effects of 1 and 2 rolled back too");
    cr_assert_eq(query_long(db, "SELECT count(*) FROM ordering.inbox"), 0);
    cr_assert_eq(query_long(db, "SELECT count(*) FROM messaging.subscriptions WHERE position = 0"),
                 1, "the checkpoint did not move");

    /* Started again (the message no longer kills it): every message once, in order. */
    conn = test_db_connect(db_name, NULL);
    struct sink again = {.conn = conn, .who = "second"};
    c = open_consumer(conn, &again, &(struct consumer_options){.partitions = 1});
    poll_until(c, NULL, count_handled, 4);
    char order[64];
    query_text(db, "SELECT string_agg(seq::text, ',' ORDER BY id) FROM ordering.test_handled",
               order, sizeof order);
    cr_assert_str_eq(order, "1,2,3,4");
    consumer_close(c);
    PQfinish(conn);
}

TestSuite(competing_consumers, .init = setup, .fini = teardown, .timeout = 120);

Test(competing_consumers, are_refused_another_number_of_partitions)
{
    struct sink sink = {.conn = db, .who = "one"};
    struct consumer *c = open_consumer(db, &sink, &(struct consumer_options){.partitions = 4});
    consumer_close(c);
    struct consumer *other = NULL;
    cr_assert_eq(consumer_open(&other, db, &sink_subscription, &sink,
                               &(struct consumer_options){.partitions = 8}),
                 SHOP_EREFUSED);
    cr_assert(strstr(shop_error_message(), "has 4 partitions"), "%s", shop_error_message());
    cr_assert_null(other);
}

#define COMPETING_MESSAGES 400
#define COMPETING_STREAMS  16

struct competitor {
    const char *who;
    atomic_int *stop;
    int failures;
    char message[SHOP_ERROR_MESSAGE_MAX];
    struct consumer_stats st;
};

static void *compete(void *arg)
{
    struct competitor *w = arg;
    PGconn *conn = test_db_connect(db_name, NULL);
    struct sink *sink = calloc(1, sizeof *sink);
    sink->conn = conn;
    sink->who = w->who;
    struct consumer *c;
    if (consumer_open(&c, conn, &sink_subscription, sink,
                      &(struct consumer_options){.partitions = 4, .batch = 7}) < 0) {
        w->failures++;
        snprintf(w->message, sizeof w->message, "%s", shop_error_message());
    } else {
        while (!atomic_load(w->stop)) {
            if (consumer_poll(c, &w->st) < 0 && w->failures++ == 0)
                snprintf(w->message, sizeof w->message, "%s", shop_error_message());
        }
        consumer_close(c);
    }
    free(sink);
    PQfinish(conn);
    return NULL;
}

Test(competing_consumers, never_handle_a_message_twice_and_keep_each_stream_in_order)
{
    atomic_int stop = 0;
    struct competitor w[2] = {{.who = "one", .stop = &stop}, {.who = "two", .stop = &stop}};
    pthread_t threads[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&threads[i], NULL, compete, &w[i]);
    for (int seq = 1; seq <= COMPETING_MESSAGES; seq++) {
        char stream[32];
        snprintf(stream, sizeof stream, "product-%d", seq % COMPETING_STREAMS);
        publish(stream, seq, NULL);
    }
    long handled = 0;
    for (int i = 0; i < 3000 && handled < COMPETING_MESSAGES; i++) {
        pause_ms(10);
        handled = query_long(db, count_handled);
    }
    atomic_store(&stop, 1);
    for (int i = 0; i < 2; i++)
        pthread_join(threads[i], NULL);
    for (int i = 0; i < 2; i++)
        cr_assert_eq(w[i].failures, 0, "consumer %s: %s", w[i].who, w[i].message);
    cr_assert_eq(query_long(db, count_handled), COMPETING_MESSAGES);
    cr_assert_eq(query_long(db, "SELECT count(DISTINCT message_id) FROM ordering.test_handled"),
                 COMPETING_MESSAGES, "a message was handled twice");
    cr_assert_eq(w[0].st.handled + w[1].st.handled, COMPETING_MESSAGES);
    cr_assert_eq(query_long(db, "SELECT count(*) FROM (SELECT seq, lag(seq) OVER (PARTITION BY"
                                " stream ORDER BY id) AS before FROM ordering.test_handled) s"
                                " WHERE seq < before"),
                 0, "a stream's message was handled before one published earlier");
}

TestSuite(a_subscriber_role, .init = setup, .fini = teardown, .timeout = 60);

Test(a_subscriber_role, consumes_under_its_own_grants_and_sees_only_its_own_rows)
{
    test_db_exec(db, "GRANT INSERT, SELECT ON ordering.test_handled TO shop_ordering");
    test_db_exec(db, "GRANT USAGE ON SEQUENCE ordering.test_handled_id_seq TO shop_ordering");
    test_db_exec(db, "INSERT INTO messaging.subscriptions (subscriber, partition, partitions,"
                     " owner) VALUES ('test.other', 0, 1, 'shop_notifications')");
    PGconn *conn = test_db_connect(db_name, NULL);
    test_db_exec(conn, "SET ROLE shop_ordering");
    struct sink sink = {.conn = conn, .who = "ordering", .refuse_all = false};
    struct consumer *c = open_consumer(conn, &sink, &(struct consumer_options){.partitions = 2});
    publish("product-A", 1, "\"poison\": true");
    publish("product-B", 2, NULL);
    poll_until(c, NULL, "SELECT count(*) FROM messaging.dead_letters", 1);
    poll_until(c, NULL, count_handled, 1);
    consumer_close(c);
    PQfinish(conn);
    cr_assert_eq(query_long(db, "SELECT count(*) FROM messaging.dead_letters WHERE owner ="
                                " 'shop_ordering'"),
                 1);
    cr_assert_eq(query_long(db, "SELECT count(*) FROM messaging.subscriptions WHERE owner ="
                                " 'shop_ordering'"),
                 2, "its own checkpoints");
    cr_assert_eq(query_long(db, "SELECT count(*) FROM messaging.subscriptions WHERE position = 0"
                                " AND subscriber = 'test.other'"),
                 1, "another role's row untouched");

    /* A subscriber name another role owns cannot be taken over. */
    conn = test_db_connect(db_name, NULL);
    test_db_exec(conn, "SET ROLE shop_ordering");
    struct subscription other = sink_subscription;
    other.name = "test.other";
    cr_assert_eq(
        consumer_open(&c, conn, &other, &sink, &(struct consumer_options){.partitions = 1}),
        SHOP_EREFUSED);
    cr_assert(strstr(shop_error_message(), "not this role's"), "%s", shop_error_message());
    PQfinish(conn);
}
