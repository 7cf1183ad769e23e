/*
 * tests/unit/order_observers_test.c — Ordering hands its recorded events to observers,
 * after the commit and only then (application/ordering/order_service.c).
 *
 * The real handlers and order store run on the in-memory event store, as in
 * order_service_test.c, with a dispatcher of the test's own observers.  What a reader of
 * the logs and the metrics relies on: an observer sees each event that was recorded, once,
 * with its ids; it never sees a refused command or an attempt that lost a race; and an
 * observer that fails changes nothing — the order is placed and the command succeeds.
 * Read next: application/messaging/dispatcher.h, infrastructure/messaging/observers.c
 */
#include "application/ordering/order_service.h"
#include "domain/shared/error.h"
#include "infrastructure/memory/clock_manual.h"
#include "infrastructure/memory/event_store_memory.h"
#include "infrastructure/memory/id_generator_sequence.h"
#include "infrastructure/memory/price_list_memory.h"
#include "infrastructure/messaging/observers.h"
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
static struct dispatcher observers;

/* What the recording observer saw. */
static struct {
    char type[32];
    order_id order;
    struct message_meta meta;
    size_t recorded_then; /* events in the store when the observer ran */
} seen[8];
static size_t seen_count;

static size_t recorded_count(void)
{
    struct es_event_list all;
    cr_assert_eq(es_read_all(events, &all, (struct es_checkpoint){0, 0}, 1000), 0);
    size_t n = all.count;
    es_event_list_dispose(&all);
    return n;
}

static int recording_observer(void *ctx, const struct domain_event *e)
{
    (void)ctx;
    cr_assert_lt(seen_count, 8);
    cr_assert_str_eq(e->context, "ordering");
    const order_event *oe = e->event;
    snprintf(seen[seen_count].type, sizeof seen[0].type, "%s", e->type);
    seen[seen_count].order = oe->order_id;
    seen[seen_count].meta = *e->meta;
    seen[seen_count].recorded_then = recorded_count();
    seen_count++;
    return 0;
}

static int failing_observer(void *ctx, const struct domain_event *e)
{
    (void)ctx;
    (void)e;
    return shop_error_set(SHOP_EIO, "the disk of the log is full");
}

static int reports;
static void count_report(void *log_ctx, const char *observer, const struct domain_event *e, int rc,
                         const char *message)
{
    (void)log_ctx, (void)observer, (void)e, (void)rc, (void)message;
    reports++;
}

static void setup(void)
{
    sku s;
    money m;
    cr_assert_eq(clock_manual_new(&clock_, T0), 0);
    cr_assert_eq(id_generator_sequence_new(&ids), 0);
    cr_assert_eq(price_list_memory_new(&prices), 0);
    cr_assert_eq(event_store_memory_new(&events, clock_), 0);
    cr_assert_eq(order_store_es_new(&store, events, ORDER_SNAPSHOT_EVERY_DEFAULT), 0);
    cr_assert_eq(sku_parse(&s, "MUG-RED"), 0);
    cr_assert_eq(money_parse(&m, "12.50 EUR", NULL), 0);
    price_list_memory_set(prices, &s, m);
    dispatcher_init(&observers, count_report, NULL);
    svc = (struct order_service){
        .orders = store, .prices = prices, .clock = clock_, .ids = ids, .observers = &observers};
    seen_count = 0;
    reports = 0;
}

static void teardown(void)
{
    order_store_free(store);
    es_free(events);
    price_list_free(prices);
    id_generator_free(ids);
    shop_clock_free(clock_);
}

