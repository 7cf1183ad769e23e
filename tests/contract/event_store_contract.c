/*
 * tests/contract/event_store_contract.c — the promises of every event store.
 *
 * Pattern: contract tests for a port.  This one suite is built twice:
 * tests/contract/event_store_memory_test (infrastructure/memory/event_store_memory.c)
 * and tests/contract/event_store_pg_test (infrastructure/postgres/event_store_pg.c, each
 * test in a fresh migrated database).  Every promise of application/eventstore/event_store.h
 * is a scenario here, so the fast in-memory store that application tests use behaves like
 * the real one — including the visibility rule of the global log, watched with a slow
 * writer that keeps its transaction open (contract_es_start_slow_writer).
 *
 * The global log of PostgreSQL is shared with every other transaction of the cluster: a
 * transaction of another test running at the same moment holds it back for a while (that
 * is the rule working).  So tests that expect events to appear in the log wait for them,
 * a bounded time (read_log_until); tests that expect events NOT to appear need no wait.
 *
 * Read next: application/eventstore/event_store.h, then the fixtures
 * tests/contract/event_store_memory_fixture.c and event_store_pg_fixture.c.
 */
#include "tests/contract/event_store_contract.h"

#include "domain/shared/error.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct event_store *store;

static void setup(void)
{
    store = contract_es_new();
}

static void teardown(void)
{
    contract_es_free(store);
}

/* ------------------------------------------------------------------ helpers */

static const char traceparent[] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

static shop_uuid id(const char *text)
{
    shop_uuid u;
    cr_assert_eq(uuid_parse(&u, text), 0, "%s", shop_error_message());
    return u;
}

/* An event with fixed metadata; `data` is borrowed. */
static struct es_new_event event(const char *type, const char *data)
{
    struct es_new_event e = {.type = type, .schema_version = 1, .data = data};
    e.meta.message_id = id("0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90");
    e.meta.correlation_id = id("0190a6f4-8d1e-7c3a-9b2f-000000000001");
    e.meta.causation_id = id("0190a6f4-8d1e-7c3a-9b2f-000000000002");
    snprintf(e.meta.traceparent, sizeof e.meta.traceparent, "%s", traceparent);
    return e;
}

static int64_t wall_clock_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

/* Appends one event {"n": n} of type `type`, asserting success; returns the new version. */
static int64_t append_one(const char *stream_id, int64_t expected, const char *type)
{
    struct es_new_event e = event(type, "{\"n\": 1}");
    int64_t v = -99;
    cr_assert_eq(es_append(store, &v, stream_id, expected, &e, 1, NULL), 0, "%s: %s",
                 shop_error_name(shop_error_code()), shop_error_message());
    return v;
}

/* The number of events in a stream. */
static size_t stream_length(const char *stream_id)
{
    struct es_event_list l;
    cr_assert_eq(es_read_stream(store, &l, stream_id, ES_WHOLE_STREAM), 0, "%s",
                 shop_error_message());
    size_t n = l.count;
    es_event_list_dispose(&l);
    return n;
}

static void assert_refused(int rc, int code)
{
    cr_assert_eq(rc, code, "expected %s, got %s: %s", shop_error_name(code), shop_error_name(rc),
                 shop_error_message());
}

static bool json_equal(const char *a, const char *b)
{
    cJSON *x = cJSON_Parse(a), *y = cJSON_Parse(b);
    bool same = x && y && cJSON_Compare(x, y, 1);
    cJSON_Delete(x);
    cJSON_Delete(y);
    return same;
}

/* A snapshot to append; the caller disposes of it (es_snapshot_dispose). */
static struct es_snapshot snapshot(int64_t stream_version, int schema_version, const char *json)
{
    return (struct es_snapshot){stream_version, schema_version, strdup(json)};
}

static struct es_checkpoint checkpoint_of(const struct es_event *e)
{
    return (struct es_checkpoint){e->transaction_id, e->global_position};
}

static bool comes_after(const struct es_event *e, struct es_checkpoint c)
{
    return e->transaction_id > c.transaction_id ||
           (e->transaction_id == c.transaction_id && e->global_position > c.global_position);
}

/*
 * Reads the global log after `after` until exactly `expected` events have arrived (waiting
 * up to 20 s for transactions elsewhere in the cluster to end), into out.
 */
static void read_log_until(struct es_event_list *out, struct es_checkpoint after, size_t expected)
{
    for (int attempt = 0;; attempt++) {
        cr_assert_eq(es_read_all(store, out, after, 1000), 0, "%s", shop_error_message());
        if (out->count >= expected || attempt >= 1000)
            break;
        es_event_list_dispose(out);
        sleep_ms(20);
    }
    cr_assert_eq(out->count, expected,
                 "the global log has %zu events after the checkpoint, "
                 "expected %zu",
                 out->count, expected);
}

/* Nothing new in the global log after `after`. */
static void assert_log_has_nothing_after(struct es_checkpoint after)
{
    struct es_event_list l;
    cr_assert_eq(es_read_all(store, &l, after, 1000), 0, "%s", shop_error_message());
    cr_expect_eq(l.count, 0, "%zu events after the checkpoint, first in stream %s", l.count,
                 l.count ? l.items[0].stream_id : "");
    es_event_list_dispose(&l);
}

