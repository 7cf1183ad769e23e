/*
 * tests/contract/order_store_contract.c — the order store on an event store, with
 * snapshots, against every event-store adapter.
 *
 * Pattern: contract tests.  This suite is compiled once per event-store adapter and
 * linked with that adapter's fixture (the event-store contract's own fixtures,
 * tests/contract/event_store_*_fixture.c: a new, empty store per test), so the order
 * store keeps the same promises on PostgreSQL as in memory.
 *
 * What a user relies on: an order loads as the fold of its events; a stale version is a
 * conflict; a snapshot every N events changes how fast an order loads, never what it
 * loads; and a snapshot this program cannot use (another schema version, damaged) is
 * ignored, not trusted.
 *
 * Real orders have two or three events.  To cross snapshot boundaries these tests also
 * append repeated confirmations: the store never decides, it folds whatever was recorded,
 * and each confirmation moves closed_at_us, so every version has a state of its own.
 * Read next: infrastructure/ordering/order_store_es.c, docs/adr/0007-upcasting-and-snapshots.md
 */
#include "domain/shared/error.h"
#include "infrastructure/ordering/order_codec.h"
#include "infrastructure/ordering/order_store_es.h"
#include "tests/contract/event_store_contract.h"

#include "tests/support/order_expect.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#define T0 1718000000000000

static struct event_store *es;
static struct order_store *orders;
static order_id id;
static char stream[ORDER_STREAM_ID_SIZE];

/* An order store on es that snapshots every `every` events (0: never). */
static struct order_store *new_store(int every)
{
    struct order_store *s;
    cr_assert_eq(order_store_es_new(&s, es, every), 0, "%s", shop_error_message());
    return s;
}

static void setup_every(int every)
{
    es = contract_es_new();
    orders = new_store(every);
    cr_assert_eq(order_id_parse(&id, "0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90"), 0);
    order_stream_id(stream, id);
}

static void setup_without_snapshots(void)
{
    setup_every(0);
}

/* N = 3 */
static void setup_snapshots_every_3(void)
{
    setup_every(3);
}

static void teardown(void)
{
    order_store_free(orders);
    contract_es_free(es);
}

static money eur(const char *amount)
{
    money m;
    cr_assert_eq(money_parse(&m, amount, "EUR"), 0);
    return m;
}

static order_event placed_event(const char *customer)
{
    order_event e = {.type = ORDER_PLACED, .order_id = id, .at_us = T0};
    struct order_placed *p = &e.as.placed;
    cr_assert_eq(customer_id_parse(&p->customer, customer), 0);
    cr_assert_eq(ship_to_parse(&p->address.ship_to, "1 Main Street"), 0);
    cr_assert_eq(postcode_parse(&p->address.postcode, "12345"), 0);
    cr_assert_eq(sku_parse(&p->lines[0].sku, "MUG-RED"), 0);
    cr_assert_eq(quantity_make(&p->lines[0].quantity, 2), 0);
    p->lines[0].unit_price = eur("12.50");
    p->lines[0].line_total = eur("25.00");
    p->line_count = 1;
    p->total = eur("25.00");
    return e;
}

static order_event confirmed_event(int64_t at_us)
{
    return (order_event){.type = ORDER_CONFIRMED, .order_id = id, .at_us = at_us};
}

/* Appends one event at the version it expects, through store s. */
static void append(struct order_store *s, int64_t expected_version, order_event e)
{
    struct message_meta meta = {0};
    meta.message_id.bytes[15] = (uint8_t)(expected_version + 1);
    cr_assert_eq(order_store_append(s, &id, expected_version, &e, 1, &meta), 0, "%s",
                 shop_error_message());
}

/* Records OrderPlaced and then confirmations up to `versions` events, loading before each
 * append as a command handler does. */
static void record_stream(struct order_store *s, int64_t versions)
{
    for (int64_t v = 0; v < versions; v++) {
        order state;
        int64_t at;
        cr_assert_eq(order_store_load(s, &state, &at, &id), 0, "%s", shop_error_message());
        cr_assert_eq(at, v);
        append(s, v, v == 0 ? placed_event("customer-42") : confirmed_event(T0 + v));
    }
}

