/*
 * tests/unit/order_service_test.c — Ordering's command handlers, on in-memory adapters.
 *
 * The real handlers (application/ordering/order_service.c) and the real order store
 * (infrastructure/ordering/order_store_es.c) run on the in-memory event store, a price
 * list the test fills, a clock it sets and ids it can predict, so every assertion is
 * exact and a run takes milliseconds.
 *
 * What a user relies on: an order is priced from the price list, never from the
 * customer, with an exact total; a refused command records nothing; confirming or
 * cancelling twice records one event; a command that races another writer is decided
 * again on the latest state, and gives up (SHOP_ECONFLICT) rather than loop forever;
 * every event carries the ids `shop trace` follows.
 * Read next: tests/contract/order_store_contract.c (the store's own promises).
 */
#include "application/ordering/order_service.h"
#include "domain/shared/error.h"
#include "infrastructure/memory/clock_manual.h"
#include "infrastructure/memory/event_store_memory.h"
#include "infrastructure/memory/id_generator_sequence.h"
#include "infrastructure/memory/price_list_memory.h"
#include "infrastructure/ordering/order_codec.h"
#include "infrastructure/ordering/order_store_es.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0 1718000000000000 /* 2024-06-10T06:13:20Z, in microseconds */

static struct shop_clock *clock_;
static struct id_generator *ids;
static struct price_list *prices;
static struct event_store *events;
static struct order_store *store;
static struct order_service svc;

static void set_price(const char *code, const char *amount)
{
    sku s;
    money m;
    cr_assert_eq(sku_parse(&s, code), 0);
    cr_assert_eq(money_parse(&m, amount, NULL), 0);
    price_list_memory_set(prices, &s, m);
}

static void setup(void)
{
    cr_assert_eq(clock_manual_new(&clock_, T0), 0);
    cr_assert_eq(id_generator_sequence_new(&ids), 0);
    cr_assert_eq(price_list_memory_new(&prices), 0);
    cr_assert_eq(event_store_memory_new(&events, clock_), 0);
    cr_assert_eq(order_store_es_new(&store, events, ORDER_SNAPSHOT_EVERY_DEFAULT), 0);
    svc = (struct order_service){.orders = store, .prices = prices, .clock = clock_, .ids = ids};
    set_price("MUG-RED", "12.50 EUR");
    set_price("TEE-L", "19.99 EUR");
    set_price("PEN", "0.10 EUR");
}

static void teardown(void)
{
    order_store_free(store);
    es_free(events);
    price_list_free(prices);
    id_generator_free(ids);
    shop_clock_free(clock_);
}

/* A request for customer-42 at a Berlin address, without lines yet. */
static struct place_order_request *new_request(void)
{
    struct place_order_request *req = calloc(1, sizeof *req);
    cr_assert_eq(customer_id_parse(&req->customer, "customer-42"), 0);
    cr_assert_eq(ship_to_parse(&req->address.ship_to, "Müllerstraße 5, Berlin"), 0);
    cr_assert_eq(postcode_parse(&req->address.postcode, "10115"), 0);
    return req;
}

static void add_line(struct place_order_request *req, const char *code, int qty)
{
    cr_assert_eq(sku_parse(&req->lines[req->line_count].sku, code), 0);
    cr_assert_eq(quantity_make(&req->lines[req->line_count].quantity, qty), 0);
    req->line_count++;
}

/* Places 3 x MUG-RED and 1 x TEE-L; the test fails if that is refused. */
static order_id place_an_order(const struct message_meta *meta)
{
    struct place_order_request *req = new_request();
    add_line(req, "MUG-RED", 3);
    add_line(req, "TEE-L", 1);
    order_id id;
    cr_assert_eq(order_service_place(&id, &svc, req, meta), 0, "%s", shop_error_message());
    free(req);
    return id;
}

/* Every event recorded in the store, of every stream. */
static void read_everything(struct es_event_list *out)
{
    cr_assert_eq(es_read_all(events, out, (struct es_checkpoint){0, 0}, 1000), 0, "%s",
                 shop_error_message());
}

static size_t recorded_count(void)
{
    struct es_event_list all;
    read_everything(&all);
    size_t n = all.count;
    es_event_list_dispose(&all);
    return n;
}

/* The events of one order's stream. */
static void read_order(struct es_event_list *out, order_id id)
{
    char stream[ORDER_STREAM_ID_SIZE];
    cr_assert_eq(es_read_stream(events, out, order_stream_id(stream, id), ES_WHOLE_STREAM), 0);
}

