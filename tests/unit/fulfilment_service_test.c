/*
 * tests/unit/fulfilment_service_test.c — the fulfilment saga's handlers, on in-memory
 * adapters.
 *
 * The real service (application/ordering/fulfilment_service.c), the real order service
 * and order store (infrastructure/ordering/order_store_es.c) run on the in-memory event
 * store, the in-memory saga store, a clock the test moves and ids it can predict.  Each
 * scenario places an order, hands the saga the replies the participants would send, and
 * checks what a customer and the participants see: the order confirmed or cancelled with
 * the right reason (one event, never two), and exactly the commands queued, in order.
 *
 * What the shop relies on: a duplicate changes nothing; a handler that lost a race to
 * another one fails (SHOP_ECONFLICT) and handled again does nothing more; the deadline
 * timer compensates a step that got no reply, and does nothing before its time.
 * Read next: tests/contract/saga_store_contract.c (the store's own promises).
 */
#include "application/ordering/fulfilment_service.h"
#include "domain/shared/error.h"
#include "infrastructure/memory/clock_manual.h"
#include "infrastructure/memory/event_store_memory.h"
#include "infrastructure/memory/id_generator_sequence.h"
#include "infrastructure/memory/price_list_memory.h"
#include "infrastructure/memory/saga_store_memory.h"
#include "infrastructure/ordering/order_store_es.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0     INT64_C(1718000000000000) /* 2024-06-10T06:13:20Z */
#define SECOND INT64_C(1000000)
#define CAUSE  "0190b000-0000-7000-8000-00000000c0de"

static struct shop_clock *clock_;
static struct id_generator *ids;
static struct price_list *prices;
static struct event_store *events;
static struct order_store *orders;
static struct order_service order_svc;
static struct saga_store *sagas;
static struct fulfilment_service svc;

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
    cr_assert_eq(order_store_es_new(&orders, events, ORDER_SNAPSHOT_EVERY_DEFAULT), 0);
    cr_assert_eq(saga_store_memory_new(&sagas), 0);
    order_svc =
        (struct order_service){.orders = orders, .prices = prices, .clock = clock_, .ids = ids};
    svc = (struct fulfilment_service){
        .sagas = sagas, .orders = &order_svc, .clock = clock_, .ids = ids};
    set_price("LAMP-1", "12.00 EUR");
    set_price("BULB-7", "0.90 EUR");
}

static void teardown(void)
{
    saga_store_free(sagas);
    order_store_free(orders);
    es_free(events);
    price_list_free(prices);
    id_generator_free(ids);
    shop_clock_free(clock_);
}

TestSuite(fulfilling_an_order, .init = setup, .fini = teardown);
TestSuite(a_failing_step, .init = setup, .fini = teardown);
TestSuite(the_deadline_timer, .init = setup, .fini = teardown);
TestSuite(racing_another_handler, .init = setup, .fini = teardown);

/* Places 2 x LAMP-1 and 1 x BULB-7 (24.90 EUR) to 50667. */
static order_id place_an_order(void)
{
    struct place_order_request *req = calloc(1, sizeof *req);
    cr_assert_eq(customer_id_parse(&req->customer, "c-42"), 0);
    cr_assert_eq(ship_to_parse(&req->address.ship_to, "Ada Lovelace, 1 Main St"), 0);
    cr_assert_eq(postcode_parse(&req->address.postcode, "50667"), 0);
    cr_assert_eq(sku_parse(&req->lines[0].sku, "LAMP-1"), 0);
    cr_assert_eq(quantity_make(&req->lines[0].quantity, 2), 0);
    cr_assert_eq(sku_parse(&req->lines[1].sku, "BULB-7"), 0);
    cr_assert_eq(quantity_make(&req->lines[1].quantity, 1), 0);
    req->line_count = 2;
    order_id id;
    cr_assert_eq(order_service_place(&id, &order_svc, req, NULL), 0, "%s", shop_error_message());
    free(req);
    return id;
}

/* The message that told the saga: its own id n, in the order's conversation. */
static struct message_meta cause_of(order_id id, int n)
{
    struct message_meta m;
    memset(&m, 0, sizeof m);
    char text[UUID_STRING_SIZE];
    snprintf(text, sizeof text, "0190b000-0000-7000-8000-%012d", n);
    cr_assert_eq(uuid_parse(&m.message_id, text), 0);
    m.correlation_id = id.uuid;
    return m;
}