TestSuite(appending_to_a_stream, .init = setup, .fini = teardown, .timeout = 60);
TestSuite(a_recorded_event, .init = setup, .fini = teardown, .timeout = 60);
TestSuite(reading_a_stream, .init = setup, .fini = teardown, .timeout = 60);
TestSuite(an_invalid_request, .init = setup, .fini = teardown, .timeout = 60);
TestSuite(snapshots, .init = setup, .fini = teardown, .timeout = 60);
TestSuite(the_global_log, .init = setup, .fini = teardown, .timeout = 60);
TestSuite(folding_a_stream, .init = setup, .fini = teardown, .timeout = 60);

/* ------------------------------------------------------------------ appending */

Test(appending_to_a_stream, starts_a_new_stream_when_no_stream_is_expected)
{
    /* ES_EXPECT_NO_STREAM is the exact version 0: a stream that does not exist. */
    struct es_new_event batch[2] = {event("OrderPlaced", "{}"), event("OrderConfirmed", "{}")};
    int64_t v = -99;
    cr_assert_eq(es_append(store, &v, "order-1", ES_EXPECT_NO_STREAM, batch, 2, NULL), 0, "%s",
                 shop_error_message());
    cr_expect_eq(v, 2, "the stream is at version 2 after its first two events");
    cr_expect_eq(stream_length("order-1"), 2);
}

Test(appending_to_a_stream, starts_a_new_stream_when_any_version_is_expected)
{
    cr_expect_eq(append_one("order-1", ES_EXPECT_ANY, "OrderPlaced"), 1);
    cr_expect_eq(stream_length("order-1"), 1);
}

Test(appending_to_a_stream, continues_the_stream_at_the_expected_version)
{
    append_one("order-1", ES_EXPECT_NO_STREAM, "OrderPlaced");
    cr_expect_eq(append_one("order-1", 1, "OrderConfirmed"), 2);
    cr_expect_eq(append_one("order-1", 2, "OrderShipped"), 3);

    struct es_event_list l;
    cr_assert_eq(es_read_stream(store, &l, "order-1", ES_WHOLE_STREAM), 0);
    cr_assert_eq(l.count, 3);
    cr_expect_str_eq(l.items[0].type, "OrderPlaced");
    cr_expect_str_eq(l.items[1].type, "OrderConfirmed");
    cr_expect_str_eq(l.items[2].type, "OrderShipped");
    es_event_list_dispose(&l);
}

Test(appending_to_a_stream, may_leave_out_the_version_afterwards)
{
    struct es_new_event e = event("OrderPlaced", "{}");
    cr_assert_eq(es_append(store, NULL, "order-1", ES_EXPECT_NO_STREAM, &e, 1, NULL), 0, "%s",
                 shop_error_message());
    cr_expect_eq(stream_length("order-1"), 1);
}

Test(appending_to_a_stream, is_refused_when_the_expected_version_is_stale)
{
    append_one("order-1", ES_EXPECT_NO_STREAM, "OrderPlaced");
    append_one("order-1", 1, "OrderConfirmed"); /* another writer moved it to version 2 */

    struct es_new_event e = event("OrderCancelled", "{}");
    int64_t v = -99;
    assert_refused(es_append(store, &v, "order-1", 1, &e, 1, NULL), SHOP_ECONFLICT);
    cr_expect(strstr(shop_error_message(), "order-1") && strstr(shop_error_message(), "version 1"),
              "the message names the stream and the expected version: %s", shop_error_message());
    cr_expect_eq(v, -99, "no version is reported for a refused append");
    cr_expect_eq(stream_length("order-1"), 2, "nothing was written");
}

Test(appending_to_a_stream, is_refused_when_the_expected_version_is_ahead_of_the_stream)
{
    append_one("order-1", ES_EXPECT_NO_STREAM, "OrderPlaced");
    append_one("order-1", 1, "OrderConfirmed");

    struct es_new_event e = event("OrderCancelled", "{}");
    assert_refused(es_append(store, NULL, "order-1", 5, &e, 1, NULL), SHOP_ECONFLICT);
    cr_expect(strstr(shop_error_message(), "order-1") && strstr(shop_error_message(), "version 5"),
              "%s", shop_error_message());
    cr_expect_eq(stream_length("order-1"), 2, "nothing was written");
    assert_refused(es_append(store, NULL, "order-2", 1, &e, 1, NULL), SHOP_ECONFLICT);
    cr_expect_eq(stream_length("order-2"), 0, "a stream that does not exist is at version 0");
}

Test(appending_to_a_stream, is_refused_when_no_stream_is_expected_but_the_stream_exists)
{
    append_one("order-1", ES_EXPECT_NO_STREAM, "OrderPlaced");

    struct es_new_event e = event("OrderPlaced", "{}");
    assert_refused(es_append(store, NULL, "order-1", ES_EXPECT_NO_STREAM, &e, 1, NULL),
                   SHOP_ECONFLICT);
    cr_expect(strstr(shop_error_message(), "order-1"), "%s", shop_error_message());
    cr_expect_eq(stream_length("order-1"), 1, "nothing was written");
}

Test(appending_to_a_stream, writes_all_events_of_a_batch_or_none)
{
    struct es_new_event three[3] = {event("A", "{}"), event("B", "{}"), event("C", "{}")};
    cr_assert_eq(es_append(store, NULL, "order-1", ES_EXPECT_NO_STREAM, three, 3, NULL), 0);

    /* Expecting version 1: versions 2 and 3 are taken, version 4 is free — still none. */
    struct es_new_event batch[3] = {event("X", "{}"), event("Y", "{}"), event("Z", "{}")};
    assert_refused(es_append(store, NULL, "order-1", 1, batch, 3, NULL), SHOP_ECONFLICT);

    struct es_event_list l;
    cr_assert_eq(es_read_stream(store, &l, "order-1", ES_WHOLE_STREAM), 0);
    cr_assert_eq(l.count, 3, "none of the conflicting batch was written");
    cr_expect_str_eq(l.items[1].type, "B");
    cr_expect_str_eq(l.items[2].type, "C");
    es_event_list_dispose(&l);
    struct es_event_list log;
    cr_assert_eq(es_read_all(store, &log, (struct es_checkpoint){0, 0}, 100), 0);
    for (size_t i = 0; i < log.count; i++)
        cr_expect(strchr("ABC", log.items[i].type[0]), "the global log has %s", log.items[i].type);
    es_event_list_dispose(&log);
}