/* The snapshot-free truth: every event of the stream, decoded and folded by the test. */
static void fold_whole_stream(order *out, int64_t *out_version)
{
    struct es_event_list all;
    order_init(out);
    *out_version = 0;
    cr_assert_eq(es_read_stream(es, &all, stream, ES_WHOLE_STREAM), 0);
    for (size_t i = 0; i < all.count; i++) {
        order_event e;
        cr_assert_eq(order_event_decode(&e, all.items[i].type, all.items[i].schema_version,
                                        all.items[i].data),
                     0);
        order_evolve(out, &e);
        *out_version = all.items[i].stream_version;
    }
    es_event_list_dispose(&all);
}


/* The snapshot the store keeps for this order's current schema, and the events after it. */
static void stored_snapshot(struct es_snapshot *out, struct es_event_list *after)
{
    cr_assert_eq(es_load(es, out, after, stream, ORDER_SNAPSHOT_SCHEMA_VERSION), 0, "%s",
                 shop_error_message());
}

/*
 * Appends one confirmation at version `version` straight to the event store, with a
 * snapshot of our own making: the way to plant snapshots the order store would not write.
 */
static void plant_snapshot(int64_t version, int schema_version, const char *data)
{
    order_event e = confirmed_event(T0 + version);
    char *json;
    const char *type;
    int event_schema;
    cr_assert_eq(order_event_encode(&json, &type, &event_schema, &e), 0);
    struct es_new_event record = {.type = type, .schema_version = event_schema, .data = json};
    struct es_snapshot snapshot = {version, schema_version, strdup(data)};
    cr_assert_eq(es_append(es, NULL, stream, version - 1, &record, 1, &snapshot), 0, "%s",
                 shop_error_message());
    es_snapshot_dispose(&snapshot);
    free(json);
}

/* A valid snapshot of this order, but with another customer: if it is used, it shows. */
static char *snapshot_with_customer(const char *customer, int64_t closed_at_us)
{
    order o;
    order_init(&o);
    order_event placed = placed_event(customer);
    order_evolve(&o, &placed);
    order_event confirmed = confirmed_event(closed_at_us);
    order_evolve(&o, &confirmed);
    char *json;
    cr_assert_eq(order_snapshot_encode(&json, &o), 0);
    return json;
}

/*
 * An event store in front of es whose appends can be rolled back: with rolling_back set,
 * an append reports success, as one that joined the caller's transaction does, and leaves
 * nothing, as that transaction's ROLLBACK does afterwards.  Everything else goes to es.
 */
struct rolling_back_store {
    struct event_store base;
    struct event_store *inner;
    bool rolling_back;
};

static int rb_append(struct event_store *self, int64_t *out_version, const char *stream_id,
                     int64_t expected_version, const struct es_new_event *events, size_t n,
                     const struct es_snapshot *snapshot)
{
    struct rolling_back_store *s = (struct rolling_back_store *)self;
    if (!s->rolling_back)
        return es_append(s->inner, out_version, stream_id, expected_version, events, n, snapshot);
    if (out_version)
        *out_version = expected_version + (int64_t)n;
    return 0;
}

static int rb_read_stream(struct event_store *self, struct es_event_list *out,
                          const char *stream_id, struct es_stream_range range)
{
    return es_read_stream(((struct rolling_back_store *)self)->inner, out, stream_id, range);
}

static int rb_load(struct event_store *self, struct es_snapshot *out_snapshot,
                   struct es_event_list *out_events, const char *stream_id,
                   int snapshot_schema_version)
{
    return es_load(((struct rolling_back_store *)self)->inner, out_snapshot, out_events, stream_id,
                   snapshot_schema_version);
}

static int rb_read_all(struct event_store *self, struct es_event_list *out,
                       struct es_checkpoint after, size_t max_count)
{
    return es_read_all(((struct rolling_back_store *)self)->inner, out, after, max_count);
}

static void rb_free(struct event_store *self)
{
    (void)self;
}

static struct rolling_back_store rolling_back_store_on(struct event_store *inner)
{
    return (struct rolling_back_store){
        {EVENT_STORE_VERSION, rb_append, rb_read_stream, rb_load, rb_read_all, rb_free},
        inner,
        false};
}

/* ---- keeping orders ---- */

TestSuite(keeping_orders, .init = setup_without_snapshots, .fini = teardown);