static int next_message = 1;

static int tell(order_id id, enum saga_input_type type, const char *reason)
{
    struct message_meta cause = cause_of(id, next_message++);
    struct saga_input in = {.type = type, .reason = reason};
    clock_manual_advance(clock_, SECOND);
    return fulfilment_service_handle(&svc, &id, &in, &cause);
}

static void told(order_id id, enum saga_input_type type, const char *reason)
{
    cr_assert_eq(tell(id, type, reason), 0, "%s", shop_error_message());
}

static fulfilment_saga saga_of(order_id id, int64_t *out_version)
{
    fulfilment_saga s;
    int64_t version;
    cr_assert_eq(saga_store_load(sagas, &s, &version, &id), 0, "%s", shop_error_message());
    if (out_version)
        *out_version = version;
    return s;
}

static order order_of(order_id id)
{
    order o;
    int64_t version;
    cr_assert_eq(order_store_load(orders, &o, &version, &id), 0, "%s", shop_error_message());
    return o;
}

/* How many events of `type` the order's stream holds. */
static size_t events_of(order_id id, const char *type)
{
    struct es_event_list stream;
    char name[ORDER_STREAM_ID_SIZE];
    cr_assert_eq(es_read_stream(events, &stream, order_stream_id(name, id), ES_WHOLE_STREAM), 0);
    size_t n = 0;
    for (size_t i = 0; i < stream.count; i++)
        n += strcmp(stream.items[i].type, type) == 0;
    es_event_list_dispose(&stream);
    return n;
}

/* Exactly these commands were queued, in order (their types). */
static void then_queued(size_t n, ...)
{
    size_t count;
    const struct saga_store_memory_command *q = saga_store_memory_queued(sagas, &count);
    va_list ap;
    va_start(ap, n);
    for (size_t i = 0; i < n && i < count; i++) {
        enum saga_command_type type = va_arg(ap, enum saga_command_type);
        cr_expect_eq(q[i].command.type, type, "command %zu is %s, not %s", i,
                     saga_command_name(q[i].command.type), saga_command_name(type));
    }
    va_end(ap);
    cr_assert_eq(count, n, "%zu commands queued, not %zu", count, n);
}

/* ---------------------------------------------------------------- the whole way */

Test(fulfilling_an_order, confirms_it_once_every_participant_said_yes)
{
    order_id id = place_an_order();
    told(id, SAGA_IN_ORDER_PLACED, NULL);
    told(id, SAGA_IN_STOCK_RESERVED, NULL);
    told(id, SAGA_IN_PAYMENT_AUTHORIZED, NULL);
    told(id, SAGA_IN_SHIPMENT_SCHEDULED, NULL);
    cr_expect_eq(order_of(id).status, ORDER_STATUS_PLACED, "not confirmed before the capture");
    told(id, SAGA_IN_PAYMENT_CAPTURED, NULL);

    cr_expect_eq(order_of(id).status, ORDER_STATUS_CONFIRMED);
    cr_expect_eq(events_of(id, "OrderConfirmed"), 1);
    then_queued(5, SAGA_CMD_RESERVE_STOCK, SAGA_CMD_AUTHORIZE_PAYMENT, SAGA_CMD_SCHEDULE_SHIPMENT,
                SAGA_CMD_CAPTURE_PAYMENT, SAGA_CMD_COMMIT_RESERVATION);
    int64_t version;
    fulfilment_saga s = saga_of(id, &version);
    cr_expect_eq(s.state, SAGA_CONFIRMED);
    cr_expect_eq(version, 5, "one save per step");
    cr_expect_str_eq(s.card, "tok_visa", "placed without a card");
    cr_expect_eq(s.total.minor, 2490, "the saga knows the order as it was placed");
    cr_expect_eq(s.started_at_us, T0 + SECOND);
    cr_expect_eq(s.updated_at_us, T0 + 5 * SECOND);
}