Test(appending_to_a_stream, with_any_version_expected_appends_after_whatever_is_there)
{
    append_one("order-1", ES_EXPECT_NO_STREAM, "OrderPlaced");
    append_one("order-1", 1, "OrderConfirmed");

    struct es_new_event two[2] = {event("NoteAdded", "{}"), event("NoteAdded", "{}")};
    int64_t v = -99;
    cr_assert_eq(es_append(store, &v, "order-1", ES_EXPECT_ANY, two, 2, NULL), 0, "%s",
                 shop_error_message());
    cr_expect_eq(v, 4);

    struct es_event_list l;
    cr_assert_eq(es_read_stream(store, &l, "order-1", ES_WHOLE_STREAM), 0);
    cr_assert_eq(l.count, 4);
    for (size_t i = 0; i < l.count; i++)
        cr_expect_eq(l.items[i].stream_version, (int64_t)i + 1, "versions 1..4 without a gap");
    es_event_list_dispose(&l);
}

Test(appending_to_a_stream, keeps_streams_apart)
{
    append_one("order-1", ES_EXPECT_NO_STREAM, "OrderPlaced");
    append_one("order-2", ES_EXPECT_NO_STREAM, "OrderPlaced");
    append_one("order-1", 1, "OrderConfirmed");
    cr_expect_eq(append_one("order-2", 1, "OrderCancelled"), 2);

    struct es_event_list l;
    cr_assert_eq(es_read_stream(store, &l, "order-2", ES_WHOLE_STREAM), 0);
    cr_assert_eq(l.count, 2);
    cr_expect_str_eq(l.items[0].stream_id, "order-2");
    cr_expect_str_eq(l.items[1].type, "OrderCancelled");
    es_event_list_dispose(&l);
}

/* ------------------------------------------------------------------ what is recorded */

Test(a_recorded_event, keeps_every_field_it_was_given)
{
    static const char placed[] = "{\"order_id\": \"o-1\", \"lines\": [{\"sku\": \"TEA-1\", "
                                 "\"quantity\": 2}], \"total\": \"37.50 EUR\"}";
    struct es_new_event batch[2] = {event("OrderPlaced", placed),
                                    event("OrderConfirmed", "{\"at\":\"now\"}")};
    batch[0].schema_version = 2;
    batch[1].meta.causation_id = batch[0].meta.message_id;
    batch[1].meta.message_id = id("0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a91");
    int64_t before = wall_clock_us();
    cr_assert_eq(es_append(store, NULL, "order-1", ES_EXPECT_NO_STREAM, batch, 2, NULL), 0, "%s",
                 shop_error_message());
    append_one("order-1", 2, "OrderShipped");

    struct es_event_list l;
    cr_assert_eq(es_read_stream(store, &l, "order-1", ES_WHOLE_STREAM), 0, "%s",
                 shop_error_message());
    cr_assert_eq(l.count, 3);
    const struct es_event *e = &l.items[0];
    cr_expect_str_eq(e->stream_id, "order-1");
    cr_expect_eq(e->stream_version, 1);
    cr_expect_str_eq(e->type, "OrderPlaced");
    cr_expect_eq(e->schema_version, 2);
    cr_expect(json_equal(e->data, placed), "data %s is the JSON %s", e->data, placed);
    cr_expect(uuid_equal(e->meta.message_id, batch[0].meta.message_id));
    cr_expect(uuid_equal(e->meta.correlation_id, batch[0].meta.correlation_id));
    cr_expect(uuid_equal(e->meta.causation_id, batch[0].meta.causation_id));
    cr_expect_str_eq(e->meta.traceparent, traceparent);
    cr_expect(e->recorded_at_us > before - 60 * 1000000LL &&
                  e->recorded_at_us < wall_clock_us() + 60 * 1000000LL,
              "recorded at %lld µs, now is %lld µs", (long long)e->recorded_at_us,
              (long long)wall_clock_us());
    cr_expect_neq(e->transaction_id, 0);

    const struct es_event *second = &l.items[1], *third = &l.items[2];
    cr_expect_eq(second->stream_version, 2);
    cr_expect_str_eq(second->type, "OrderConfirmed");
    cr_expect(uuid_equal(second->meta.message_id, batch[1].meta.message_id));
    cr_expect(uuid_equal(second->meta.causation_id, batch[0].meta.message_id),
              "the second event was caused by the first");
    cr_expect_gt(second->global_position, e->global_position, "positions increase");
    cr_expect_gt(third->global_position, second->global_position, "positions increase");
    cr_expect_eq(second->transaction_id, e->transaction_id,
                 "events of one append share a transaction");
    cr_expect_eq(second->recorded_at_us, e->recorded_at_us, "and its time");
    cr_expect_neq(third->transaction_id, e->transaction_id,
                  "another append is another transaction");
    es_event_list_dispose(&l);
}

