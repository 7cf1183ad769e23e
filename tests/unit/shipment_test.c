/*
 * tests/unit/shipment_test.c — the Shipment aggregate's rules, each as given events /
 * when a command (with the carrier's answer) / then events or a refusal.  No I/O.
 * Read next: domain/shipping/shipment.h (the rules), application/shipping/shipping_service.c
 */
#include "domain/shared/error.h"
#include "domain/shipping/shipment.h"

#include <criterion/criterion.h>
#include <string.h>

#define T0 1718000000000000

static shipment_id id;

static void setup(void)
{
    cr_assert_eq(shipment_id_parse(&id, "0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90"), 0);
}

static schedule_shipment to(const char *ship_to_text, const char *code,
                            enum carrier_verdict verdict)
{
    schedule_shipment cmd = {.id = id, .carrier = verdict, .at_us = T0};
    cr_assert_eq(ship_to_parse(&cmd.ship_to, ship_to_text), 0);
    cr_assert_eq(postcode_parse(&cmd.postcode, code), 0);
    if (verdict == CARRIER_BOOKED) {
        strcpy(cmd.carrier_id, "shp_00000001");
        strcpy(cmd.tracking, "TRK000001");
    }
    return cmd;
}

static schedule_shipment booked_to_berlin(void)
{
    return to("Invalidenstr. 1, Berlin", "10115", CARRIER_BOOKED);
}

/* The state after applying commands that must each succeed. */
static shipment given_scheduled(void)
{
    shipment s;
    shipment_event e[SHIPMENT_MAX_DECIDED_EVENTS];
    size_t n;
    shipment_init(&s);
    schedule_shipment cmd = booked_to_berlin();
    cr_assert_eq(shipment_decide_schedule(e, &n, &s, &cmd), 0, "%s", shop_error_message());
    cr_assert_eq(n, 1);
    shipment_evolve(&s, &e[0]);
    return s;
}

static shipment given_cancelled(void)
{
    shipment s = given_scheduled();
    shipment_event e = {.type = SHIPMENT_CANCELLED, .id = id, .at_us = T0 + 5};
    shipment_evolve(&s, &e);
    return s;
}

static shipment given_rejected(void)
{
    shipment s;
    shipment_event e[SHIPMENT_MAX_DECIDED_EVENTS];
    size_t n;
    shipment_init(&s);
    schedule_shipment cmd = to("Nowhere 1", "00000", CARRIER_UNDELIVERABLE);
    cr_assert_eq(shipment_decide_schedule(e, &n, &s, &cmd), 0, "%s", shop_error_message());
    shipment_evolve(&s, &e[0]);
    return s;
}

TestSuite(scheduling_a_shipment, .init = setup);

Test(scheduling_a_shipment, a_booking_by_the_carrier_is_recorded_as_scheduled)
{
    shipment s;
    shipment_event e[SHIPMENT_MAX_DECIDED_EVENTS];
    size_t n;
    shipment_init(&s);
    cr_expect(shipment_schedule_needs_carrier(&s, &(schedule_shipment){0}));
    schedule_shipment cmd = booked_to_berlin();
    cr_assert_eq(shipment_decide_schedule(e, &n, &s, &cmd), 0, "%s", shop_error_message());
    cr_assert_eq(n, 1);
    cr_expect_eq(e[0].type, SHIPMENT_SCHEDULED);
    cr_expect_str_eq(e[0].carrier_id, "shp_00000001");
    cr_expect_str_eq(e[0].tracking, "TRK000001");
    cr_expect_str_eq(e[0].postcode.code, "10115");
    cr_expect_eq(e[0].at_us, T0);
    shipment_evolve(&s, &e[0]);
    cr_expect_eq(s.status, SHIPMENT_STATUS_SCHEDULED);
    cr_expect_str_eq(s.tracking, "TRK000001");
    cr_expect_str_eq(shipment_status_name(s.status), "scheduled");
}

Test(scheduling_a_shipment, an_undeliverable_address_is_recorded_as_rejected)
{
    shipment s;
    shipment_event e[SHIPMENT_MAX_DECIDED_EVENTS];
    size_t n;
    shipment_init(&s);
    schedule_shipment cmd = to("Nowhere 1", "00000", CARRIER_UNDELIVERABLE);
    cr_assert_eq(shipment_decide_schedule(e, &n, &s, &cmd), 0, "%s", shop_error_message());
    cr_assert_eq(n, 1);
    cr_expect_eq(e[0].type, SHIPMENT_REJECTED);
    cr_expect_str_eq(e[0].reason, "undeliverable");
    cr_expect_str_eq(e[0].carrier_id, "");
    shipment_evolve(&s, &e[0]);
    cr_expect_eq(s.status, SHIPMENT_STATUS_REJECTED);
    cr_expect_str_eq(s.reason, "undeliverable");
}