Test(fulfilling_an_order, stamps_each_command_and_the_order_event_with_their_cause)
{
    order_id id = place_an_order();
    told(id, SAGA_IN_ORDER_PLACED, NULL); /* message 1 */
    size_t count;
    const struct saga_store_memory_command *q = saga_store_memory_queued(sagas, &count);
    cr_assert_eq(count, 1);
    char a[UUID_STRING_SIZE], b[UUID_STRING_SIZE];
    cr_expect_str_eq(uuid_format(a, q[0].meta.causation_id),
                     "0190b000-0000-7000-8000-000000000001");
    cr_expect_str_eq(uuid_format(a, q[0].meta.correlation_id), uuid_format(b, id.uuid));
    cr_expect(
        uuid_equal(q[0].meta.message_id, saga_command_message_id(id, SAGA_CMD_RESERVE_STOCK, 1)));

    told(id, SAGA_IN_STOCK_REJECTED, "out of stock: LAMP-1"); /* message 2 */
    struct es_event_list stream;
    char name[ORDER_STREAM_ID_SIZE];
    cr_assert_eq(es_read_stream(events, &stream, order_stream_id(name, id), ES_WHOLE_STREAM), 0);
    cr_assert_eq(stream.count, 2);
    const struct es_event *cancelled = &stream.items[1];
    cr_expect_str_eq(cancelled->type, "OrderCancelled");
    cr_expect_str_eq(uuid_format(a, cancelled->meta.causation_id),
                     "0190b000-0000-7000-8000-000000000002", "caused by the rejection");
    cr_expect_str_eq(uuid_format(a, cancelled->meta.correlation_id), uuid_format(b, id.uuid));
    cr_expect_not(uuid_is_nil(cancelled->meta.message_id));
    es_event_list_dispose(&stream);
}

Test(fulfilling_an_order, takes_the_card_it_was_placed_with)
{
    order_id id = place_an_order();
    struct message_meta cause = cause_of(id, 1);
    struct saga_input in = {.type = SAGA_IN_ORDER_PLACED, .card = "tok_chargeDeclined"};
    cr_assert_eq(fulfilment_service_handle(&svc, &id, &in, &cause), 0, "%s", shop_error_message());
    cr_expect_str_eq(saga_of(id, NULL).card, "tok_chargeDeclined");
}

Test(fulfilling_an_order, that_was_never_placed_is_not_found)
{
    order_id id;
    cr_assert_eq(order_id_parse(&id, "0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90"), 0);
    cr_expect_eq(tell(id, SAGA_IN_ORDER_PLACED, NULL), SHOP_ENOTFOUND);
    size_t count;
    saga_store_memory_queued(sagas, &count);
    cr_expect_eq(count, 0);
}

Test(fulfilling_an_order, ignores_a_duplicate_and_saves_nothing)
{
    order_id id = place_an_order();
    told(id, SAGA_IN_ORDER_PLACED, NULL);
    told(id, SAGA_IN_ORDER_PLACED, NULL);
    told(id, SAGA_IN_STOCK_RESERVED, NULL);
    told(id, SAGA_IN_STOCK_RESERVED, NULL);
    int64_t version;
    saga_of(id, &version);
    cr_expect_eq(version, 2, "the duplicates saved nothing");
    then_queued(2, SAGA_CMD_RESERVE_STOCK, SAGA_CMD_AUTHORIZE_PAYMENT);
}

/* ---------------------------------------------------------------- failures */

Test(a_failing_step, out_of_stock_cancels_the_order_with_the_reason)
{
    order_id id = place_an_order();
    told(id, SAGA_IN_ORDER_PLACED, NULL);
    told(id, SAGA_IN_STOCK_REJECTED, "out of stock: LAMP-1");
    order o = order_of(id);
    cr_expect_eq(o.status, ORDER_STATUS_CANCELLED);
    cr_expect_str_eq(o.reason, "out of stock: LAMP-1");
    then_queued(1, SAGA_CMD_RESERVE_STOCK);
    cr_expect_eq(saga_of(id, NULL).state, SAGA_CANCELLED);
}

