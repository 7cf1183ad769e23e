/*
 * tests/integration/shipping_commands_test.c — Shipping as a participant of the
 * fulfilment saga: the subscription "shipping.commands" on a real PostgreSQL as
 * shop_shipping, booking with the real carrier simulator (in-process, over HTTP), its
 * handler called inside a transaction as the consumer calls it, and once end to end
 * through consumer_poll while the carrier is down.
 *
 * What the saga relies on: a shipment to a postcode the carrier serves is scheduled, one
 * to 00000 rejected "undeliverable", each with one reply in shipping.outbox; a command
 * repeated books nothing twice; cancelling what was never scheduled answers
 * ShipmentCancelled; a carrier that does not answer records nothing, the consumer retries
 * and the shipment is booked once after the outage.
 * Read next: infrastructure/shipping/shipping_commands.c
 */
#include "domain/shared/error.h"
#include "infrastructure/shipping/shipping_commands.h"
#include "tests/support/commands.h"
#include "tests/support/test_db.h"
#include "tests/support/test_service.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ORDER "0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90"

static char db_name[TEST_DB_NAME_MAX];
static PGconn *admin, *db;
static struct test_service carrier;
static struct shipping_commands_config config;
static void *handler;

static void start_with(const struct service_faults *faults)
{
    admin = test_db_create(db_name);
    test_db_migrate(admin);
    db = test_db_connect(db_name, NULL);
    test_db_exec(db, "SET ROLE shop_shipping");
    test_service_start(&carrier, "carrier", NULL, faults);
    config = (struct shipping_commands_config){.carrier_url = carrier.url};
    cr_assert_eq(shipping_commands_subscription.open(&handler, db, &config), 0, "%s",
                 shop_error_message());
}

static void setup(void)
{
    start_with(NULL);
}

/* The carrier answers 503 to everything for its first 3 seconds. */
static void setup_carrier_in_outage(void)
{
    struct service_faults outage = {.outage_from_s = 0, .outage_until_s = 3};
    start_with(&outage);
}

static void teardown(void)
{
    shipping_commands_subscription.close(handler);
    test_service_stop(&carrier);
    PQfinish(db);
    test_db_drop(admin, db_name);
}

static int handle(const char *type, int n, const char *payload)
{
    struct message m = test_command(type, ORDER, n, payload);
    int rc = test_command_handle(db, &shipping_commands_subscription, handler, &m);
    message_dispose(&m);
    return rc;
}

#define SCHEDULE(postcode)                                                                         \
    "{\"order_id\": \"" ORDER "\", \"ship_to\": \"1 Main St, Berlin\", \"postcode\": \"" postcode  \
    "\"}"
#define CANCEL "{\"order_id\": \"" ORDER "\"}"

/* "n|type reason-or-dash;..." of the outbox, oldest first */
static const char *replies(void)
{
    return test_query(db, "SELECT count(*) || '|' || coalesce(string_agg(type || ' ' ||"
                          " coalesce(payload->>'reason', '-'), ';' ORDER BY id), '')"
                          " FROM shipping.outbox");
}

static const char *events(void)
{
    return test_query(db, "SELECT count(*) || '|' || coalesce(string_agg(type, ','"
                          " ORDER BY global_position), '') FROM shipping.events");
}

TestSuite(shipping_commands, .init = setup, .fini = teardown, .timeout = 60);
TestSuite(scheduling_a_shipment, .init = setup, .fini = teardown, .timeout = 60);
TestSuite(cancelling_a_shipment, .init = setup, .fini = teardown, .timeout = 60);
TestSuite(while_the_carrier_is_down, .init = setup_carrier_in_outage, .fini = teardown,
          .timeout = 90);

Test(shipping_commands, names_its_subscriber_inbox_and_the_two_commands)
{
    cr_expect_str_eq(shipping_commands_subscription.name, "shipping.commands");
    cr_expect_str_eq(shipping_commands_subscription.inbox_schema, "shipping");
    cr_expect_str_eq(shipping_commands_subscription.types[0], "ordering.ScheduleShipment");
    cr_expect_str_eq(shipping_commands_subscription.types[1], "ordering.CancelShipment");
    cr_expect_null(shipping_commands_subscription.types[2]);
    cr_expect_eq(shipping_commands_options.max_attempts, 30);
    cr_expect_eq(shipping_commands_options.backoff_base_ms, 200);
    cr_expect_eq(shipping_commands_options.backoff_cap_ms, 5000);
}

Test(scheduling_a_shipment, to_a_postcode_the_carrier_serves_answers_scheduled)
{
    cr_assert_eq(handle("ordering.ScheduleShipment", 1, SCHEDULE("10115")), 0, "%s",
                 shop_error_message());
    cr_expect_str_eq(replies(), "1|shipping.ShipmentScheduled -");
    cr_expect_str_eq(events(), "1|ShipmentScheduled");
    cr_expect_str_eq(test_query(db, "SELECT stream || ' ' || correlation_id || ' ' ||"
                                    " causation_id || ' ' || traceparent FROM shipping.outbox"),
                     "order-" ORDER " " ORDER
                     " 0190c000-0000-7000-8000-000000000001 " TEST_TRACEPARENT);
    cr_expect_eq(test_service_counter(carrier.url, "shop_carrier_bookings_total", NULL), 1);
}