Test(scheduling_a_shipment, is_refused_without_the_carriers_answer)
{
    shipment s;
    shipment_event e[SHIPMENT_MAX_DECIDED_EVENTS] = {{.type = 99}};
    size_t n = 7;
    shipment_init(&s);
    schedule_shipment cmd = to("Somewhere 1", "10115", CARRIER_NOT_ASKED);
    cr_expect_eq(shipment_decide_schedule(e, &n, &s, &cmd), SHOP_EINVALID);
    cr_expect_eq(n, 0);
    cr_expect_eq(e[0].type, 99, "nothing written on refusal");
    cr_expect(strstr(shop_error_message(), "carrier's answer"), "%s", shop_error_message());
}

Test(scheduling_a_shipment, is_refused_when_the_booking_has_no_tracking_number)
{
    shipment s;
    shipment_event e[SHIPMENT_MAX_DECIDED_EVENTS];
    size_t n;
    shipment_init(&s);
    schedule_shipment cmd = booked_to_berlin();
    cmd.tracking[0] = '\0';
    cr_expect_eq(shipment_decide_schedule(e, &n, &s, &cmd), SHOP_EINVALID);
    cr_expect(strstr(shop_error_message(), "tracking number"), "%s", shop_error_message());
}

Test(scheduling_a_shipment, is_refused_for_an_invalid_ship_to_or_postcode)
{
    shipment s;
    shipment_event e[SHIPMENT_MAX_DECIDED_EVENTS];
    size_t n;
    shipment_init(&s);
    schedule_shipment cmd = booked_to_berlin();
    strcpy(cmd.ship_to.text, "line one\nline two");
    cr_expect_eq(shipment_decide_schedule(e, &n, &s, &cmd), SHOP_EINVALID);
    cr_expect(strstr(shop_error_message(), "ship-to"), "%s", shop_error_message());
    cmd = booked_to_berlin();
    strcpy(cmd.postcode.code, "10115!");
    cr_expect_eq(shipment_decide_schedule(e, &n, &s, &cmd), SHOP_EINVALID);
    cr_expect(strstr(shop_error_message(), "postcode"), "%s", shop_error_message());
    cmd = booked_to_berlin();
    strcpy(cmd.ship_to.text, "   ");
    cr_expect_eq(shipment_decide_schedule(e, &n, &s, &cmd), SHOP_EINVALID);
    cr_expect_eq(n, 0);
}

Test(scheduling_a_shipment, twice_for_the_same_order_and_address_changes_nothing)
{
    shipment s = given_scheduled();
    shipment_event e[SHIPMENT_MAX_DECIDED_EVENTS];
    size_t n = 7;
    schedule_shipment again = to("Invalidenstr. 1, Berlin", "10115", CARRIER_NOT_ASKED);
    cr_expect_not(shipment_schedule_needs_carrier(&s, &again), "no second booking");
    cr_expect_eq(shipment_decide_schedule(e, &n, &s, &again), 0, "%s", shop_error_message());
    cr_expect_eq(n, 0);
}

Test(scheduling_a_shipment, again_to_another_address_is_refused)
{
    shipment s = given_scheduled();
    shipment_event e[SHIPMENT_MAX_DECIDED_EVENTS];
    size_t n;
    schedule_shipment elsewhere = to("Jungfernstieg 1, Hamburg", "20095", CARRIER_BOOKED);
    cr_expect_not(shipment_schedule_needs_carrier(&s, &elsewhere));
    cr_expect_eq(shipment_decide_schedule(e, &n, &s, &elsewhere), SHOP_EREFUSED);
    cr_expect(strstr(shop_error_message(), "already scheduled to another address"), "%s",
              shop_error_message());
}

Test(scheduling_a_shipment, a_cancelled_shipment_cannot_be_rescheduled)
{
    shipment s = given_cancelled();
    shipment_event e[SHIPMENT_MAX_DECIDED_EVENTS];
    size_t n;
    schedule_shipment cmd = booked_to_berlin();
    cr_expect_not(shipment_schedule_needs_carrier(&s, &cmd));
    cr_expect_eq(shipment_decide_schedule(e, &n, &s, &cmd), SHOP_EREFUSED);
    cr_expect(strstr(shop_error_message(), "cancelled and cannot be rescheduled"), "%s",
              shop_error_message());
    cr_expect_eq(n, 0);
}

Test(scheduling_a_shipment, a_rejected_shipment_stays_rejected_for_the_same_address)
{
    shipment s = given_rejected();
    shipment_event e[SHIPMENT_MAX_DECIDED_EVENTS];
    size_t n = 7;
    schedule_shipment same = to("Nowhere 1", "00000", CARRIER_NOT_ASKED);
    cr_expect_not(shipment_schedule_needs_carrier(&s, &same));
    cr_expect_eq(shipment_decide_schedule(e, &n, &s, &same), 0);
    cr_expect_eq(n, 0);
}