Test(a_recorded_event, keeps_text_with_quotes_backslashes_braces_and_unicode)
{
    /* Each of these characters means something in SQL, in JSON or in an array literal. */
    static const char data[] =
        "{\"note\": \"a \\\"quoted\\\" word, a \\\\ backslash, {braces}, a comma, NULL, "
        "'single', caf\xc3\xa9 \xe2\x9c\x93\", \"nested\": {\"list\": [1, 2.5, null, true]}}";
    struct es_new_event e = event("Note\"Added\\", data);
    e.meta.traceparent[0] = '\0';
    cr_assert_eq(es_append(store, NULL, "order-{1},\"x\"", ES_EXPECT_NO_STREAM, &e, 1, NULL), 0,
                 "%s", shop_error_message());

    struct es_event_list l;
    cr_assert_eq(es_read_stream(store, &l, "order-{1},\"x\"", ES_WHOLE_STREAM), 0);
    cr_assert_eq(l.count, 1);
    cr_expect_str_eq(l.items[0].type, "Note\"Added\\");
    cr_expect_str_eq(l.items[0].stream_id, "order-{1},\"x\"");
    cr_expect(json_equal(l.items[0].data, data), "data %s is the JSON %s", l.items[0].data, data);
    cr_expect_str_eq(l.items[0].meta.traceparent, "", "no traceparent stays none");
    es_event_list_dispose(&l);
}

/* ------------------------------------------------------------------ reading */

/* order-1 with versions 1..5 of types E1..E5, each its own append (and transaction). */
static void five_events(void)
{
    static const char *const types[] = {"E1", "E2", "E3", "E4", "E5"};
    for (int i = 0; i < 5; i++)
        append_one("order-1", i, types[i]);
}

/* es_fold_stream: what a store without snapshots does to load an aggregate. */
struct fold_log {
    char types[16];
    int fail_at; /* the version whose apply fails; 0: none */
};

static int fold_type(void *arg, const struct es_event *e)
{
    struct fold_log *log = arg;
    if (e->stream_version == log->fail_at)
        return shop_error_set(SHOP_EINTERNAL, "cannot read %s", e->type);
    strncat(log->types, e->type + 1, sizeof log->types - strlen(log->types) - 1);
    return 0;
}

Test(folding_a_stream, hands_every_event_in_order_and_gives_the_last_version)
{
    five_events();
    struct fold_log log = {"", 0};
    int64_t version = -1;
    cr_assert_eq(es_fold_stream(&version, store, "order-1", fold_type, &log), 0, "%s",
                 shop_error_message());
    cr_expect_str_eq(log.types, "12345");
    cr_expect_eq(version, 5);
}

Test(folding_a_stream, of_a_stream_without_events_is_version_0)
{
    struct fold_log log = {"", 0};
    int64_t version = -1;
    cr_assert_eq(es_fold_stream(&version, store, "order-none", fold_type, &log), 0);
    cr_expect_str_eq(log.types, "");
    cr_expect_eq(version, 0);
}

Test(folding_a_stream, stops_at_an_event_that_cannot_be_applied_naming_its_version)
{
    five_events();
    struct fold_log log = {"", 3};
    int64_t version = -1;
    cr_expect_eq(es_fold_stream(&version, store, "order-1", fold_type, &log), SHOP_EINTERNAL);
    cr_expect_str_eq(shop_error_message(), "order-1 version 3: cannot read E3");
    cr_expect_str_eq(log.types, "12");
    cr_expect_eq(version, 0);
}

Test(reading_a_stream, from_a_version_gives_that_version_and_the_later_ones)
{
    five_events();
    struct es_event_list l;
    cr_assert_eq(es_read_stream(store, &l, "order-1",
                                (struct es_stream_range){3, ES_UNBOUNDED, ES_UNBOUNDED}),
                 0);
    cr_assert_eq(l.count, 3);
    cr_expect_eq(l.items[0].stream_version, 3);
    cr_expect_str_eq(l.items[0].type, "E3");
    cr_expect_eq(l.items[2].stream_version, 5);
    es_event_list_dispose(&l);
}

Test(reading_a_stream, as_of_a_version_stops_at_that_version)
{
    five_events();
    struct es_event_list l;
    cr_assert_eq(es_read_stream(store, &l, "order-1", (struct es_stream_range){1, 2, ES_UNBOUNDED}),
                 0);
    cr_assert_eq(l.count, 2);
    cr_expect_str_eq(l.items[0].type, "E1");
    cr_expect_str_eq(l.items[1].type, "E2");
    es_event_list_dispose(&l);

    cr_assert_eq(es_read_stream(store, &l, "order-1", (struct es_stream_range){2, 4, ES_UNBOUNDED}),
                 0);
    cr_assert_eq(l.count, 3);
    cr_expect_eq(l.items[0].stream_version, 2);
    cr_expect_eq(l.items[2].stream_version, 4);
    es_event_list_dispose(&l);
}