static void decode(order_event *out, const struct es_event *e)
{
    cr_assert_eq(order_event_decode(out, e->type, e->schema_version, e->data), 0, "%s",
                 shop_error_message());
}

static const char *money_text(money m)
{
    static char text[2][MONEY_FORMAT_MAX];
    static int next;
    char *out = text[next++ % 2];
    cr_assert_eq(money_format(out, MONEY_FORMAT_MAX, m), 0);
    return out;
}

static enum order_status status_of(order_id id, int64_t *out_version)
{
    order o;
    int64_t version;
    cr_assert_eq(order_store_load(store, &o, &version, &id), 0, "%s", shop_error_message());
    if (out_version)
        *out_version = version;
    return o.status;
}

static shop_uuid uuid(const char *text)
{
    shop_uuid u;
    cr_assert_eq(uuid_parse(&u, text), 0);
    return u;
}

TestSuite(placing_an_order, .init = setup, .fini = teardown);
TestSuite(confirming_an_order, .init = setup, .fini = teardown);
TestSuite(cancelling_an_order, .init = setup, .fini = teardown);
TestSuite(racing_another_writer, .init = setup, .fini = teardown);

/* ---- placing ---- */

Test(placing_an_order, prices_each_line_from_the_price_list_and_records_the_exact_total)
{
    order_id id = place_an_order(NULL);

    cr_expect(uuid_equal(id.uuid, id_generator_sequence_nth(1)),
              "the order id comes from the port");
    struct es_event_list stream;
    read_order(&stream, id);
    cr_assert_eq(stream.count, 1);
    cr_expect_str_eq(stream.items[0].type, "OrderPlaced");
    order_event e;
    decode(&e, &stream.items[0]);
    const struct order_placed *p = &e.as.placed;
    cr_assert_eq(p->line_count, 2);
    cr_expect_str_eq(p->lines[0].sku.code, "MUG-RED");
    cr_expect_str_eq(money_text(p->lines[0].unit_price), "12.50 EUR");
    cr_expect_str_eq(money_text(p->lines[0].line_total), "37.50 EUR");
    cr_expect_str_eq(money_text(p->lines[1].unit_price), "19.99 EUR");
    cr_expect_str_eq(money_text(p->total), "57.49 EUR");
    cr_expect_str_eq(p->customer.text, "customer-42");
    cr_expect_eq(e.at_us, T0, "placed at the clock's time");
    es_event_list_dispose(&stream);
}

Test(placing_an_order, prices_lines_at_the_price_of_the_moment)
{
    order_id first = place_an_order(NULL);
    set_price("MUG-RED", "13.00 EUR");
    order_id second = place_an_order(NULL);

    order a, b;
    int64_t v;
    cr_assert_eq(order_store_load(store, &a, &v, &first), 0);
    cr_assert_eq(order_store_load(store, &b, &v, &second), 0);
    cr_expect_str_eq(money_text(a.total), "57.49 EUR", "a placed order keeps its prices");
    cr_expect_str_eq(money_text(b.total), "58.99 EUR");
}

Test(placing_an_order, sums_small_prices_exactly)
{
    struct place_order_request *req = new_request();
    add_line(req, "PEN", 999); /* 999 x 0.10: 99.90 exactly, where doubles give 99.9000...01 */
    order_id id;
    cr_assert_eq(order_service_place(&id, &svc, req, NULL), 0, "%s", shop_error_message());
    order o;
    int64_t v;
    cr_assert_eq(order_store_load(store, &o, &v, &id), 0);
    cr_expect_str_eq(money_text(o.total), "99.90 EUR");
    free(req);
}

Test(placing_an_order, is_refused_when_a_sku_is_not_in_the_price_list_and_records_nothing)
{
    struct place_order_request *req = new_request();
    add_line(req, "MUG-RED", 1);
    add_line(req, "NOPE-1", 1);
    order_id id;
    cr_expect_eq(order_service_place(&id, &svc, req, NULL), SHOP_ENOTFOUND);
    cr_expect_str_eq(shop_error_message(), "unknown SKU NOPE-1");
    cr_expect(uuid_is_nil(id.uuid));
    cr_expect_eq(recorded_count(), 0);
    free(req);
}

