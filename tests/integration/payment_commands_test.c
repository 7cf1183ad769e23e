/*
 * tests/integration/payment_commands_test.c — Payments as a participant of the
 * fulfilment saga: the subscription "payments.commands" on a real PostgreSQL as
 * shop_payments, paying through the real gateway simulator (in-process, over HTTP), its
 * handler called inside a transaction as the consumer calls it, and through
 * consumer_poll while the gateway is down.
 *
 * What the saga relies on: tok_visa is authorized, tok_chargeDeclined declined, each with
 * one reply in payments.outbox and its domain event in the event store, under the order's
 * id; a command repeated never charges twice; capture twice captures once; a void before
 * any authorization answers PaymentVoided and records nothing; while the gateway is down
 * the handler records nothing and says "unavailable", the consumer parks the command, and
 * after the outage the payment goes through with the gateway charged once.
 * Read next: infrastructure/payments/payment_commands.c
 */
#include "domain/shared/error.h"
#include "infrastructure/payments/payment_commands.h"
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
static struct test_service gateway;
static struct payment_commands_config config;
static void *handler;

static void start_with(const struct service_faults *faults)
{
    admin = test_db_create(db_name);
    test_db_migrate(admin);
    db = test_db_connect(db_name, NULL);
    test_db_exec(db, "SET ROLE shop_payments");
    test_service_start(&gateway, "payment-gateway", NULL, faults);
    config = (struct payment_commands_config){.gateway_url = gateway.url};
    cr_assert_eq(payment_commands_subscription.open(&handler, db, &config), 0, "%s",
                 shop_error_message());
}

static void setup(void)
{
    start_with(NULL);
}

/* The gateway answers 503 to everything for its first 3 seconds. */
static void setup_gateway_in_outage(void)
{
    struct service_faults outage = {.outage_from_s = 0, .outage_until_s = 3};
    start_with(&outage);
}

static void teardown(void)
{
    payment_commands_subscription.close(handler);
    test_service_stop(&gateway);
    PQfinish(db);
    test_db_drop(admin, db_name);
}

static int handle(const char *type, int n, const char *payload)
{
    struct message m = test_command(type, ORDER, n, payload);
    int rc = test_command_handle(db, &payment_commands_subscription, handler, &m);
    message_dispose(&m);
    return rc;
}

#define AUTHORIZE(card)                                                                            \
    "{\"order_id\": \"" ORDER "\", \"payment_id\": \"" ORDER "\", \"amount\": \"24.90 EUR\","      \
    " \"card\": \"" card "\"}"
#define CAPTURE                                                                                    \
    "{\"order_id\": \"" ORDER "\", \"payment_id\": \"" ORDER "\", \"amount\": \"24.90 EUR\"}"
#define VOID "{\"order_id\": \"" ORDER "\", \"payment_id\": \"" ORDER "\"}"

/* "n|type detail;..." of the outbox, oldest first */
static const char *replies(void)
{
    return test_query(db, "SELECT count(*) || '|' || coalesce(string_agg(type || ' ' ||"
                          " coalesce(payload->>'amount', payload->>'reason', '-'), ';'"
                          " ORDER BY id), '') FROM payments.outbox");
}

/* The payment's domain events, in order. */
static const char *events(void)
{
    return test_query(db, "SELECT count(*) || '|' || coalesce(string_agg(type, ','"
                          " ORDER BY global_position), '') FROM payments.events"
                          " WHERE stream_id = 'payment-" ORDER "'");
}

TestSuite(payment_commands, .init = setup, .fini = teardown, .timeout = 60);
TestSuite(authorizing_a_payment, .init = setup, .fini = teardown, .timeout = 60);
TestSuite(capturing_a_payment, .init = setup, .fini = teardown, .timeout = 60);
TestSuite(voiding_a_payment, .init = setup, .fini = teardown, .timeout = 60);
TestSuite(while_the_gateway_is_down, .init = setup_gateway_in_outage, .fini = teardown,
          .timeout = 90);

Test(payment_commands, names_its_subscriber_inbox_and_the_three_commands)
{
    cr_expect_str_eq(payment_commands_subscription.name, "payments.commands");
    cr_expect_str_eq(payment_commands_subscription.inbox_schema, "payments");
    cr_expect_str_eq(payment_commands_subscription.types[0], "ordering.AuthorizePayment");
    cr_expect_str_eq(payment_commands_subscription.types[1], "ordering.CapturePayment");
    cr_expect_str_eq(payment_commands_subscription.types[2], "ordering.VoidPayment");
    cr_expect_null(payment_commands_subscription.types[3]);
    /* about two minutes of retries before a dead letter */
    cr_expect_eq(payment_commands_options.max_attempts, 30);
    cr_expect_eq(payment_commands_options.backoff_base_ms, 200);
    cr_expect_eq(payment_commands_options.backoff_cap_ms, 5000);
}