Test(reading_a_stream, as_of_a_time_gives_the_events_recorded_until_then)
{
    /*
     * Each append is its own transaction, so each event has its own time.  Two appends in
     * the same microsecond would tie: the short sleeps rule that out (the memory fixture's
     * clock moves on each reading anyway), and the test checks that the times differ.
     */
    for (int i = 0; i < 3; i++) {
        append_one("order-1", i, i == 0 ? "E1" : i == 1 ? "E2" : "E3");
        sleep_ms(2);
    }
    struct es_event_list all;
    cr_assert_eq(es_read_stream(store, &all, "order-1", ES_WHOLE_STREAM), 0);
    cr_assert_eq(all.count, 3);
    int64_t t1 = all.items[0].recorded_at_us, t2 = all.items[1].recorded_at_us;
    cr_assert(t1 < t2 && t2 < all.items[2].recorded_at_us, "later events are recorded later");
    es_event_list_dispose(&all);

    struct es_event_list l;
    cr_assert_eq(
        es_read_stream(store, &l, "order-1", (struct es_stream_range){1, ES_UNBOUNDED, t2}), 0);
    cr_expect_eq(l.count, 2, "recorded at or before the second event's time");
    es_event_list_dispose(&l);
    cr_assert_eq(
        es_read_stream(store, &l, "order-1", (struct es_stream_range){1, ES_UNBOUNDED, t2 - 1}), 0);
    cr_expect_eq(l.count, 1, "one microsecond earlier, the second event had not happened");
    es_event_list_dispose(&l);
    cr_assert_eq(
        es_read_stream(store, &l, "order-1", (struct es_stream_range){1, ES_UNBOUNDED, t1 - 1}), 0);
    cr_expect_eq(l.count, 0, "before the first event the order did not exist");
    es_event_list_dispose(&l);
}

Test(reading_a_stream, that_does_not_exist_gives_no_events)
{
    append_one("order-1", ES_EXPECT_NO_STREAM, "OrderPlaced");
    struct es_event_list l = {NULL, 42}; /* the store overwrites it */
    cr_assert_eq(es_read_stream(store, &l, "order-404", ES_WHOLE_STREAM), 0, "%s",
                 shop_error_message());
    cr_expect_eq(l.count, 0);
    es_event_list_dispose(&l);
}

Test(reading_a_stream, past_its_end_gives_no_events)
{
    five_events();
    struct es_event_list l;
    cr_assert_eq(es_read_stream(store, &l, "order-1",
                                (struct es_stream_range){6, ES_UNBOUNDED, ES_UNBOUNDED}),
                 0);
    cr_expect_eq(l.count, 0);
    es_event_list_dispose(&l);
}

/* ------------------------------------------------------------------ invalid requests */

/* Nothing at all was written: no stream, an empty global log. */
static void assert_nothing_written(const char *stream_id)
{
    cr_expect_eq(stream_length(stream_id), 0, "nothing was written to %s", stream_id);
    assert_log_has_nothing_after((struct es_checkpoint){0, 0});
}

Test(an_invalid_request, with_a_bad_stream_id_is_refused)
{
    struct es_new_event e = event("OrderPlaced", "{}");
    char too_long[ES_STREAM_ID_MAX + 2];
    memset(too_long, 'x', sizeof too_long - 1);
    too_long[sizeof too_long - 1] = '\0';
    const char *bad[] = {"", "order 1", "order-\t1", too_long, "ordre-\xc3\xa9"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_refused(es_append(store, NULL, bad[i], ES_EXPECT_ANY, &e, 1, NULL), SHOP_EINVALID);
        cr_expect(strstr(shop_error_message(), "stream id"), "%s", shop_error_message());
    }
    assert_refused(es_append(store, NULL, NULL, ES_EXPECT_ANY, &e, 1, NULL), SHOP_EINVALID);
    assert_nothing_written("order-1");

    struct es_event_list l;
    struct es_snapshot s;
    assert_refused(es_read_stream(store, &l, "order 1", ES_WHOLE_STREAM), SHOP_EINVALID);
    assert_refused(es_load(store, &s, &l, "", 1), SHOP_EINVALID);
}

Test(an_invalid_request, to_append_no_events_is_refused)
{
    struct es_new_event e = event("OrderPlaced", "{}");
    assert_refused(es_append(store, NULL, "order-1", ES_EXPECT_ANY, &e, 0, NULL), SHOP_EINVALID);
    assert_refused(es_append(store, NULL, "order-1", ES_EXPECT_ANY, NULL, 1, NULL), SHOP_EINVALID);
    assert_nothing_written("order-1");
}

Test(an_invalid_request, with_a_malformed_traceparent_writes_none_of_the_batch)
{
    struct es_new_event batch[2] = {event("OrderPlaced", "{}"), event("OrderConfirmed", "{}")};
    snprintf(batch[1].meta.traceparent, sizeof batch[1].meta.traceparent, "%s",
             "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01"); /* upper case */
    assert_refused(es_append(store, NULL, "order-1", ES_EXPECT_NO_STREAM, batch, 2, NULL),
                   SHOP_EINVALID);
    cr_expect(strstr(shop_error_message(), "event 2: traceparent"), "%s", shop_error_message());
    assert_nothing_written("order-1");
}

Test(an_invalid_request, with_a_bad_type_or_schema_version_is_refused)
{
    struct es_new_event e = event("Order Placed", "{}");
    assert_refused(es_append(store, NULL, "order-1", ES_EXPECT_ANY, &e, 1, NULL), SHOP_EINVALID);
    e = event("OrderPlaced", "{}");
    e.schema_version = 0;
    assert_refused(es_append(store, NULL, "order-1", ES_EXPECT_ANY, &e, 1, NULL), SHOP_EINVALID);
    assert_refused(es_append(store, NULL, "order-1", -2, &e, 1, NULL), SHOP_EINVALID);
    assert_nothing_written("order-1");
}

