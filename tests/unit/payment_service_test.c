/*
 * tests/unit/payment_service_test.c — Payments' command handlers on in-memory adapters
 * (event store, gateway twin, manual clock, sequential ids): no I/O.
 *
 * What these check beyond the aggregate's rules: the gateway is asked only when the
 * payment's state allows the command, a gateway that does not answer leaves the payment
 * as it was (and a retry then succeeds), and a decline is recorded and reported.
 * Read next: application/payments/payment_service.c
 */
#include "application/payments/payment_service.h"

#include "domain/shared/error.h"
#include "infrastructure/memory/clock_manual.h"
#include "infrastructure/memory/event_store_memory.h"
#include "infrastructure/memory/id_generator_sequence.h"
#include "infrastructure/memory/payment_gateway_memory.h"
#include "infrastructure/payments/payment_store_es.h"

#include <criterion/criterion.h>
#include <string.h>

#define T0 1718000000000000

static struct event_store *es;
static struct payment_store *store;
static struct payment_gateway *gateway;
static struct shop_clock *clock_;
static struct id_generator *ids;
static struct payment_service svc;
static shop_uuid order;

static void setup(void)
{
    cr_assert_eq(event_store_memory_new(&es, NULL), 0);
    cr_assert_eq(payment_store_es_new(&store, es), 0);
    cr_assert_eq(payment_gateway_memory_new(&gateway), 0);
    cr_assert_eq(clock_manual_new(&clock_, T0), 0);
    cr_assert_eq(id_generator_sequence_new(&ids), 0);
    svc = (struct payment_service){store, gateway, clock_, ids, 0};
    cr_assert_eq(uuid_parse(&order, "0190a6f4-8d1e-7c3a-9b2f-000000000001"), 0);
}

static void teardown(void)
{
    payment_store_free(store);
    es_free(es);
    payment_gateway_free(gateway);
    shop_clock_free(clock_);
    id_generator_free(ids);
}

static money eur(const char *amount)
{
    money m;
    cr_assert_eq(money_parse(&m, amount, "EUR"), 0);
    return m;
}

static int authorize(payment_id *id, const char *amount, const char *card)
{
    struct authorize_payment_request req = {.order_id = order, .amount = eur(amount), .card = card};
    return payment_service_authorize(id, &svc, &req, NULL);
}

static payment get(const payment_id *id)
{
    payment p;
    int64_t v;
    cr_assert_eq(payment_service_get(&p, &v, &svc, id), 0, "%s", shop_error_message());
    return p;
}

static payment_id authorized(const char *amount)
{
    payment_id id;
    cr_assert_eq(authorize(&id, amount, "tok_visa"), 0, "%s", shop_error_message());
    return id;
}

TestSuite(paying_for_an_order, .init = setup, .fini = teardown);

Test(paying_for_an_order, authorizes_through_the_gateway_and_records_the_charge)
{
    payment_id id = authorized("37.50");
    payment p = get(&id);
    cr_assert_eq(p.status, PAYMENT_STATUS_AUTHORIZED);
    cr_assert(uuid_equal(p.order_id, order));
    cr_assert_eq(strncmp(p.charge_id, "ch_", 3), 0);
    cr_assert_eq(p.authorized_at_us, T0);
    cr_assert_eq(payment_gateway_memory_charges(gateway), 1);
}

Test(paying_for_an_order, with_a_declined_card_records_the_decline_and_says_so)
{
    payment_id id;
    cr_assert_eq(authorize(&id, "37.50", "tok_chargeDeclined"), SHOP_EREFUSED);
    cr_assert_str_eq(shop_error_message(), "payment declined");
    payment p = get(&id);
    cr_assert_eq(p.status, PAYMENT_STATUS_DECLINED);
    cr_assert_str_eq(p.decline_reason, "card_declined");
}

Test(paying_for_an_order, is_refused_for_a_bad_card_or_amount_without_asking_the_gateway)
{
    payment_id id;
    cr_assert_eq(authorize(&id, "37.50", "tok visa"), SHOP_EINVALID);
    cr_assert_eq(authorize(&id, "0.00", "tok_visa"), SHOP_EINVALID);
    cr_assert_eq(payment_gateway_memory_calls(gateway), 0);
}