Test(a_failing_step, a_declined_card_releases_the_stock_and_cancels_the_order)
{
    order_id id = place_an_order();
    told(id, SAGA_IN_ORDER_PLACED, NULL);
    told(id, SAGA_IN_STOCK_RESERVED, NULL);
    told(id, SAGA_IN_PAYMENT_DECLINED, "payment declined");
    cr_expect_eq(order_of(id).status, ORDER_STATUS_PLACED, "not before the stock is back");
    told(id, SAGA_IN_STOCK_RELEASED, NULL);
    order o = order_of(id);
    cr_expect_eq(o.status, ORDER_STATUS_CANCELLED);
    cr_expect_str_eq(o.reason, "payment declined");
    then_queued(3, SAGA_CMD_RESERVE_STOCK, SAGA_CMD_AUTHORIZE_PAYMENT,
                SAGA_CMD_RELEASE_RESERVATION);
}

Test(a_failing_step, an_undeliverable_address_voids_releases_and_cancels)
{
    order_id id = place_an_order();
    told(id, SAGA_IN_ORDER_PLACED, NULL);
    told(id, SAGA_IN_STOCK_RESERVED, NULL);
    told(id, SAGA_IN_PAYMENT_AUTHORIZED, NULL);
    told(id, SAGA_IN_SHIPMENT_REJECTED, "undeliverable");
    told(id, SAGA_IN_PAYMENT_VOIDED, NULL);
    told(id, SAGA_IN_STOCK_RELEASED, NULL);
    order o = order_of(id);
    cr_expect_eq(o.status, ORDER_STATUS_CANCELLED);
    cr_expect_str_eq(o.reason, "undeliverable");
    cr_expect_eq(events_of(id, "OrderCancelled"), 1);
    then_queued(5, SAGA_CMD_RESERVE_STOCK, SAGA_CMD_AUTHORIZE_PAYMENT, SAGA_CMD_SCHEDULE_SHIPMENT,
                SAGA_CMD_VOID_PAYMENT, SAGA_CMD_RELEASE_RESERVATION);
}

Test(a_failing_step, an_order_cancelled_by_the_customer_is_undone_not_cancelled_again)
{
    order_id id = place_an_order();
    told(id, SAGA_IN_ORDER_PLACED, NULL);
    told(id, SAGA_IN_STOCK_RESERVED, NULL);
    cr_assert_eq(order_service_cancel(&order_svc, &id, "changed my mind", NULL), 0);
    told(id, SAGA_IN_ORDER_CANCELLED, "changed my mind");
    told(id, SAGA_IN_PAYMENT_VOIDED, NULL);
    told(id, SAGA_IN_STOCK_RELEASED, NULL);
    cr_expect_eq(saga_of(id, NULL).state, SAGA_CANCELLED);
    cr_expect_eq(events_of(id, "OrderCancelled"), 1);
    cr_expect_str_eq(order_of(id).reason, "changed my mind");
    then_queued(4, SAGA_CMD_RESERVE_STOCK, SAGA_CMD_AUTHORIZE_PAYMENT, SAGA_CMD_VOID_PAYMENT,
                SAGA_CMD_RELEASE_RESERVATION);
}

Test(a_failing_step, a_capture_for_an_order_cancelled_meanwhile_undoes_everything)
{
    order_id id = place_an_order();
    told(id, SAGA_IN_ORDER_PLACED, NULL);
    told(id, SAGA_IN_STOCK_RESERVED, NULL);
    told(id, SAGA_IN_PAYMENT_AUTHORIZED, NULL);
    told(id, SAGA_IN_SHIPMENT_SCHEDULED, NULL);
    /* the customer cancels; the saga hears the capture before the cancellation */
    cr_assert_eq(order_service_cancel(&order_svc, &id, "changed my mind", NULL), 0);
    told(id, SAGA_IN_PAYMENT_CAPTURED, NULL);

    fulfilment_saga s = saga_of(id, NULL);
    cr_expect_eq(s.state, SAGA_CANCELLING_SHIPMENT);
    cr_expect_str_eq(s.reason, "changed my mind");
    cr_expect_eq(order_of(id).status, ORDER_STATUS_CANCELLED, "never confirmed");
    cr_expect_eq(events_of(id, "OrderConfirmed"), 0);
    then_queued(5, SAGA_CMD_RESERVE_STOCK, SAGA_CMD_AUTHORIZE_PAYMENT, SAGA_CMD_SCHEDULE_SHIPMENT,
                SAGA_CMD_CAPTURE_PAYMENT, SAGA_CMD_CANCEL_SHIPMENT);
    told(id, SAGA_IN_ORDER_CANCELLED, "changed my mind"); /* arrives after all */
    then_queued(5, SAGA_CMD_RESERVE_STOCK, SAGA_CMD_AUTHORIZE_PAYMENT, SAGA_CMD_SCHEDULE_SHIPMENT,
                SAGA_CMD_CAPTURE_PAYMENT, SAGA_CMD_CANCEL_SHIPMENT);
}