static int place(order_id *out, const char *code, const struct message_meta *meta)
{
    struct place_order_request *req = calloc(1, sizeof *req);
    cr_assert_eq(customer_id_parse(&req->customer, "customer-42"), 0);
    cr_assert_eq(ship_to_parse(&req->address.ship_to, "Main Street 1"), 0);
    cr_assert_eq(postcode_parse(&req->address.postcode, "10115"), 0);
    cr_assert_eq(sku_parse(&req->lines[0].sku, code), 0);
    cr_assert_eq(quantity_make(&req->lines[0].quantity, 2), 0);
    req->line_count = 1;
    int rc = order_service_place(out, &svc, req, meta);
    free(req);
    return rc;
}

TestSuite(observing_orders, .init = setup, .fini = teardown);

Test(observing_orders, an_observer_sees_order_placed_after_it_is_recorded_with_its_ids)
{
    struct message_meta meta = {0};
    order_id id;
    cr_assert_eq(
        dispatcher_subscribe(&observers, "OrderPlaced", "recorder", recording_observer, NULL), 0);
    cr_assert_eq(uuid_parse(&meta.message_id, "0190a6f4-0000-7000-8000-000000000001"), 0);
    strcpy(meta.traceparent, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");

    cr_assert_eq(place(&id, "MUG-RED", &meta), 0, "%s", shop_error_message());

    cr_assert_eq(seen_count, 1);
    cr_expect_str_eq(seen[0].type, "OrderPlaced");
    cr_expect(uuid_equal(seen[0].order.uuid, id.uuid));
    cr_expect_eq(seen[0].recorded_then, 1, "the observer ran before the event was recorded");
    cr_expect(uuid_equal(seen[0].meta.message_id, meta.message_id));
    cr_expect(uuid_equal(seen[0].meta.correlation_id, id.uuid), "correlation: the order");
    cr_expect_str_eq(seen[0].meta.traceparent, meta.traceparent);
}

Test(observing_orders, an_observer_of_every_type_sees_placed_then_cancelled_once_each)
{
    order_id id;
    cr_assert_eq(dispatcher_subscribe(&observers, "*", "recorder", recording_observer, NULL), 0);
    cr_assert_eq(place(&id, "MUG-RED", NULL), 0, "%s", shop_error_message());
    cr_assert_eq(order_service_cancel(&svc, &id, "changed my mind", NULL), 0);
    cr_assert_eq(order_service_cancel(&svc, &id, "changed my mind", NULL), 0,
                 "cancelling twice is a no-op");

    cr_assert_eq(seen_count, 2, "a no-op records nothing and is observed as nothing");
    cr_expect_str_eq(seen[0].type, "OrderPlaced");
    cr_expect_str_eq(seen[1].type, "OrderCancelled");
    cr_expect_eq(seen[1].recorded_then, 2);
}

Test(observing_orders, a_failing_observer_does_not_undo_the_order_and_the_others_still_see_it)
{
    order_id id;
    cr_assert_eq(dispatcher_subscribe(&observers, "*", "broken log", failing_observer, NULL), 0);
    cr_assert_eq(dispatcher_subscribe(&observers, "*", "recorder", recording_observer, NULL), 0);

    cr_assert_eq(place(&id, "MUG-RED", NULL), 0, "an observer's failure failed the command");

    cr_expect_eq(reports, 1, "the failure was not reported");
    cr_expect_eq(seen_count, 1);
    cr_expect_eq(recorded_count(), 1, "the order was undone");
    order state;
    int64_t version;
    cr_assert_eq(order_store_load(store, &state, &version, &id), 0);
    cr_expect_eq(state.status, ORDER_STATUS_PLACED);
}

Test(observing_orders, a_refused_order_is_never_observed)
{
    order_id id;
    cr_assert_eq(dispatcher_subscribe(&observers, "*", "recorder", recording_observer, NULL), 0);
    cr_assert_eq(place(&id, "NO-SUCH-SKU", NULL), SHOP_ENOTFOUND);
    cr_assert_eq(seen_count, 0);
}

/* A store that loses the first race: the first append is refused with SHOP_ECONFLICT. */
struct losing_store {
    struct order_store base;
    int conflicts;
};

static int losing_load(struct order_store *self, order *out, int64_t *v, const order_id *id)
{
    (void)self;
    return order_store_load(store, out, v, id);
}

static int losing_append(struct order_store *self, const order_id *id, int64_t expected,
                         const order_event *evs, size_t n, const struct message_meta *meta)
{
    struct losing_store *s = (struct losing_store *)self;
    if (s->conflicts-- > 0)
        return shop_error_set(SHOP_ECONFLICT, "another writer got there first (test double)");
    return order_store_append(store, id, expected, evs, n, meta);
}

static void losing_free(struct order_store *self)
{
    (void)self;
}

Test(observing_orders, an_attempt_that_lost_a_race_is_not_observed_only_the_recorded_one)
{
    order_id id;
    cr_assert_eq(place(&id, "MUG-RED", NULL), 0);
    cr_assert_eq(dispatcher_subscribe(&observers, "*", "recorder", recording_observer, NULL), 0);
    struct losing_store losing = {{ORDER_STORE_VERSION, losing_load, losing_append, losing_free},
                                  2};
    svc.orders = &losing.base;

    cr_assert_eq(order_service_confirm(&svc, &id, NULL), 0, "%s", shop_error_message());

    cr_assert_eq(seen_count, 1, "an event that was not recorded was observed");
    cr_expect_str_eq(seen[0].type, "OrderConfirmed");
}

Test(observing_orders, the_service_observers_count_and_log_each_event)
{
    char *text = NULL;
    size_t len = 0;
    FILE *log = open_memstream(&text, &len);
    cr_assert_not_null(log);
    cr_assert_eq(event_observers_subscribe(&observers, log), 0);
    order_id id;
    cr_assert_eq(place(&id, "MUG-RED", NULL), 0);
    cr_assert_eq(place(&id, "MUG-RED", NULL), 0);
    cr_assert_eq(order_service_confirm(&svc, &id, NULL), 0);
    fclose(log);

    cr_expect_eq(event_counter_value("ordering", "OrderPlaced"), 2);
    cr_expect_eq(event_counter_value("ordering", "OrderConfirmed"), 1);
    cr_expect_eq(event_counter_value("ordering", "OrderCancelled"), 0);

    /* three lines, the last the confirmation with the order as its correlation id */
    char order_text[UUID_STRING_SIZE], expected[160];
    snprintf(expected, sizeof expected, "ordering: event OrderConfirmed message_id=");
    size_t lines = 0;
    for (const char *p = text; (p = strchr(p, '\n')); p++)
        lines++;
    cr_expect_eq(lines, 3, "%s", text);
    const char *last = strstr(text, expected);
    cr_assert_not_null(last, "%s", text);
    snprintf(expected, sizeof expected, " correlation_id=%s causation_id=- traceparent=-\n",
             uuid_format(order_text, id.uuid));
    cr_expect_not_null(strstr(last, expected), "%s", text);
    free(text);
}

Test(observing_orders, the_process_event_log_can_be_moved_and_turned_off)
{
    char *text = NULL;
    size_t len = 0;
    FILE *log = open_memstream(&text, &len);
    cr_assert_not_null(log);
    cr_assert_eq(event_observers_subscribe(&observers, NULL), 0); /* the process's log */
    order_id id;

    event_log_set(log);
    cr_assert_eq(place(&id, "MUG-RED", NULL), 0);
    event_log_set(NULL); /* off, as `shop demo` has it */
    cr_assert_eq(place(&id, "MUG-RED", NULL), 0);
    event_log_set(stderr);
    fclose(log);

    cr_expect_eq(reports, 0, "a log that is off is not a failure");
    size_t lines = 0;
    for (const char *p = text; (p = strchr(p, '\n')); p++)
        lines++;
    cr_expect_eq(lines, 1, "%s", text);
    cr_expect_eq(event_counter_value("ordering", "OrderPlaced"), 2, "the counter still counts");
    free(text);
}