Test(paying_for_an_order, records_nothing_when_the_gateway_does_not_answer)
{
    payment_id id;
    payment_gateway_memory_fail_next(gateway, 1);
    cr_assert_eq(authorize(&id, "37.50", "tok_visa"), SHOP_EUNAVAILABLE);
    payment p;
    int64_t v;
    payment_id first = {id_generator_sequence_nth(1)};
    cr_assert_eq(payment_service_get(&p, &v, &svc, &first), SHOP_ENOTFOUND);
    cr_assert_eq(payment_gateway_memory_charges(gateway), 0);
}

TestSuite(capturing_through_the_gateway, .init = setup, .fini = teardown);

Test(capturing_through_the_gateway, captures_once_and_asks_the_gateway_once)
{
    payment_id id = authorized("37.50");
    cr_assert_eq(payment_service_capture(&svc, &id, NULL), 0, "%s", shop_error_message());
    unsigned long calls = payment_gateway_memory_calls(gateway);
    cr_assert_eq(payment_service_capture(&svc, &id, NULL), 0);
    cr_assert_eq(payment_gateway_memory_calls(gateway), calls, "a second capture asks nobody");
    payment p = get(&id);
    cr_assert_eq(p.status, PAYMENT_STATUS_CAPTURED);
    cr_assert(money_equal(p.captured, eur("37.50")));
}

Test(capturing_through_the_gateway, is_refused_after_a_void_without_asking_the_gateway)
{
    payment_id id = authorized("37.50");
    cr_assert_eq(payment_service_void(&svc, &id, NULL), 0, "%s", shop_error_message());
    unsigned long calls = payment_gateway_memory_calls(gateway);
    cr_assert_eq(payment_service_capture(&svc, &id, NULL), SHOP_EREFUSED);
    cr_assert_eq(payment_gateway_memory_calls(gateway), calls);
    cr_assert_eq(get(&id).status, PAYMENT_STATUS_VOIDED);
}

Test(capturing_through_the_gateway, leaves_the_payment_authorized_when_the_gateway_is_down)
{
    payment_id id = authorized("37.50");
    payment_gateway_memory_fail_next(gateway, 1);
    cr_assert_eq(payment_service_capture(&svc, &id, NULL), SHOP_EUNAVAILABLE);
    cr_assert_eq(get(&id).status, PAYMENT_STATUS_AUTHORIZED);
    cr_assert_eq(payment_service_capture(&svc, &id, NULL), 0, "a retry succeeds");
    cr_assert_eq(get(&id).status, PAYMENT_STATUS_CAPTURED);
}

Test(capturing_through_the_gateway, is_not_found_for_an_unknown_payment)
{
    payment_id id = {id_generator_sequence_nth(42)};
    cr_assert_eq(payment_service_capture(&svc, &id, NULL), SHOP_ENOTFOUND);
    cr_assert_eq(payment_service_void(&svc, &id, NULL), SHOP_ENOTFOUND);
}

TestSuite(refunding_through_the_gateway, .init = setup, .fini = teardown);

Test(refunding_through_the_gateway, refunds_in_parts_each_its_own_gateway_refund)
{
    payment_id id = authorized("37.50");
    cr_assert_eq(payment_service_capture(&svc, &id, NULL), 0);
    cr_assert_eq(payment_service_refund(&svc, &id, eur("10.00"), NULL), 0, "%s",
                 shop_error_message());
    cr_assert_eq(payment_service_refund(&svc, &id, eur("10.00"), NULL), 0, "%s",
                 shop_error_message());
    payment p = get(&id);
    cr_assert(money_equal(p.refunded, eur("20.00")));
    cr_assert_eq(p.refund_count, 2);
}

Test(refunding_through_the_gateway, is_refused_beyond_the_capture_without_asking_the_gateway)
{
    payment_id id = authorized("37.50");
    cr_assert_eq(payment_service_capture(&svc, &id, NULL), 0);
    unsigned long calls = payment_gateway_memory_calls(gateway);
    cr_assert_eq(payment_service_refund(&svc, &id, eur("37.51"), NULL), SHOP_EREFUSED);
    cr_assert_eq(payment_gateway_memory_calls(gateway), calls);
    cr_assert(money_is_zero(get(&id).refunded));
}

Test(refunding_through_the_gateway, is_refused_for_a_voided_payment)
{
    payment_id id = authorized("37.50");
    cr_assert_eq(payment_service_void(&svc, &id, NULL), 0);
    cr_assert_eq(payment_service_refund(&svc, &id, eur("1.00"), NULL), SHOP_EREFUSED);
}
