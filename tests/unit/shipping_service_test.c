/*
 * tests/unit/shipping_service_test.c — Shipping's command handlers on in-memory adapters
 * (event store, carrier twin, manual clock, sequence ids): what is recorded, what the
 * carrier is asked, and what happens when it does not answer.
 * Read next: application/shipping/shipping_service.c
 */
#include "application/shipping/shipping_service.h"
#include "domain/shared/error.h"
#include "infrastructure/memory/carrier_memory.h"
#include "infrastructure/memory/clock_manual.h"
#include "infrastructure/memory/event_store_memory.h"
#include "infrastructure/memory/id_generator_sequence.h"
#include "infrastructure/shipping/shipment_store_es.h"

#include <criterion/criterion.h>
#include <string.h>

#define T0 1718000000000000

/* A store in front of the real one whose next `conflicts` appends lose a race. */
struct racing_store {
    struct shipment_store base;
    struct shipment_store *inner;
    int conflicts;
};

static int racing_load(struct shipment_store *self, shipment *out, int64_t *v,
                       const shipment_id *id)
{
    return shipment_store_load(((struct racing_store *)self)->inner, out, v, id);
}

static int racing_append(struct shipment_store *self, const shipment_id *id, int64_t expected,
                         const shipment_event *events, size_t n, const struct message_meta *meta)
{
    struct racing_store *s = (struct racing_store *)self;
    if (s->conflicts > 0) {
        s->conflicts--;
        return shop_error_set(SHOP_ECONFLICT, "another writer got there first");
    }
    return shipment_store_append(s->inner, id, expected, events, n, meta);
}

static void racing_free(struct shipment_store *self)
{
    (void)self;
}

static struct shop_clock *clock_;
static struct id_generator *ids;
static struct event_store *es;
static struct shipment_store *inner;
static struct racing_store store;
static struct carrier_port *carrier;
static struct shipping_service svc;
static struct schedule_shipment_request berlin;

static void setup(void)
{
    cr_assert_eq(clock_manual_new(&clock_, T0), 0);
    cr_assert_eq(id_generator_sequence_new(&ids), 0);
    cr_assert_eq(event_store_memory_new(&es, clock_), 0);
    cr_assert_eq(shipment_store_es_new(&inner, es), 0);
    store = (struct racing_store){
        {SHIPMENT_STORE_VERSION, racing_load, racing_append, racing_free}, inner, 0};
    cr_assert_eq(carrier_memory_new(&carrier), 0);
    svc = (struct shipping_service){&store.base, carrier, clock_, ids, 0};
    memset(&berlin, 0, sizeof berlin);
    cr_assert_eq(shipment_id_parse(&berlin.id, "0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90"), 0);
    cr_assert_eq(ship_to_parse(&berlin.ship_to, "Invalidenstr. 1, Berlin"), 0);
    cr_assert_eq(postcode_parse(&berlin.postcode, "10115"), 0);
}

static void teardown(void)
{
    carrier_free(carrier);
    shipment_store_free(inner);
    es_free(es);
    id_generator_free(ids);
    shop_clock_free(clock_);
}

static size_t recorded(void)
{
    struct es_event_list all;
    char stream[SHIPMENT_STREAM_ID_SIZE];
    cr_assert_eq(es_read_stream(es, &all, shipment_stream_id(stream, berlin.id), ES_WHOLE_STREAM),
                 0);
    size_t n = all.count;
    es_event_list_dispose(&all);
    return n;
}

TestSuite(scheduling_shipments, .init = setup, .fini = teardown);

Test(scheduling_shipments, the_carrier_books_it_and_the_tracking_number_is_recorded)
{
    shipment s;
    cr_assert_eq(shipping_service_schedule(&s, &svc, &berlin, NULL), 0, "%s", shop_error_message());
    cr_expect_eq(s.status, SHIPMENT_STATUS_SCHEDULED);
    cr_expect(strncmp(s.tracking, "TRK", 3) == 0, "%s", s.tracking);
    cr_expect_eq(s.scheduled_at_us, T0);
    cr_expect_eq(carrier_memory_bookings(carrier), 1);
    shipment loaded;
    cr_assert_eq(shipping_service_get(&loaded, &svc, &berlin.id), 0);
    cr_expect_str_eq(loaded.tracking, s.tracking);
}

Test(scheduling_shipments, an_undeliverable_address_is_refused_and_the_rejection_recorded)
{
    cr_assert_eq(postcode_parse(&berlin.postcode, "00000"), 0);
    shipment s;
    cr_expect_eq(shipping_service_schedule(&s, &svc, &berlin, NULL), SHOP_EREFUSED);
    cr_expect(strstr(shop_error_message(), "undeliverable"), "%s", shop_error_message());
    cr_expect_eq(s.status, SHIPMENT_STATUS_REJECTED);
    cr_expect_eq(recorded(), 1, "ShipmentRejected");
    cr_expect_eq(carrier_memory_bookings(carrier), 0);
    cr_expect_eq(shipping_service_schedule(&s, &svc, &berlin, NULL), SHOP_EREFUSED);
    cr_expect_eq(recorded(), 1, "rejected again for the same address: nothing new");
}