Test(keeping_orders, an_order_never_placed_loads_as_nothing_at_version_0)
{
    order o;
    int64_t v = 99;
    cr_assert_eq(order_store_load(orders, &o, &v, &id), 0, "%s", shop_error_message());
    cr_expect_eq(o.status, ORDER_STATUS_NONE);
    cr_expect_eq(v, 0);
}

Test(keeping_orders, an_order_loads_as_the_fold_of_its_events)
{
    record_stream(orders, 2);
    order o;
    int64_t v;
    cr_assert_eq(order_store_load(orders, &o, &v, &id), 0, "%s", shop_error_message());
    cr_expect_eq(v, 2);
    cr_expect_eq(o.status, ORDER_STATUS_CONFIRMED);
    cr_expect_str_eq(o.customer.text, "customer-42");
    cr_expect_eq(o.line_count, 1);
    cr_expect(money_equal(o.total, eur("25.00")));
    cr_expect_eq(o.placed_at_us, T0);
    cr_expect_eq(o.closed_at_us, T0 + 1);
}

Test(keeping_orders, an_append_at_a_stale_version_is_a_conflict_and_records_nothing)
{
    record_stream(orders, 1);
    order_event e = confirmed_event(T0 + 5);
    cr_expect_eq(order_store_append(orders, &id, 0, &e, 1, NULL), SHOP_ECONFLICT);
    order_event again = placed_event("someone-else");
    cr_expect_eq(order_store_append(orders, &id, 0, &again, 1, NULL), SHOP_ECONFLICT);
    order o;
    int64_t v;
    cr_assert_eq(order_store_load(orders, &o, &v, &id), 0);
    cr_expect_eq(v, 1);
    cr_expect_eq(o.status, ORDER_STATUS_PLACED);
    cr_expect_str_eq(o.customer.text, "customer-42");
}