Test(an_invalid_request, with_data_that_is_not_a_json_object_is_refused)
{
    struct es_new_event batch[2] = {event("OrderPlaced", "{}"), event("OrderConfirmed", "[1]")};
    assert_refused(es_append(store, NULL, "order-1", ES_EXPECT_NO_STREAM, batch, 2, NULL),
                   SHOP_EINVALID);
    batch[1].data = "{\"unterminated\": ";
    assert_refused(es_append(store, NULL, "order-1", ES_EXPECT_NO_STREAM, batch, 2, NULL),
                   SHOP_EINVALID);
    assert_nothing_written("order-1");
}

Test(an_invalid_request, with_data_holding_the_nul_character_is_refused)
{
    struct es_new_event batch[2] = {event("OrderPlaced", "{}"),
                                    event("OrderCancelled", "{\"reason\": \"a\\u0000b\"}")};
    assert_refused(es_append(store, NULL, "order-1", ES_EXPECT_NO_STREAM, batch, 2, NULL),
                   SHOP_EINVALID);
    assert_nothing_written("order-1");
    /* an escaped backslash followed by "u0000" is ordinary text */
    batch[1].data = "{\"reason\": \"a\\\\u0000b\"}";
    cr_expect_eq(es_append(store, NULL, "order-1", ES_EXPECT_NO_STREAM, batch, 2, NULL), 0, "%s",
                 shop_error_message());
}

Test(an_invalid_request, for_a_snapshot_with_any_version_expected_is_refused)
{
    struct es_new_event e = event("OrderPlaced", "{}");
    struct es_snapshot snap = snapshot(1, 1, "{}");
    assert_refused(es_append(store, NULL, "order-1", ES_EXPECT_ANY, &e, 1, &snap), SHOP_EINVALID);
    snap.stream_version = 2; /* the append ends at version 1 */
    assert_refused(es_append(store, NULL, "order-1", ES_EXPECT_NO_STREAM, &e, 1, &snap),
                   SHOP_EINVALID);
    es_snapshot_dispose(&snap);
    assert_nothing_written("order-1");
}

Test(an_invalid_request, to_read_from_version_0_or_for_no_events_is_refused)
{
    struct es_event_list l;
    struct es_snapshot s;
    assert_refused(
        es_read_stream(store, &l, "order-1", (struct es_stream_range){0, 5, ES_UNBOUNDED}),
        SHOP_EINVALID);
    assert_refused(es_read_all(store, &l, (struct es_checkpoint){0, 0}, 0), SHOP_EINVALID);
    assert_refused(es_load(store, &s, &l, "order-1", 0), SHOP_EINVALID);
}

/* ------------------------------------------------------------------ snapshots */

static const char snapshot_v5[] = "{\"status\": \"confirmed\", \"lines\": 5}";

/* order-1: three events, two more with a snapshot at 5, then two more (7 in all). */
static void stream_with_snapshot_at_5(void)
{
    struct es_new_event three[3] = {event("E1", "{}"), event("E2", "{}"), event("E3", "{}")};
    struct es_new_event two[2] = {event("E4", "{}"), event("E5", "{}")};
    struct es_snapshot snap = snapshot(5, 1, snapshot_v5);
    int64_t v;
    cr_assert_eq(es_append(store, NULL, "order-1", ES_EXPECT_NO_STREAM, three, 3, NULL), 0);
    cr_assert_eq(es_append(store, &v, "order-1", 3, two, 2, &snap), 0, "%s", shop_error_message());
    cr_assert_eq(v, 5);
    es_snapshot_dispose(&snap);
    append_one("order-1", 5, "E6");
    append_one("order-1", 6, "E7");
}

Test(snapshots, are_stored_with_the_append_and_loaded_with_the_events_after_them)
{
    stream_with_snapshot_at_5();

    struct es_snapshot s;
    struct es_event_list l;
    cr_assert_eq(es_load(store, &s, &l, "order-1", 1), 0, "%s", shop_error_message());
    cr_expect_eq(s.stream_version, 5);
    cr_expect_eq(s.schema_version, 1);
    cr_assert_not_null(s.data);
    cr_expect(json_equal(s.data, snapshot_v5), "snapshot %s", s.data);
    cr_assert_eq(l.count, 2, "only the events after the snapshot");
    cr_expect_eq(l.items[0].stream_version, 6);
    cr_expect_str_eq(l.items[1].type, "E7");
    es_snapshot_dispose(&s);
    es_event_list_dispose(&l);
}

Test(snapshots, of_another_schema_version_are_ignored)
{
    stream_with_snapshot_at_5();

    struct es_snapshot s;
    struct es_event_list l;
    cr_assert_eq(es_load(store, &s, &l, "order-1", 2), 0, "%s", shop_error_message());
    cr_expect_null(s.data, "a snapshot of schema 1 is no use to code that reads schema 2");
    cr_expect_eq(s.stream_version, 0);
    cr_assert_eq(l.count, 7, "the whole stream instead");
    cr_expect_eq(l.items[0].stream_version, 1);
    es_snapshot_dispose(&s);
    es_event_list_dispose(&l);
}

Test(snapshots, a_later_one_replaces_the_earlier)
{
    stream_with_snapshot_at_5();
    struct es_new_event e = event("E8", "{}");
    struct es_snapshot later = snapshot(8, 1, "{\"lines\": 8}");
    cr_assert_eq(es_append(store, NULL, "order-1", 7, &e, 1, &later), 0, "%s",
                 shop_error_message());
    es_snapshot_dispose(&later);

    struct es_snapshot s;
    struct es_event_list l;
    cr_assert_eq(es_load(store, &s, &l, "order-1", 1), 0);
    cr_expect_eq(s.stream_version, 8);
    cr_expect(s.data && json_equal(s.data, "{\"lines\": 8}"), "snapshot %s", s.data);
    cr_expect_eq(l.count, 0);
    es_snapshot_dispose(&s);
    es_event_list_dispose(&l);
}