Test(placing_an_order, is_refused_when_it_names_more_lines_than_a_request_holds)
{
    struct place_order_request *req = new_request();
    req->line_count = ORDER_MAX_REQUESTED_LINES + 1;
    order_id id;
    cr_expect_eq(order_service_place(&id, &svc, req, NULL), SHOP_EINVALID);
    cr_expect_eq(recorded_count(), 0);
    free(req);
}

Test(placing_an_order, is_refused_by_the_order_rules_and_records_nothing)
{
    struct place_order_request *req = new_request();
    for (int i = 0; i < ORDER_MAX_LINES + 1; i++) {
        char code[16];
        snprintf(code, sizeof code, "SKU-%d", i);
        set_price(code, "1.00 EUR");
        add_line(req, code, 1);
    }
    order_id id;
    cr_expect_eq(order_service_place(&id, &svc, req, NULL), SHOP_EINVALID);
    cr_expect_eq(recorded_count(), 0);

    req->line_count = 0;
    cr_expect_eq(order_service_place(&id, &svc, req, NULL), SHOP_EINVALID, "no lines");
    cr_expect_eq(recorded_count(), 0);
    free(req);
}

Test(placing_an_order, stamps_the_order_as_correlation_id_and_keeps_the_causation_id)
{
    struct message_meta meta = {.causation_id = uuid("0190a6f4-0000-7000-8000-0000000000c0")};
    strcpy(meta.traceparent, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    order_id id = place_an_order(&meta);

    struct es_event_list stream;
    read_order(&stream, id);
    cr_assert_eq(stream.count, 1);
    const struct message_meta *m = &stream.items[0].meta;
    cr_expect(uuid_equal(m->correlation_id, id.uuid), "the conversation is the order");
    cr_expect(uuid_equal(m->causation_id, meta.causation_id));
    cr_expect(uuid_equal(m->message_id, id_generator_sequence_nth(2)),
              "a new message id, after the order id");
    cr_expect_str_eq(m->traceparent, meta.traceparent);
    es_event_list_dispose(&stream);
}

Test(placing_an_order, keeps_the_correlation_and_message_ids_the_caller_chose)
{
    struct message_meta meta = {.message_id = uuid("0190a6f4-0000-7000-8000-0000000000a1"),
                                .correlation_id = uuid("0190a6f4-0000-7000-8000-0000000000b2")};
    order_id id = place_an_order(&meta);

    struct es_event_list stream;
    read_order(&stream, id);
    cr_assert_eq(stream.count, 1);
    cr_expect(uuid_equal(stream.items[0].meta.correlation_id, meta.correlation_id));
    cr_expect(uuid_equal(stream.items[0].meta.message_id, meta.message_id));
    es_event_list_dispose(&stream);
}

/* ---- confirming ---- */

Test(confirming_an_order, records_order_confirmed_at_the_clock_time)
{
    order_id id = place_an_order(NULL);
    clock_manual_advance(clock_, 60 * 1000000);
    struct message_meta meta = {.causation_id = uuid("0190a6f4-0000-7000-8000-00000000cafe")};
    cr_assert_eq(order_service_confirm(&svc, &id, &meta), 0, "%s", shop_error_message());

    struct es_event_list stream;
    read_order(&stream, id);
    cr_assert_eq(stream.count, 2);
    cr_expect_str_eq(stream.items[1].type, "OrderConfirmed");
    order_event e;
    decode(&e, &stream.items[1]);
    cr_expect_eq(e.at_us, T0 + 60 * 1000000);
    cr_expect(uuid_equal(stream.items[1].meta.correlation_id, id.uuid));
    cr_expect(uuid_equal(stream.items[1].meta.causation_id, meta.causation_id));
    cr_expect_not(uuid_equal(stream.items[1].meta.message_id, stream.items[0].meta.message_id));
    int64_t version;
    cr_expect_eq(status_of(id, &version), ORDER_STATUS_CONFIRMED);
    cr_expect_eq(version, 2);
    es_event_list_dispose(&stream);
}

Test(confirming_an_order, twice_records_one_confirmation)
{
    order_id id = place_an_order(NULL);
    cr_assert_eq(order_service_confirm(&svc, &id, NULL), 0);
    cr_assert_eq(order_service_confirm(&svc, &id, NULL), 0, "%s", shop_error_message());
    cr_expect_eq(recorded_count(), 2);
}

Test(confirming_an_order, is_refused_for_an_order_never_placed)
{
    order_id id = {id_generator_sequence_nth(99)};
    cr_expect_eq(order_service_confirm(&svc, &id, NULL), SHOP_ENOTFOUND);
    cr_expect_eq(recorded_count(), 0);
}

Test(confirming_an_order, is_refused_once_the_order_is_cancelled)
{
    order_id id = place_an_order(NULL);
    cr_assert_eq(order_service_cancel(&svc, &id, "changed my mind", NULL), 0);
    cr_expect_eq(order_service_confirm(&svc, &id, NULL), SHOP_EREFUSED);
    cr_expect_eq(recorded_count(), 2);
    cr_expect_eq(status_of(id, NULL), ORDER_STATUS_CANCELLED);
}

/* ---- cancelling ---- */

Test(cancelling_an_order, records_the_reason)
{
    order_id id = place_an_order(NULL);
    cr_assert_eq(order_service_cancel(&svc, &id, "found it cheaper elsewhere", NULL), 0, "%s",
                 shop_error_message());

    struct es_event_list stream;
    read_order(&stream, id);
    cr_assert_eq(stream.count, 2);
    order_event e;
    decode(&e, &stream.items[1]);
    cr_expect_eq(e.type, ORDER_CANCELLED);
    cr_expect_str_eq(e.as.cancelled.reason, "found it cheaper elsewhere");
    es_event_list_dispose(&stream);
}

Test(cancelling_an_order, twice_records_one_cancellation)
{
    order_id id = place_an_order(NULL);
    cr_assert_eq(order_service_cancel(&svc, &id, "changed my mind", NULL), 0);
    cr_assert_eq(order_service_cancel(&svc, &id, "changed my mind", NULL), 0);
    cr_expect_eq(recorded_count(), 2);
}

Test(cancelling_an_order, is_refused_without_a_reason_or_with_one_too_long)
{
    order_id id = place_an_order(NULL);
    char too_long[ORDER_REASON_MAX + 2];
    memset(too_long, 'x', sizeof too_long - 1);
    too_long[sizeof too_long - 1] = '\0';
    cr_expect_eq(order_service_cancel(&svc, &id, too_long, NULL), SHOP_EINVALID);
    cr_expect_eq(order_service_cancel(&svc, &id, "", NULL), SHOP_EINVALID);
    cr_expect_eq(order_service_cancel(&svc, &id, NULL, NULL), SHOP_EINVALID);
    cr_expect_eq(recorded_count(), 1);
    cr_expect_eq(status_of(id, NULL), ORDER_STATUS_PLACED);
}

Test(cancelling_an_order, is_refused_once_the_order_is_confirmed)
{
    order_id id = place_an_order(NULL);
    cr_assert_eq(order_service_confirm(&svc, &id, NULL), 0);
    cr_expect_eq(order_service_cancel(&svc, &id, "too late", NULL), SHOP_EREFUSED);
    cr_expect_eq(recorded_count(), 2);
}

/* ---- racing another writer ----
 *
 * A test double of the order-store port wraps the real store.  Before an append reaches
 * the real store it can let "another writer" act (a second service on the real store, as
 * another process would), or refuse the append with SHOP_ECONFLICT as a store does when
 * it loses a race.
 */
struct racing_store {
    struct order_store base; /* first: the port */
    struct order_store *real;
    int conflicts_to_fake;                    /* refuse this many appends; -1: every one */
    int appends;                              /* appends attempted */
    void (*other_writer)(const order_id *id); /* runs once, before the first append */
};

static int racing_load(struct order_store *self, order *out, int64_t *out_version,
                       const order_id *id)
{
    return order_store_load(((struct racing_store *)self)->real, out, out_version, id);
}

static int racing_append(struct order_store *self, const order_id *id, int64_t expected_version,
                         const order_event *evs, size_t n, const struct message_meta *meta)
{
    struct racing_store *s = (struct racing_store *)self;
    s->appends++;
    if (s->other_writer) {
        void (*writer)(const order_id *) = s->other_writer;
        s->other_writer = NULL;
        writer(id);
    }
    if (s->conflicts_to_fake != 0) {
        if (s->conflicts_to_fake > 0)
            s->conflicts_to_fake--;
        return shop_error_set(SHOP_ECONFLICT, "another writer got there first (test double)");
    }
    return order_store_append(s->real, id, expected_version, evs, n, meta);
}

static void racing_free(struct order_store *self)
{
    (void)self;
}

static struct racing_store racing;

/* Routes svc through the double; the order itself was placed on the real store. */
static void race(int conflicts_to_fake, void (*other_writer)(const order_id *))
{
    racing = (struct racing_store){
        .base = {ORDER_STORE_VERSION, racing_load, racing_append, racing_free},
        .real = store,
        .conflicts_to_fake = conflicts_to_fake,
        .other_writer = other_writer,
    };
    svc.orders = &racing.base;
}

static void another_writer_confirms(const order_id *id)
{
    struct order_service other = {.orders = store, .prices = prices, .clock = clock_, .ids = ids};
    cr_assert_eq(order_service_confirm(&other, id, NULL), 0, "%s", shop_error_message());
}

static void another_writer_cancels(const order_id *id)
{
    struct order_service other = {.orders = store, .prices = prices, .clock = clock_, .ids = ids};
    cr_assert_eq(order_service_cancel(&other, id, "the other writer's reason", NULL), 0, "%s",
                 shop_error_message());
}

Test(racing_another_writer, a_lost_race_is_decided_again_and_recorded_once)
{
    order_id id = place_an_order(NULL);
    race(1, NULL);
    cr_assert_eq(order_service_confirm(&svc, &id, NULL), 0, "%s", shop_error_message());
    cr_expect_eq(racing.appends, 2);
    cr_expect_eq(recorded_count(), 2, "placed and one confirmation");
    cr_expect_eq(status_of(id, NULL), ORDER_STATUS_CONFIRMED);
}

Test(racing_another_writer, the_same_confirmation_by_both_is_recorded_once)
{
    order_id id = place_an_order(NULL);
    race(0, another_writer_confirms);
    cr_assert_eq(order_service_confirm(&svc, &id, NULL), 0, "%s", shop_error_message());
    cr_expect_eq(racing.appends, 1, "the second decision found nothing left to do");
    cr_expect_eq(recorded_count(), 2);
}

Test(racing_another_writer, a_decision_on_the_latest_state_can_be_a_refusal)
{
    order_id id = place_an_order(NULL);
    race(0, another_writer_cancels);
    cr_expect_eq(order_service_confirm(&svc, &id, NULL), SHOP_EREFUSED,
                 "confirmed on the old state, refused on the new: %s", shop_error_message());
    cr_expect_eq(recorded_count(), 2);
    cr_expect_eq(status_of(id, NULL), ORDER_STATUS_CANCELLED);
}

Test(racing_another_writer, gives_up_after_max_attempts_with_a_conflict)
{
    order_id id = place_an_order(NULL);
    race(-1, NULL);
    svc.max_attempts = 3;
    cr_expect_eq(order_service_cancel(&svc, &id, "changed my mind", NULL), SHOP_ECONFLICT);
    cr_expect_eq(racing.appends, 3);
    cr_expect_eq(recorded_count(), 1, "nothing recorded but the order itself");
    cr_expect_eq(status_of(id, NULL), ORDER_STATUS_PLACED);
}

Test(racing_another_writer, gives_up_after_the_default_number_of_attempts)
{
    order_id id = place_an_order(NULL);
    race(-1, NULL);
    cr_expect_eq(order_service_confirm(&svc, &id, NULL), SHOP_ECONFLICT);
    cr_expect_eq(racing.appends, ORDER_SERVICE_MAX_ATTEMPTS);
    cr_expect_eq(recorded_count(), 1);
}

Test(racing_another_writer, placing_under_an_id_already_taken_is_refused_not_overwritten)
{
    order_id first = place_an_order(NULL);
    /* A generator that repeats itself: a new sequence hands out id 1 again. */
    struct id_generator *repeating;
    cr_assert_eq(id_generator_sequence_new(&repeating), 0);
    svc.ids = repeating;
    struct place_order_request *req = new_request();
    add_line(req, "PEN", 1);
    order_id second;
    cr_expect_eq(order_service_place(&second, &svc, req, NULL), SHOP_EREFUSED, "%s",
                 shop_error_message());
    cr_expect_eq(recorded_count(), 1);
    order o;
    int64_t v;
    cr_assert_eq(order_store_load(store, &o, &v, &first), 0);
    cr_expect_str_eq(money_text(o.total), "57.49 EUR", "the first order is untouched");
    id_generator_free(repeating);
    free(req);
}