/* ---------------------------------------------------------------- deadlines */

static int deadline(order_id id)
{
    return fulfilment_service_deadline(&svc, &id);
}

Test(the_deadline_timer, does_nothing_before_the_deadline)
{
    order_id id = place_an_order();
    told(id, SAGA_IN_ORDER_PLACED, NULL);
    clock_manual_advance(clock_, 30 * SECOND - 1);
    cr_assert_eq(deadline(id), 0, "%s", shop_error_message());
    int64_t version;
    cr_expect_eq(saga_of(id, &version).state, SAGA_RESERVING_STOCK);
    cr_expect_eq(version, 1);
    then_queued(1, SAGA_CMD_RESERVE_STOCK);
}

Test(the_deadline_timer, compensates_a_step_without_reply)
{
    order_id id = place_an_order();
    told(id, SAGA_IN_ORDER_PLACED, NULL);
    told(id, SAGA_IN_STOCK_RESERVED, NULL);
    clock_manual_advance(clock_, 30 * SECOND);
    cr_assert_eq(deadline(id), 0, "%s", shop_error_message());
    fulfilment_saga s = saga_of(id, NULL);
    cr_expect_eq(s.state, SAGA_VOIDING_PAYMENT);
    cr_expect_str_eq(s.reason, "payment authorization timed out");
    then_queued(3, SAGA_CMD_RESERVE_STOCK, SAGA_CMD_AUTHORIZE_PAYMENT, SAGA_CMD_VOID_PAYMENT);

    size_t count;
    const struct saga_store_memory_command *q = saga_store_memory_queued(sagas, &count);
    char a[UUID_STRING_SIZE], b[UUID_STRING_SIZE];
    cr_expect_str_eq(uuid_format(a, q[2].meta.correlation_id), uuid_format(b, id.uuid));
    cr_expect_not(uuid_is_nil(q[2].meta.causation_id), "caused by the timer's own message");

    cr_assert_eq(deadline(id), 0, "the timer again, at once: %s", shop_error_message());
    then_queued(3, SAGA_CMD_RESERVE_STOCK, SAGA_CMD_AUTHORIZE_PAYMENT, SAGA_CMD_VOID_PAYMENT);

    told(id, SAGA_IN_PAYMENT_VOIDED, NULL);
    told(id, SAGA_IN_STOCK_RELEASED, NULL);
    cr_expect_eq(order_of(id).status, ORDER_STATUS_CANCELLED);
    cr_expect_str_eq(order_of(id).reason, "payment authorization timed out");
}

Test(the_deadline_timer, sends_a_compensation_again_then_parks_the_saga)
{
    svc.settings = (struct saga_settings){.step_timeout_us = 5 * SECOND,
                                          .compensation_timeout_us = 2 * SECOND,
                                          .compensation_attempts = 2};
    order_id id = place_an_order();
    told(id, SAGA_IN_ORDER_PLACED, NULL);
    clock_manual_advance(clock_, 5 * SECOND);
    cr_assert_eq(deadline(id), 0, "%s", shop_error_message()); /* release, attempt 1 */
    clock_manual_advance(clock_, 2 * SECOND);
    cr_assert_eq(deadline(id), 0, "%s", shop_error_message()); /* release, attempt 2 */
    clock_manual_advance(clock_, 4 * SECOND - 1);
    cr_assert_eq(deadline(id), 0, "%s", shop_error_message()); /* not yet: the wait doubled */
    cr_expect_eq(saga_of(id, NULL).state, SAGA_RELEASING_STOCK);
    clock_manual_advance(clock_, 1);
    cr_assert_eq(deadline(id), 0, "%s", shop_error_message()); /* stuck */

    fulfilment_saga s = saga_of(id, NULL);
    cr_expect_eq(s.state, SAGA_STUCK);
    cr_expect_str_eq(s.reason, "releasing stock got no reply after 2 attempts "
                               "(stock reservation timed out)");
    size_t count;
    const struct saga_store_memory_command *q = saga_store_memory_queued(sagas, &count);
    cr_assert_eq(count, 3);
    cr_expect_eq(q[1].command.type, SAGA_CMD_RELEASE_RESERVATION);
    cr_expect_eq(q[1].command.attempt, 1);
    cr_expect_eq(q[2].command.attempt, 2);
    cr_expect_not(uuid_equal(q[1].meta.message_id, q[2].meta.message_id), "a new message");
    cr_expect_eq(order_of(id).status, ORDER_STATUS_PLACED, "a stuck order is left for a person");

    told(id, SAGA_IN_STOCK_RELEASED, NULL); /* the late reply */
    cr_expect_eq(order_of(id).status, ORDER_STATUS_CANCELLED);
    cr_expect_str_eq(order_of(id).reason, "stock reservation timed out");
}