Test(authorizing_a_payment, with_tok_visa_answers_authorized_under_the_orders_id)
{
    cr_assert_eq(handle("ordering.AuthorizePayment", 1, AUTHORIZE("tok_visa")), 0, "%s",
                 shop_error_message());
    cr_expect_str_eq(replies(), "1|payments.PaymentAuthorized 24.90 EUR");
    cr_expect_str_eq(events(), "1|PaymentAuthorized");
    cr_expect_str_eq(test_query(db, "SELECT (payload->>'payment_id') || ' ' || stream || ' ' ||"
                                    " correlation_id || ' ' || causation_id || ' ' || traceparent"
                                    " FROM payments.outbox"),
                     ORDER " order-" ORDER " " ORDER
                           " 0190c000-0000-7000-8000-000000000001 " TEST_TRACEPARENT);
    /* the domain event is the command's effect too */
    cr_expect_str_eq(test_query(db, "SELECT correlation_id || ' ' || causation_id"
                                    " FROM payments.events"),
                     ORDER " 0190c000-0000-7000-8000-000000000001");
    cr_expect_eq(test_service_counter(gateway.url, "payment_gateway_charges_total", NULL), 1);
}

Test(authorizing_a_payment, with_tok_charge_declined_answers_declined)
{
    cr_assert_eq(handle("ordering.AuthorizePayment", 1, AUTHORIZE("tok_chargeDeclined")), 0, "%s",
                 shop_error_message());
    cr_expect_str_eq(replies(), "1|payments.PaymentDeclined payment declined");
    cr_expect_str_eq(events(), "1|PaymentDeclined");
}

Test(authorizing_a_payment, again_answers_from_the_payment_and_never_charges_twice)
{
    cr_assert_eq(handle("ordering.AuthorizePayment", 1, AUTHORIZE("tok_visa")), 0);
    cr_assert_eq(handle("ordering.AuthorizePayment", 2, AUTHORIZE("tok_visa")), 0, "%s",
                 shop_error_message());
    cr_expect_str_eq(replies(),
                     "2|payments.PaymentAuthorized 24.90 EUR;payments.PaymentAuthorized 24.90 EUR");
    cr_expect_str_eq(events(), "1|PaymentAuthorized");
    cr_expect_eq(test_service_counter(gateway.url, "payment_gateway_charges_total", NULL), 1);
    cr_expect_eq(
        test_service_counter(gateway.url, "payment_gateway_idempotent_replays_total", NULL), 0);
}

Test(authorizing_a_payment, refuses_a_payload_that_breaks_the_contract_as_a_dead_letter)
{
    cr_expect_eq(handle("ordering.AuthorizePayment", 1,
                        "{\"order_id\": \"" ORDER "\", \"payment_id\": \"" ORDER "\","
                        " \"amount\": 24.9, \"card\": \"tok_visa\"}"),
                 SHOP_EINVALID);
    cr_expect(strstr(shop_error_message(), "amount") != NULL, "%s", shop_error_message());
    cr_expect_eq(handle("ordering.AuthorizePayment", 2,
                        "{\"order_id\": \"" ORDER "\", \"amount\": \"24.90 EUR\","
                        " \"card\": \"tok_visa\"}"),
                 SHOP_EINVALID);
    cr_expect(strstr(shop_error_message(), "payment_id") != NULL, "%s", shop_error_message());
    cr_expect_str_eq(replies(), "0|");
    cr_expect_eq(test_service_counter(gateway.url, "payment_gateway_charges_total", NULL), 0);
}

Test(capturing_a_payment, captures_it_once_and_answers_the_same_again)
{
    cr_assert_eq(handle("ordering.AuthorizePayment", 1, AUTHORIZE("tok_visa")), 0);
    cr_assert_eq(handle("ordering.CapturePayment", 2, CAPTURE), 0, "%s", shop_error_message());
    cr_assert_eq(handle("ordering.CapturePayment", 3, CAPTURE), 0, "%s", shop_error_message());
    cr_expect_str_eq(replies(), "3|payments.PaymentAuthorized 24.90 EUR"
                                ";payments.PaymentCaptured 24.90 EUR"
                                ";payments.PaymentCaptured 24.90 EUR");
    cr_expect_str_eq(events(), "2|PaymentAuthorized,PaymentCaptured");
    cr_expect_eq(test_service_counter(gateway.url, "payment_gateway_captures_total", NULL), 1);
}

Test(capturing_a_payment, never_authorized_is_a_dead_letter_and_answers_nothing)
{
    cr_expect_eq(handle("ordering.CapturePayment", 1, CAPTURE), SHOP_EINVALID);
    cr_expect(strstr(shop_error_message(), ORDER) != NULL, "%s", shop_error_message());
    cr_expect_str_eq(replies(), "0|");
}

Test(voiding_a_payment, before_any_authorization_answers_voided_and_records_nothing)
{
    cr_assert_eq(handle("ordering.VoidPayment", 1, VOID), 0, "%s", shop_error_message());
    cr_expect_str_eq(replies(), "1|payments.PaymentVoided -");
    cr_expect_str_eq(events(), "0|");
    cr_expect_eq(test_service_counter(gateway.url, "payment_gateway_voids_total", NULL), 0);
}