Test(snapshots, are_not_stored_when_the_append_is_refused)
{
    stream_with_snapshot_at_5();
    struct es_new_event e = event("E8", "{}");
    /* Stale: another writer is already at 7. */
    struct es_snapshot stale = snapshot(6, 1, "{\"stale\": 1}");
    assert_refused(es_append(store, NULL, "order-1", 5, &e, 1, &stale), SHOP_ECONFLICT);
    /* Ahead of the stream: no event is inserted, so neither is the snapshot. */
    struct es_snapshot ahead = snapshot(10, 1, "{\"ahead\": 1}");
    assert_refused(es_append(store, NULL, "order-1", 9, &e, 1, &ahead), SHOP_ECONFLICT);
    es_snapshot_dispose(&stale);
    es_snapshot_dispose(&ahead);

    struct es_snapshot s;
    struct es_event_list l;
    cr_assert_eq(es_load(store, &s, &l, "order-1", 1), 0);
    cr_expect_eq(s.stream_version, 5, "the snapshot at 5 is still the newest");
    cr_expect(s.data && json_equal(s.data, snapshot_v5), "snapshot %s", s.data);
    cr_expect_eq(l.count, 2);
    es_snapshot_dispose(&s);
    es_event_list_dispose(&l);

    /* And the store goes on working after the refusals. */
    struct es_snapshot next = snapshot(8, 1, "{\"next\": 1}");
    cr_assert_eq(es_append(store, NULL, "order-1", 7, &e, 1, &next), 0, "%s", shop_error_message());
    es_snapshot_dispose(&next);
}

Test(snapshots, are_not_needed_to_load_a_stream)
{
    five_events();
    struct es_snapshot s;
    struct es_event_list l;
    cr_assert_eq(es_load(store, &s, &l, "order-1", 1), 0, "%s", shop_error_message());
    cr_expect_null(s.data);
    cr_expect_eq(s.stream_version, 0);
    cr_expect_eq(l.count, 5);
    es_event_list_dispose(&l);

    cr_assert_eq(es_load(store, &s, &l, "order-404", 1), 0, "%s", shop_error_message());
    cr_expect_null(s.data);
    cr_expect_eq(l.count, 0, "a stream that does not exist loads as nothing");
    es_event_list_dispose(&l);
}

Test(snapshots, may_start_a_new_stream)
{
    struct es_new_event e = event("OrderPlaced", "{}");
    struct es_snapshot snap = snapshot(1, 3, "{\"v\": 1}");
    cr_assert_eq(es_append(store, NULL, "order-1", ES_EXPECT_NO_STREAM, &e, 1, &snap), 0, "%s",
                 shop_error_message());
    es_snapshot_dispose(&snap);
    struct es_snapshot s;
    struct es_event_list l;
    cr_assert_eq(es_load(store, &s, &l, "order-1", 3), 0);
    cr_expect_eq(s.stream_version, 1);
    cr_expect_eq(s.schema_version, 3);
    cr_expect_eq(l.count, 0);
    es_snapshot_dispose(&s);
    es_event_list_dispose(&l);
}

/* ------------------------------------------------------------------ the global log */

Test(the_global_log, is_read_in_batches_from_checkpoints_without_skipping_or_repeating)
{
    /* Ten events in three streams, in eight appends. */
    const char *streams[] = {"order-a", "order-b", "order-c"};
    int64_t versions[3] = {0, 0, 0};
    size_t appended = 0;
    for (int i = 0; i < 8; i++) {
        struct es_new_event batch[2] = {event("E", "{}"), event("E", "{}")};
        size_t n = i % 4 == 0 ? 2 : 1;
        int k = i % 3;
        cr_assert_eq(es_append(store, &versions[k], streams[k], versions[k], batch, n, NULL), 0,
                     "%s", shop_error_message());
        appended += n;
    }
    cr_assert_eq(appended, 10);

    struct es_event_list everything;
    read_log_until(&everything, (struct es_checkpoint){0, 0}, 10);
    es_event_list_dispose(&everything);

    int64_t seen[10];
    size_t seen_count = 0, batches = 0;
    struct es_checkpoint at = {0, 0};
    for (;;) {
        struct es_event_list batch;
        cr_assert_eq(es_read_all(store, &batch, at, 3), 0, "%s", shop_error_message());
        if (batch.count == 0)
            break;
        batches++;
        cr_expect_eq(batch.count, seen_count + 3 <= 10 ? 3 : 10 - seen_count,
                     "a full batch of 3 while there are 3 more");
        for (size_t i = 0; i < batch.count; i++) {
            const struct es_event *e = &batch.items[i];
            cr_expect(comes_after(e, at), "each event comes after the one before");
            for (size_t j = 0; j < seen_count; j++)
                cr_expect_neq(seen[j], e->global_position, "position %lld read twice",
                              (long long)e->global_position);
            cr_assert_lt(seen_count, 10, "more events than appended");
            seen[seen_count++] = e->global_position;
            at = checkpoint_of(e);
        }
        es_event_list_dispose(&batch);
    }
    cr_expect_eq(seen_count, 10, "every event was read");
    cr_expect_eq(batches, 4);
}