/* ---------------------------------------------------------------- races */

/*
 * A saga store that lets another handler handle the same message between this handler's
 * load and its save: the second save then finds the row moved on.
 */
struct racing_store {
    struct saga_store base;
    struct saga_store *inner;
    bool armed;
    order_id order;
    struct saga_input in;
};
static struct racing_store racing;
static struct fulfilment_service rival;

static int racing_load(struct saga_store *self, fulfilment_saga *out, int64_t *v,
                       const order_id *id)
{
    return saga_store_load(((struct racing_store *)self)->inner, out, v, id);
}

static int racing_save(struct saga_store *self, const fulfilment_saga *s, int64_t v,
                       const struct saga_command *c, size_t n, const struct message_meta *cause)
{
    struct racing_store *r = (struct racing_store *)self;
    if (r->armed) {
        r->armed = false;
        cr_assert_eq(fulfilment_service_handle(&rival, &r->order, &r->in, cause), 0, "%s",
                     shop_error_message());
    }
    return saga_store_save(r->inner, s, v, c, n, cause);
}

static int racing_due(struct saga_store *self, order_id *out, size_t max, size_t *n, int64_t now)
{
    return saga_store_due(((struct racing_store *)self)->inner, out, max, n, now);
}

static int racing_list(struct saga_store *self, struct saga_summary **out, size_t *n,
                       enum saga_state state)
{
    return saga_store_list(((struct racing_store *)self)->inner, out, n, state);
}

static void racing_free(struct saga_store *self)
{
    (void)self;
}

Test(racing_another_handler, loses_with_a_conflict_and_the_order_is_confirmed_once)
{
    order_id id = place_an_order();
    told(id, SAGA_IN_ORDER_PLACED, NULL);
    told(id, SAGA_IN_STOCK_RESERVED, NULL);
    told(id, SAGA_IN_PAYMENT_AUTHORIZED, NULL);
    told(id, SAGA_IN_SHIPMENT_SCHEDULED, NULL);

    racing = (struct racing_store){
        .base = {SAGA_STORE_VERSION, racing_load, racing_save, racing_due, racing_list,
                 racing_free},
        .inner = sagas,
        .armed = true,
        .order = id,
        .in = {.type = SAGA_IN_PAYMENT_CAPTURED},
    };
    rival = svc;
    svc.sagas = &racing.base;
    cr_expect_eq(tell(id, SAGA_IN_PAYMENT_CAPTURED, NULL), SHOP_ECONFLICT);
    cr_expect_eq(tell(id, SAGA_IN_PAYMENT_CAPTURED, NULL), 0, "handled again: nothing to do");

    cr_expect_eq(saga_of(id, NULL).state, SAGA_CONFIRMED);
    cr_expect_eq(order_of(id).status, ORDER_STATUS_CONFIRMED);
    cr_expect_eq(events_of(id, "OrderConfirmed"), 1, "confirmed once");
    then_queued(5, SAGA_CMD_RESERVE_STOCK, SAGA_CMD_AUTHORIZE_PAYMENT, SAGA_CMD_SCHEDULE_SHIPMENT,
                SAGA_CMD_CAPTURE_PAYMENT, SAGA_CMD_COMMIT_RESERVATION);
}