Test(scheduling_a_shipment, to_00000_answers_rejected_undeliverable)
{
    cr_assert_eq(handle("ordering.ScheduleShipment", 1, SCHEDULE("00000")), 0, "%s",
                 shop_error_message());
    cr_expect_str_eq(replies(), "1|shipping.ShipmentRejected undeliverable");
    cr_expect_str_eq(events(), "1|ShipmentRejected");
    cr_expect_eq(test_service_counter(carrier.url, "shop_carrier_bookings_total", NULL), 0);
}

Test(scheduling_a_shipment, again_books_nothing_twice_and_answers_the_same)
{
    cr_assert_eq(handle("ordering.ScheduleShipment", 1, SCHEDULE("10115")), 0);
    cr_assert_eq(handle("ordering.ScheduleShipment", 2, SCHEDULE("10115")), 0, "%s",
                 shop_error_message());
    cr_expect_str_eq(replies(), "2|shipping.ShipmentScheduled -;shipping.ShipmentScheduled -");
    cr_expect_str_eq(events(), "1|ShipmentScheduled");
    cr_expect_eq(test_service_counter(carrier.url, "shop_carrier_bookings_total", NULL), 1);
}

Test(scheduling_a_shipment, refuses_a_payload_that_breaks_the_contract_as_a_dead_letter)
{
    cr_expect_eq(handle("ordering.ScheduleShipment", 1,
                        "{\"order_id\": \"" ORDER "\", \"postcode\": \"10115\"}"),
                 SHOP_EINVALID);
    cr_expect(strstr(shop_error_message(), "ship_to") != NULL, "%s", shop_error_message());
    cr_expect_eq(handle("ordering.ScheduleShipment", 2, SCHEDULE("no/postcode")), SHOP_EINVALID);
    cr_expect(strstr(shop_error_message(), "postcode") != NULL, "%s", shop_error_message());
    cr_expect_str_eq(replies(), "0|");
    cr_expect_str_eq(events(), "0|");
}

Test(cancelling_a_shipment, that_was_scheduled_cancels_the_booking_once)
{
    cr_assert_eq(handle("ordering.ScheduleShipment", 1, SCHEDULE("10115")), 0);
    cr_assert_eq(handle("ordering.CancelShipment", 2, CANCEL), 0, "%s", shop_error_message());
    cr_assert_eq(handle("ordering.CancelShipment", 3, CANCEL), 0, "%s", shop_error_message());
    cr_expect_str_eq(replies(), "3|shipping.ShipmentScheduled -;shipping.ShipmentCancelled -"
                                ";shipping.ShipmentCancelled -");
    cr_expect_str_eq(events(), "2|ShipmentScheduled,ShipmentCancelled");
    cr_expect_eq(test_service_counter(carrier.url, "shop_carrier_cancellations_total", NULL), 1);
}

Test(cancelling_a_shipment, that_was_never_scheduled_answers_cancelled_and_records_nothing)
{
    cr_assert_eq(handle("ordering.CancelShipment", 1, CANCEL), 0, "%s", shop_error_message());
    cr_expect_str_eq(replies(), "1|shipping.ShipmentCancelled -");
    cr_expect_str_eq(events(), "0|");
}

Test(cancelling_a_shipment, that_was_rejected_answers_cancelled)
{
    cr_assert_eq(handle("ordering.ScheduleShipment", 1, SCHEDULE("00000")), 0);
    cr_assert_eq(handle("ordering.CancelShipment", 2, CANCEL), 0, "%s", shop_error_message());
    cr_expect_str_eq(replies(),
                     "2|shipping.ShipmentRejected undeliverable;shipping.ShipmentCancelled -");
    cr_expect_str_eq(events(), "1|ShipmentRejected");
}

Test(while_the_carrier_is_down, the_step_waits_records_nothing_then_books_once)
{
    cr_assert_eq(handle("ordering.ScheduleShipment", 1, SCHEDULE("10115")), SHOP_EUNAVAILABLE, "%s",
                 shop_error_message());
    cr_expect_str_eq(replies(), "0|");
    cr_expect_str_eq(events(), "0|");

    struct message m = test_command("ordering.ScheduleShipment", ORDER, 1, SCHEDULE("10115"));
    test_command_publish(admin, &m);
    message_dispose(&m);
    struct consumer *c;
    cr_assert_eq(
        consumer_open(&c, db, &shipping_commands_subscription, handler, &shipping_commands_options),
        0, "%s", shop_error_message());
    struct consumer_stats totals = {0};
    for (int i = 0; i < 6000 && totals.handled == 0; i++) {
        cr_assert_eq(consumer_poll(c, NULL), 0, "%s", shop_error_message());
        consumer_totals(c, &totals);
        if (totals.handled == 0)
            test_pause_ms(10);
    }
    cr_assert_eq(totals.handled, 1, "not handled within 60 s (%lu retried, %lu dead)",
                 totals.retried, totals.dead_lettered);
    cr_expect_geq(totals.retried, 1, "the command was never parked: was the carrier down?");
    consumer_close(c);
    cr_expect_str_eq(replies(), "1|shipping.ShipmentScheduled -");
    cr_expect_str_eq(events(), "1|ShipmentScheduled");
    cr_expect_eq(test_service_counter(carrier.url, "shop_carrier_bookings_total", NULL), 1);
}