Test(the_global_log, has_the_events_of_every_stream_with_their_fields)
{
    struct es_new_event e = event("OrderPlaced", "{\"a\": [1, 2]}");
    cr_assert_eq(es_append(store, NULL, "order-a", ES_EXPECT_NO_STREAM, &e, 1, NULL), 0);
    cr_assert_eq(es_append(store, NULL, "order-b", ES_EXPECT_NO_STREAM, &e, 1, NULL), 0);

    struct es_event_list l;
    read_log_until(&l, (struct es_checkpoint){0, 0}, 2);
    cr_expect_str_eq(l.items[0].stream_id, "order-a");
    cr_expect_str_eq(l.items[1].stream_id, "order-b");
    cr_expect_eq(l.items[1].stream_version, 1);
    cr_expect_str_eq(l.items[1].type, "OrderPlaced");
    cr_expect(json_equal(l.items[1].data, "{\"a\": [1, 2]}"), "%s", l.items[1].data);
    cr_expect(uuid_equal(l.items[1].meta.correlation_id, e.meta.correlation_id));
    cr_expect_str_eq(l.items[1].meta.traceparent, traceparent);
    cr_expect_lt(l.items[0].transaction_id, l.items[1].transaction_id);
    es_event_list_dispose(&l);
}

/*
 * The slow writer: it appends (taking a position) and keeps its transaction open while
 * others append and commit.  A reader that trusted positions alone would read past it and
 * never see it.  The rule — only transactions older than every open one — holds back the
 * slow writer's event AND everything committed after it began; once it ends, the reader
 * continues from its checkpoint and gets each event exactly once.
 */
static void slow_writer_scenario(int commit)
{
    append_one("order-a", ES_EXPECT_NO_STREAM, "A1");
    append_one("order-b", ES_EXPECT_NO_STREAM, "A2");
    struct es_new_event slow = event("Slow", "{}");
    contract_es_start_slow_writer("order-slow", &slow);
    append_one("order-a", 1, "B1");
    append_one("order-b", 1, "B2");
    append_one("order-c", ES_EXPECT_NO_STREAM, "B3");

    /* Everything available: exactly the events older than the slow writer. */
    struct es_event_list first;
    read_log_until(&first, (struct es_checkpoint){0, 0}, 2);
    cr_expect_str_eq(first.items[0].type, "A1");
    cr_expect_str_eq(first.items[1].type, "A2");
    struct es_checkpoint at = checkpoint_of(&first.items[1]);
    es_event_list_dispose(&first);
    assert_log_has_nothing_after(at); /* B1..B3 are committed, yet held back */
    cr_expect_eq(stream_length("order-slow"), 0, "an open transaction's event is not visible");

    contract_es_finish_slow_writer(commit);

    struct es_event_list rest;
    read_log_until(&rest, at, commit ? 4 : 3);
    size_t b = 0;
    if (commit) {
        cr_expect_str_eq(rest.items[0].type, "Slow", "the slow writer's event comes first");
        b = 1;
        for (size_t i = 1; i < rest.count; i++)
            cr_expect_lt(rest.items[0].global_position, rest.items[i].global_position,
                         "the slow event took its position before %s: the hazard a reader "
                         "checkpointing on positions alone would fall into",
                         rest.items[i].type);
    }
    cr_expect_str_eq(rest.items[b + 0].type, "B1");
    cr_expect_str_eq(rest.items[b + 1].type, "B2");
    cr_expect_str_eq(rest.items[b + 2].type, "B3");
    for (size_t i = 0; i < rest.count; i++)
        cr_expect_str_neq(rest.items[i].type, "A1");
    struct es_checkpoint end = checkpoint_of(&rest.items[rest.count - 1]);
    es_event_list_dispose(&rest);
    assert_log_has_nothing_after(end);

    cr_expect_eq(stream_length("order-slow"), commit ? 1 : 0);
}

Test(the_global_log, gives_a_slow_writers_event_once_it_commits_and_skips_nothing)
{
    slow_writer_scenario(1);
}

Test(the_global_log, never_gives_the_event_of_a_slow_writer_that_rolls_back)
{
    slow_writer_scenario(0);
}

Test(the_global_log, is_ordered_by_transaction_so_an_old_transaction_appending_late_is_not_skipped)
{
    contract_es_begin_slow_writer(); /* an old transaction, id taken, nothing appended */
    append_one("order-a", ES_EXPECT_NO_STREAM, "Quick");
    struct es_new_event slow = event("Slow", "{}");
    contract_es_slow_writer_append("order-slow", &slow);
    assert_log_has_nothing_after((struct es_checkpoint){0, 0});
    contract_es_finish_slow_writer(1);

    /* One event per batch: each read resumes from the checkpoint of the one before. */
    struct es_event_list all;
    read_log_until(&all, (struct es_checkpoint){0, 0}, 2);
    es_event_list_dispose(&all);
    struct es_event_list first, second;
    cr_assert_eq(es_read_all(store, &first, (struct es_checkpoint){0, 0}, 1), 0);
    cr_assert_eq(first.count, 1);
    cr_assert_eq(es_read_all(store, &second, checkpoint_of(&first.items[0]), 1), 0);
    cr_assert_eq(second.count, 1, "the second event was not skipped");
    cr_expect_str_eq(first.items[0].type, "Slow", "the older transaction comes first");
    cr_expect_str_eq(second.items[0].type, "Quick");
    cr_expect_gt(first.items[0].global_position, second.items[0].global_position,
                 "although its position is higher: positions alone would have skipped it");
    assert_log_has_nothing_after(checkpoint_of(&second.items[0]));
    es_event_list_dispose(&first);
    es_event_list_dispose(&second);
}

Test(the_global_log, is_empty_for_a_new_store)
{
    assert_log_has_nothing_after((struct es_checkpoint){0, 0});
}