Test(keeping_orders, every_event_carries_the_ids_it_was_appended_with)
{
    struct message_meta meta = {0};
    cr_assert_eq(uuid_parse(&meta.message_id, "0190a6f4-0000-7000-8000-000000000001"), 0);
    cr_assert_eq(uuid_parse(&meta.causation_id, "0190a6f4-0000-7000-8000-000000000002"), 0);
    meta.correlation_id = id.uuid;
    strcpy(meta.traceparent, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    order_event e = placed_event("customer-42");
    cr_assert_eq(order_store_append(orders, &id, 0, &e, 1, &meta), 0, "%s", shop_error_message());

    struct es_event_list all;
    cr_assert_eq(es_read_stream(es, &all, stream, ES_WHOLE_STREAM), 0);
    cr_assert_eq(all.count, 1);
    cr_expect_str_eq(all.items[0].type, "OrderPlaced");
    cr_expect_eq(all.items[0].schema_version, ORDER_PLACED_SCHEMA_VERSION);
    cr_expect(uuid_equal(all.items[0].meta.message_id, meta.message_id));
    cr_expect(uuid_equal(all.items[0].meta.causation_id, meta.causation_id));
    cr_expect(uuid_equal(all.items[0].meta.correlation_id, meta.correlation_id));
    cr_expect_str_eq(all.items[0].meta.traceparent, meta.traceparent);
    es_event_list_dispose(&all);
}

Test(keeping_orders, an_event_of_another_order_is_refused)
{
    order_event e = placed_event("customer-42");
    cr_assert_eq(order_id_parse(&e.order_id, "0190a6f4-8d1e-7c3a-9b2f-000000000000"), 0);
    cr_expect_eq(order_store_append(orders, &id, 0, &e, 1, NULL), SHOP_EINVALID);
    struct es_event_list all;
    cr_assert_eq(es_read_stream(es, &all, stream, ES_WHOLE_STREAM), 0);
    cr_expect_eq(all.count, 0);
    es_event_list_dispose(&all);
}

Test(keeping_orders, without_snapshots_configured_none_is_written)
{
    record_stream(orders, 7);
    struct es_snapshot snapshot;
    struct es_event_list after;
    stored_snapshot(&snapshot, &after);
    cr_expect_null(snapshot.data);
    cr_expect_eq(after.count, 7);
    es_snapshot_dispose(&snapshot);
    es_event_list_dispose(&after);
}

/* ---- snapshots every N = 3 events ---- */

TestSuite(snapshotting_orders, .init = setup_snapshots_every_3, .fini = teardown);

Test(snapshotting_orders, after_n_plus_k_events_an_order_loads_as_without_snapshots)
{
    record_stream(orders, 3 + 2);
    order with_snapshot, truth;
    int64_t v, truth_version;
    cr_assert_eq(order_store_load(orders, &with_snapshot, &v, &id), 0, "%s", shop_error_message());
    fold_whole_stream(&truth, &truth_version);
    cr_expect_eq(v, 5);
    cr_expect_eq(truth_version, 5);
    expect_same_order(&with_snapshot, &truth);
    cr_expect_eq(with_snapshot.closed_at_us, T0 + 4, "the last event after the snapshot counts");
}

Test(snapshotting_orders, the_snapshot_is_stored_at_version_n_with_the_state_there)
{
    record_stream(orders, 3 + 2);
    struct es_snapshot snapshot;
    struct es_event_list after;
    stored_snapshot(&snapshot, &after);
    cr_assert_not_null(snapshot.data, "a snapshot at version 3");
    cr_expect_eq(snapshot.stream_version, 3);
    cr_expect_eq(snapshot.schema_version, ORDER_SNAPSHOT_SCHEMA_VERSION);
    cr_assert_eq(after.count, 2, "the events after it: versions 4 and 5");
    cr_expect_eq(after.items[0].stream_version, 4);

    order at_3;
    cr_assert_eq(order_snapshot_decode(&at_3, snapshot.data), 0, "%s", shop_error_message());
    cr_expect_eq(at_3.status, ORDER_STATUS_CONFIRMED);
    cr_expect_eq(at_3.closed_at_us, T0 + 2, "the state after event 3, not before or after");
    es_snapshot_dispose(&snapshot);
    es_event_list_dispose(&after);
}

Test(snapshotting_orders, a_snapshot_is_written_when_an_append_crosses_n)
{
    record_stream(orders, 2);
    order_event two[2] = {confirmed_event(T0 + 10), confirmed_event(T0 + 11)};
    cr_assert_eq(order_store_append(orders, &id, 2, two, 2, NULL), 0, "%s", shop_error_message());

    struct es_snapshot snapshot;
    struct es_event_list after;
    stored_snapshot(&snapshot, &after);
    cr_assert_not_null(snapshot.data);
    cr_expect_eq(snapshot.stream_version, 4, "at the end of the append that crossed 3");
    cr_expect_eq(after.count, 0);
    order o;
    cr_assert_eq(order_snapshot_decode(&o, snapshot.data), 0);
    cr_expect_eq(o.closed_at_us, T0 + 11);
    es_snapshot_dispose(&snapshot);
    es_event_list_dispose(&after);
}

Test(snapshotting_orders, an_append_without_a_load_before_it_still_writes_its_snapshot)
{
    record_stream(orders, 2);
    /* A second store instance: it has loaded nothing, so it must fetch the state itself. */
    struct order_store *fresh = new_store(3);
    append(fresh, 2, confirmed_event(T0 + 2));
    order_store_free(fresh);

    struct es_snapshot snapshot;
    struct es_event_list after;
    stored_snapshot(&snapshot, &after);
    cr_assert_not_null(snapshot.data);
    cr_expect_eq(snapshot.stream_version, 3);
    order from_snapshot, truth;
    int64_t v;
    cr_assert_eq(order_snapshot_decode(&from_snapshot, snapshot.data), 0);
    fold_whole_stream(&truth, &v);
    expect_same_order(&from_snapshot, &truth);
    es_snapshot_dispose(&snapshot);
    es_event_list_dispose(&after);
}

Test(snapshotting_orders, an_order_loads_from_its_snapshot_not_from_its_first_event)
{
    record_stream(orders, 1);
    char *json = snapshot_with_customer("only-in-the-snapshot", T0 + 2);
    plant_snapshot(2, ORDER_SNAPSHOT_SCHEMA_VERSION, json);
    free(json);
    append(orders, 2, confirmed_event(T0 + 3));

    order o;
    int64_t v;
    cr_assert_eq(order_store_load(orders, &o, &v, &id), 0, "%s", shop_error_message());
    cr_expect_str_eq(o.customer.text, "only-in-the-snapshot");
    cr_expect_eq(o.closed_at_us, T0 + 3, "and folds the events after it");
    cr_expect_eq(v, 3);
}

Test(snapshotting_orders, a_snapshot_of_another_schema_version_is_ignored)
{
    /*
     * Versions start at 1 and ORDER_SNAPSHOT_SCHEMA_VERSION is 1, so no older snapshot can
     * exist yet: the one planted here is from newer code, as during a rolling upgrade or
     * after a rollback.  Its data is a valid current snapshot, so only its schema version
     * tells it apart: used, it would show its customer.
     */
    record_stream(orders, 1);
    char *json = snapshot_with_customer("written-by-newer-code", T0 + 1);
    plant_snapshot(2, ORDER_SNAPSHOT_SCHEMA_VERSION + 1, json);
    free(json);

    order o, truth;
    int64_t v, truth_version;
    cr_assert_eq(order_store_load(orders, &o, &v, &id), 0, "%s", shop_error_message());
    fold_whole_stream(&truth, &truth_version);
    cr_expect_str_eq(o.customer.text, "customer-42");
    cr_expect_eq(v, 2);
    expect_same_order(&o, &truth);
}

Test(snapshotting_orders, a_snapshot_that_does_not_decode_is_ignored)
{
    record_stream(orders, 1);
    plant_snapshot(2, ORDER_SNAPSHOT_SCHEMA_VERSION, "{\"order_id\": \"damaged\", \"status\": 7}");

    order o, truth;
    int64_t v, truth_version;
    cr_assert_eq(order_store_load(orders, &o, &v, &id), 0, "%s", shop_error_message());
    fold_whole_stream(&truth, &truth_version);
    cr_expect_eq(v, 2);
    expect_same_order(&o, &truth);
}

Test(snapshotting_orders, a_snapshot_of_another_order_is_ignored)
{
    record_stream(orders, 1);
    order other;
    order_init(&other);
    order_event placed = placed_event("another-order");
    cr_assert_eq(order_id_parse(&placed.order_id, "0190a6f4-8d1e-7c3a-9b2f-000000000000"), 0);
    order_evolve(&other, &placed);
    char *json;
    cr_assert_eq(order_snapshot_encode(&json, &other), 0);
    plant_snapshot(2, ORDER_SNAPSHOT_SCHEMA_VERSION, json);
    free(json);

    order o;
    int64_t v;
    cr_assert_eq(order_store_load(orders, &o, &v, &id), 0, "%s", shop_error_message());
    cr_expect_str_eq(o.customer.text, "customer-42");
    cr_expect(uuid_equal(o.id.uuid, id.uuid));
    cr_expect_eq(v, 2);
}

Test(snapshotting_orders, a_snapshot_never_contains_events_that_were_rolled_back)
{
    /*
     * Writer A loads the placed order and cancels it inside its caller's transaction, which
     * then rolls back; writer B confirms the order at the same version.  A's next append,
     * made without a load, crosses N: its snapshot must hold B's confirmation, which is in
     * the stream, not A's cancellation, which never was.  A load trusts the snapshot, so a
     * wrong one would show.
     */
    struct rolling_back_store rb = rolling_back_store_on(es);
    struct order_store *a;
    cr_assert_eq(order_store_es_new(&a, &rb.base, 3), 0, "%s", shop_error_message());
    record_stream(orders, 1);
    order state;
    int64_t v;
    cr_assert_eq(order_store_load(a, &state, &v, &id), 0, "%s", shop_error_message());
    cr_assert_eq(v, 1);
    order_event cancelled = {.type = ORDER_CANCELLED, .order_id = id, .at_us = T0 + 1};
    strcpy(cancelled.as.cancelled.reason, "rolled back");
    rb.rolling_back = true;
    append(a, 1, cancelled);
    rb.rolling_back = false;

    append(orders, 1, confirmed_event(T0 + 1));
    append(a, 2, confirmed_event(T0 + 2));
    order_store_free(a);

    order loaded, truth;
    int64_t truth_version;
    cr_assert_eq(order_store_load(orders, &loaded, &v, &id), 0, "%s", shop_error_message());
    fold_whole_stream(&truth, &truth_version);
    cr_expect_eq(v, 3);
    cr_expect_str_eq(loaded.reason, "", "no trace of the cancellation that was rolled back");
    expect_same_order(&loaded, &truth);
}