Test(voiding_a_payment, that_was_declined_answers_voided_with_nothing_to_void)
{
    cr_assert_eq(handle("ordering.AuthorizePayment", 1, AUTHORIZE("tok_chargeDeclined")), 0);
    cr_assert_eq(handle("ordering.VoidPayment", 2, VOID), 0, "%s", shop_error_message());
    cr_expect_str_eq(replies(), "2|payments.PaymentDeclined payment declined"
                                ";payments.PaymentVoided -");
    cr_expect_str_eq(events(), "1|PaymentDeclined");
}

Test(voiding_a_payment, that_was_authorized_voids_it_with_the_gateway_once)
{
    cr_assert_eq(handle("ordering.AuthorizePayment", 1, AUTHORIZE("tok_visa")), 0);
    cr_assert_eq(handle("ordering.VoidPayment", 2, VOID), 0, "%s", shop_error_message());
    cr_assert_eq(handle("ordering.VoidPayment", 3, VOID), 0, "%s", shop_error_message());
    cr_expect_str_eq(replies(), "3|payments.PaymentAuthorized 24.90 EUR"
                                ";payments.PaymentVoided -;payments.PaymentVoided -");
    cr_expect_str_eq(events(), "2|PaymentAuthorized,PaymentVoided");
    cr_expect_eq(test_service_counter(gateway.url, "payment_gateway_voids_total", NULL), 1);
}

/* A compensation that met the capture on its way (a customer's cancel, a capture's
 * deadline): the money goes back as a refund, once, and the saga hears "voided". */
Test(voiding_a_payment, that_was_captured_refunds_the_capture_once_and_answers_voided)
{
    cr_assert_eq(handle("ordering.AuthorizePayment", 1, AUTHORIZE("tok_visa")), 0);
    cr_assert_eq(handle("ordering.CapturePayment", 2, CAPTURE), 0);
    cr_assert_eq(handle("ordering.VoidPayment", 3, VOID), 0, "%s", shop_error_message());
    cr_assert_eq(handle("ordering.VoidPayment", 4, VOID), 0, "%s", shop_error_message());
    cr_expect_str_eq(events(), "3|PaymentAuthorized,PaymentCaptured,PaymentRefunded");
    cr_expect_str_eq(replies(), "4|payments.PaymentAuthorized 24.90 EUR"
                                ";payments.PaymentCaptured 24.90 EUR"
                                ";payments.PaymentVoided -;payments.PaymentVoided -");
    cr_expect_eq(test_service_counter(gateway.url, "payment_gateway_refunds_total", NULL), 1);
    cr_expect_eq(test_service_counter(gateway.url, "payment_gateway_voids_total", NULL), 0);
}

Test(while_the_gateway_is_down, the_step_waits_records_nothing_then_pays_once)
{
    /* the handler itself: unavailable, and nothing recorded */
    cr_assert_eq(handle("ordering.AuthorizePayment", 1, AUTHORIZE("tok_visa")), SHOP_EUNAVAILABLE,
                 "%s", shop_error_message());
    cr_expect_str_eq(replies(), "0|");
    cr_expect_str_eq(events(), "0|");

    /* the same command through the bus: parked, retried, then paid once */
    struct message m = test_command("ordering.AuthorizePayment", ORDER, 1, AUTHORIZE("tok_visa"));
    test_command_publish(admin, &m);
    message_dispose(&m);
    struct consumer *c;
    /* the options the service runs with: their budget outlasts the outage and the
     * breaker's wait in OPEN that the outage causes */
    cr_assert_eq(
        consumer_open(&c, db, &payment_commands_subscription, handler, &payment_commands_options),
        0, "%s", shop_error_message());
    struct consumer_stats totals = {0};
    for (int i = 0; i < 6000 && totals.handled == 0; i++) {
        cr_assert_eq(consumer_poll(c, NULL), 0, "%s", shop_error_message());
        consumer_totals(c, &totals);
        if (totals.handled == 0)
            test_pause_ms(10);
    }
    cr_assert_eq(totals.handled, 1, "not handled within 60 s (%lu retried, %lu dead): %s",
                 totals.retried, totals.dead_lettered,
                 test_query(admin, "SELECT coalesce(string_agg(last_error, '; '), '')"
                                   " FROM messaging.retries"));
    cr_expect_geq(totals.retried, 1, "the command was never parked: was the gateway down?");
    cr_expect_eq(totals.dead_lettered, 0);
    consumer_close(c);
    cr_expect_str_eq(replies(), "1|payments.PaymentAuthorized 24.90 EUR");
    cr_expect_str_eq(events(), "1|PaymentAuthorized");
    cr_expect_eq(test_service_counter(gateway.url, "payment_gateway_charges_total", NULL), 1);
    cr_expect_geq(test_service_counter(gateway.url, "payment_gateway_injected_errors_total",
                                       "kind=\"outage\""),
                  1);
}
