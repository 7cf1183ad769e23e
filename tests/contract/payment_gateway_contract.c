/*
 * tests/contract/payment_gateway_contract.c — the payment gateway port's promises, held by
 * every adapter: the in-memory twin and the HTTP client on the real simulator.
 *
 * Pattern: contract tests.  Compiled once per adapter and linked with that adapter's
 * fixture, so a command handler tested on the twin can trust the real gateway to answer
 * the same: the same approvals and declines, the same refusals with the same codes, the
 * same idempotency.
 * Read next: application/payments/payment_gateway.h, docs/contracts/payment-gateway.md
 */
#include "tests/contract/payment_gateway_contract.h"

#include "domain/shared/error.h"

#include <criterion/criterion.h>
#include <string.h>

static struct payment_gateway *gw;

static void setup(void)
{
    gw = contract_gateway_new();
}

static void teardown(void)
{
    contract_gateway_free(gw);
}

static money eur(const char *amount)
{
    money m;
    cr_assert_eq(money_parse(&m, amount, "EUR"), 0);
    return m;
}

static void authorized(struct gateway_authorization *a, const char *key)
{
    cr_assert_eq(payment_gateway_authorize(gw, a, eur("37.50"), "tok_visa", key), 0, "%s",
                 shop_error_message());
    cr_assert(a->approved);
}

TestSuite(the_payment_gateway, .init = setup, .fini = teardown);

Test(the_payment_gateway, approves_tok_visa_with_a_charge_id)
{
    struct gateway_authorization a;
    authorized(&a, "p1:authorize");
    cr_assert_eq(strncmp(a.charge_id, "ch_", 3), 0, "%s", a.charge_id);
    cr_assert_str_eq(a.decline_reason, "");
}

Test(the_payment_gateway, declines_tok_chargeDeclined_as_an_answer_not_an_error)
{
    struct gateway_authorization a;
    cr_assert_eq(payment_gateway_authorize(gw, &a, eur("37.50"), "tok_chargeDeclined", "k"), 0);
    cr_assert_not(a.approved);
    cr_assert_str_eq(a.decline_reason, "card_declined");
    cr_assert_str_eq(a.charge_id, "");
}

Test(the_payment_gateway, answers_a_repeated_authorization_with_the_first_charge)
{
    struct gateway_authorization first, again, other;
    authorized(&first, "p1:authorize");
    authorized(&again, "p1:authorize");
    authorized(&other, "p2:authorize");
    cr_assert_str_eq(again.charge_id, first.charge_id);
    cr_assert_str_neq(other.charge_id, first.charge_id);
}

Test(the_payment_gateway, refuses_a_key_reused_for_another_amount_as_a_conflict)
{
    struct gateway_authorization a;
    authorized(&a, "p1:authorize");
    cr_assert_eq(payment_gateway_authorize(gw, &a, eur("1.00"), "tok_visa", "p1:authorize"),
                 SHOP_ECONFLICT);
    cr_assert(strstr(shop_error_message(), "payment gateway:"), "%s", shop_error_message());
}

Test(the_payment_gateway, captures_once_and_answers_a_second_capture_alike)
{
    struct gateway_authorization a;
    authorized(&a, NULL);
    cr_assert_eq(payment_gateway_capture(gw, a.charge_id, "p1:capture"), 0, "%s",
                 shop_error_message());
    cr_assert_eq(payment_gateway_capture(gw, a.charge_id, "p1:capture-again"), 0);
}

Test(the_payment_gateway, refuses_a_capture_after_a_void)
{
    struct gateway_authorization a;
    authorized(&a, NULL);
    cr_assert_eq(payment_gateway_void(gw, a.charge_id, "p1:void"), 0, "%s", shop_error_message());
    cr_assert_eq(payment_gateway_void(gw, a.charge_id, "p1:void-again"), 0);
    cr_assert_eq(payment_gateway_capture(gw, a.charge_id, "p1:capture"), SHOP_EREFUSED);
    cr_assert(strstr(shop_error_message(), "voided"), "%s", shop_error_message());
}

Test(the_payment_gateway, refuses_a_void_after_a_capture)
{
    struct gateway_authorization a;
    authorized(&a, NULL);
    cr_assert_eq(payment_gateway_capture(gw, a.charge_id, NULL), 0);
    cr_assert_eq(payment_gateway_void(gw, a.charge_id, NULL), SHOP_EREFUSED);
}

Test(the_payment_gateway, refunds_up_to_the_capture_and_refuses_more)
{
    struct gateway_authorization a;
    char refund[PAYMENT_GATEWAY_ID_MAX + 1], again[PAYMENT_GATEWAY_ID_MAX + 1];
    authorized(&a, NULL);
    cr_assert_eq(payment_gateway_capture(gw, a.charge_id, NULL), 0);
    cr_assert_eq(payment_gateway_refund(gw, refund, a.charge_id, eur("30.00"), "p1:refund:1"), 0,
                 "%s", shop_error_message());
    cr_assert_eq(strncmp(refund, "re_", 3), 0, "%s", refund);
    cr_assert_eq(payment_gateway_refund(gw, again, a.charge_id, eur("30.00"), "p1:refund:1"), 0);
    cr_assert_str_eq(again, refund, "a repeated refund is the same refund");
    cr_assert_eq(payment_gateway_refund(gw, again, a.charge_id, eur("7.51"), "p1:refund:2"),
                 SHOP_EREFUSED);
    cr_assert_eq(payment_gateway_refund(gw, again, a.charge_id, eur("7.50"), "p1:refund:3"), 0);
}

Test(the_payment_gateway, refuses_a_refund_before_the_capture)
{
    struct gateway_authorization a;
    char refund[PAYMENT_GATEWAY_ID_MAX + 1];
    authorized(&a, NULL);
    cr_assert_eq(payment_gateway_refund(gw, refund, a.charge_id, eur("1.00"), NULL), SHOP_EREFUSED);
}

Test(the_payment_gateway, does_not_know_a_charge_it_never_made)
{
    cr_assert_eq(payment_gateway_capture(gw, "ch_0000000000000000", NULL), SHOP_ENOTFOUND);
    cr_assert_eq(payment_gateway_void(gw, "ch_0000000000000000", NULL), SHOP_ENOTFOUND);
}

Test(the_payment_gateway, refuses_an_amount_it_cannot_take)
{
    struct gateway_authorization a;
    money huge = money_make(eur("1.00").currency, INT64_C(100000000000));
    cr_assert_eq(payment_gateway_authorize(gw, &a, huge, "tok_visa", NULL), SHOP_EINVALID);
    cr_assert_not(a.approved);
}