Test(scheduling_shipments, twice_for_the_same_order_books_once)
{
    shipment first, again;
    cr_assert_eq(shipping_service_schedule(&first, &svc, &berlin, NULL), 0);
    cr_assert_eq(shipping_service_schedule(&again, &svc, &berlin, NULL), 0, "%s",
                 shop_error_message());
    cr_expect_str_eq(again.tracking, first.tracking);
    cr_expect_eq(carrier_memory_bookings(carrier), 1);
    cr_expect_eq(recorded(), 1);
}

Test(scheduling_shipments, a_carrier_that_does_not_answer_records_nothing)
{
    shipment s;
    carrier_memory_set_unavailable(carrier, true);
    cr_expect_eq(shipping_service_schedule(&s, &svc, &berlin, NULL), SHOP_EUNAVAILABLE);
    cr_expect_eq(recorded(), 0);
    carrier_memory_set_unavailable(carrier, false);
    cr_expect_eq(shipping_service_schedule(&s, &svc, &berlin, NULL), 0, "%s", shop_error_message());
    cr_expect_eq(carrier_memory_bookings(carrier), 1);
}

Test(scheduling_shipments, a_retry_after_a_lost_race_books_nothing_more)
{
    shipment s;
    store.conflicts = 2;
    cr_assert_eq(shipping_service_schedule(&s, &svc, &berlin, NULL), 0, "%s", shop_error_message());
    cr_expect_eq(carrier_memory_bookings(carrier), 1, "the same key on each attempt");
    cr_expect_eq(recorded(), 1);
}

Test(scheduling_shipments, gives_up_after_max_attempts_of_conflicts)
{
    shipment s;
    store.conflicts = 100;
    svc.max_attempts = 3;
    cr_expect_eq(shipping_service_schedule(&s, &svc, &berlin, NULL), SHOP_ECONFLICT);
    cr_expect(strstr(shop_error_message(), "3 attempts"), "%s", shop_error_message());
    cr_expect_eq(recorded(), 0);
}

Test(scheduling_shipments, the_events_carry_the_order_as_their_correlation)
{
    shipment s;
    cr_assert_eq(shipping_service_schedule(&s, &svc, &berlin, NULL), 0);
    struct es_event_list all;
    char stream[SHIPMENT_STREAM_ID_SIZE];
    cr_assert_eq(es_read_stream(es, &all, shipment_stream_id(stream, berlin.id), ES_WHOLE_STREAM),
                 0);
    cr_assert_eq(all.count, 1);
    cr_expect(uuid_equal(all.items[0].meta.correlation_id, berlin.id.order_id));
    cr_expect_not(uuid_is_nil(all.items[0].meta.message_id));
    es_event_list_dispose(&all);
}

TestSuite(cancelling_shipments, .init = setup, .fini = teardown);

Test(cancelling_shipments, the_carrier_cancels_the_booking_and_the_cancellation_is_recorded)
{
    shipment s;
    cr_assert_eq(shipping_service_schedule(&s, &svc, &berlin, NULL), 0);
    clock_manual_advance(clock_, 5);
    cr_assert_eq(shipping_service_cancel(&s, &svc, &berlin.id, NULL), 0, "%s",
                 shop_error_message());
    cr_expect_eq(s.status, SHIPMENT_STATUS_CANCELLED);
    cr_expect_eq(s.cancelled_at_us, T0 + 5);
    cr_expect_eq(carrier_memory_cancellations(carrier), 1);
    cr_assert_eq(shipping_service_cancel(&s, &svc, &berlin.id, NULL), 0, "twice: no-op");
    cr_expect_eq(recorded(), 2);
}

Test(cancelling_shipments, a_cancelled_shipment_cannot_be_rescheduled)
{
    shipment s;
    cr_assert_eq(shipping_service_schedule(&s, &svc, &berlin, NULL), 0);
    cr_assert_eq(shipping_service_cancel(&s, &svc, &berlin.id, NULL), 0);
    cr_expect_eq(shipping_service_schedule(&s, &svc, &berlin, NULL), SHOP_EREFUSED);
    cr_expect_eq(carrier_memory_bookings(carrier), 1);
}

Test(cancelling_shipments, one_never_scheduled_is_not_found)
{
    shipment s;
    cr_expect_eq(shipping_service_cancel(&s, &svc, &berlin.id, NULL), SHOP_ENOTFOUND);
    cr_expect_eq(shipping_service_get(&s, &svc, &berlin.id), SHOP_ENOTFOUND);
}

Test(cancelling_shipments, a_carrier_that_does_not_answer_leaves_it_scheduled)
{
    shipment s;
    cr_assert_eq(shipping_service_schedule(&s, &svc, &berlin, NULL), 0);
    carrier_memory_set_unavailable(carrier, true);
    cr_expect_eq(shipping_service_cancel(&s, &svc, &berlin.id, NULL), SHOP_EUNAVAILABLE);
    cr_assert_eq(shipping_service_get(&s, &svc, &berlin.id), 0);
    cr_expect_eq(s.status, SHIPMENT_STATUS_SCHEDULED);
}