Test(scheduling_a_shipment, a_rejected_shipment_may_be_scheduled_to_another_address)
{
    shipment s = given_rejected();
    shipment_event e[SHIPMENT_MAX_DECIDED_EVENTS];
    size_t n;
    schedule_shipment cmd = booked_to_berlin();
    cr_expect(shipment_schedule_needs_carrier(&s, &cmd));
    cr_assert_eq(shipment_decide_schedule(e, &n, &s, &cmd), 0, "%s", shop_error_message());
    cr_assert_eq(n, 1);
    shipment_evolve(&s, &e[0]);
    cr_expect_eq(s.status, SHIPMENT_STATUS_SCHEDULED);
    cr_expect_str_eq(s.reason, "", "the rejection's reason is gone");
}

TestSuite(cancelling_a_shipment, .init = setup);

Test(cancelling_a_shipment, a_scheduled_shipment_is_cancelled_once_the_carrier_cancelled_it)
{
    shipment s = given_scheduled();
    shipment_event e[SHIPMENT_MAX_DECIDED_EVENTS];
    size_t n;
    cr_expect(shipment_cancel_needs_carrier(&s));
    cancel_shipment cmd = {.id = id, .carrier_cancelled = true, .at_us = T0 + 9};
    cr_assert_eq(shipment_decide_cancel(e, &n, &s, &cmd), 0, "%s", shop_error_message());
    cr_assert_eq(n, 1);
    cr_expect_eq(e[0].type, SHIPMENT_CANCELLED);
    shipment_evolve(&s, &e[0]);
    cr_expect_eq(s.status, SHIPMENT_STATUS_CANCELLED);
    cr_expect_eq(s.cancelled_at_us, T0 + 9);
    cr_expect_str_eq(s.tracking, "TRK000001", "the booking it had is still known");
}

Test(cancelling_a_shipment, is_refused_until_the_carrier_cancelled_the_booking)
{
    shipment s = given_scheduled();
    shipment_event e[SHIPMENT_MAX_DECIDED_EVENTS];
    size_t n;
    cancel_shipment cmd = {.id = id, .at_us = T0 + 9};
    cr_expect_eq(shipment_decide_cancel(e, &n, &s, &cmd), SHOP_EINVALID);
    cr_expect_eq(n, 0);
}

Test(cancelling_a_shipment, twice_changes_nothing)
{
    shipment s = given_cancelled();
    shipment_event e[SHIPMENT_MAX_DECIDED_EVENTS];
    size_t n = 7;
    cr_expect_not(shipment_cancel_needs_carrier(&s), "the carrier is not asked again");
    cancel_shipment cmd = {.id = id, .at_us = T0 + 9};
    cr_expect_eq(shipment_decide_cancel(e, &n, &s, &cmd), 0, "%s", shop_error_message());
    cr_expect_eq(n, 0);
}

Test(cancelling_a_shipment, one_never_scheduled_is_not_found)
{
    shipment s;
    shipment_event e[SHIPMENT_MAX_DECIDED_EVENTS];
    size_t n;
    shipment_init(&s);
    cancel_shipment cmd = {.id = id, .carrier_cancelled = true};
    cr_expect_eq(shipment_decide_cancel(e, &n, &s, &cmd), SHOP_ENOTFOUND);
}

Test(cancelling_a_shipment, a_rejected_shipment_has_nothing_to_cancel)
{
    shipment s = given_rejected();
    shipment_event e[SHIPMENT_MAX_DECIDED_EVENTS];
    size_t n;
    cr_expect_not(shipment_cancel_needs_carrier(&s));
    cancel_shipment cmd = {.id = id, .carrier_cancelled = true};
    cr_expect_eq(shipment_decide_cancel(e, &n, &s, &cmd), SHOP_EREFUSED);
    cr_expect(strstr(shop_error_message(), "rejected"), "%s", shop_error_message());
}

TestSuite(naming_shipments, .init = setup);

Test(naming_shipments, a_shipments_stream_is_named_by_its_order)
{
    char stream[SHIPMENT_STREAM_ID_SIZE];
    cr_expect_str_eq(shipment_stream_id(stream, id),
                     "shipment-0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90");
    shipment_id other;
    cr_expect_eq(shipment_id_parse(&other, "not-a-uuid"), SHOP_EINVALID);
    cr_expect_eq(shipment_event_type_from_name("ShipmentRejected"), SHIPMENT_REJECTED);
    cr_expect_eq(shipment_event_type_from_name("OrderPlaced"), 0);
}
