/*
 * tests/unit/payment_test.c — the Payment aggregate's rules as given-events /
 * when-command / then-events scenarios (no I/O).
 *
 * Each test folds the events it is given with payment_evolve, decides one command, and
 * checks the events decided or the refusal and its message.  The gateway's answer is
 * command data here, so every rule is testable without one.
 * Read next: domain/payments/payment.c
 */
#include "domain/payments/payment.h"

#include "domain/shared/error.h"

#include <criterion/criterion.h>
#include <string.h>

#define T0 1718000000000000

static payment_id pid;
static shop_uuid order;
static payment state;
static payment_event out[PAYMENT_MAX_DECIDED_EVENTS];
static size_t n;

static void setup(void)
{
    cr_assert_eq(payment_id_parse(&pid, "0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90"), 0);
    cr_assert_eq(uuid_parse(&order, "0190a6f4-8d1e-7c3a-9b2f-000000000001"), 0);
    payment_init(&state);
}

static money eur(const char *amount)
{
    money m;
    cr_assert_eq(money_parse(&m, amount, "EUR"), 0, "%s", amount);
    return m;
}

static authorize_payment authorize_cmd(const char *amount, bool approved)
{
    authorize_payment cmd = {
        .id = pid, .order_id = order, .amount = eur(amount), .approved = approved, .at_us = T0};
    if (approved)
        strcpy(cmd.charge_id, "ch_1");
    else
        strcpy(cmd.decline_reason, "card_declined");
    return cmd;
}

/* given: the events a command decided, applied to state */
static void given_decided(void)
{
    for (size_t i = 0; i < n; i++)
        payment_evolve(&state, &out[i]);
}

static void given_authorized(const char *amount)
{
    authorize_payment cmd = authorize_cmd(amount, true);
    cr_assert_eq(payment_decide_authorize(out, &n, &state, &cmd), 0, "%s", shop_error_message());
    given_decided();
}

static void given_captured(const char *amount)
{
    given_authorized(amount);
    capture_payment cmd = {.id = pid, .at_us = T0 + 1};
    cr_assert_eq(payment_decide_capture(out, &n, &state, &cmd), 0, "%s", shop_error_message());
    given_decided();
}

static int refund(const char *amount, const char *refund_id)
{
    refund_payment cmd = {.id = pid, .amount = eur(amount), .at_us = T0 + 2};
    strcpy(cmd.refund_id, refund_id);
    int rc = payment_decide_refund(out, &n, &state, &cmd);
    if (rc == 0)
        given_decided();
    return rc;
}

TestSuite(authorizing_a_payment, .init = setup);

Test(authorizing_a_payment, records_the_charge_the_gateway_approved)
{
    authorize_payment cmd = authorize_cmd("37.50", true);
    cr_assert_eq(payment_decide_authorize(out, &n, &state, &cmd), 0);
    cr_assert_eq(n, 1);
    cr_assert_eq(out[0].type, PAYMENT_AUTHORIZED);
    cr_assert(money_equal(out[0].as.authorized.amount, eur("37.50")));
    cr_assert_str_eq(out[0].as.authorized.charge_id, "ch_1");
    given_decided();
    cr_assert_eq(state.status, PAYMENT_STATUS_AUTHORIZED);
    cr_assert(uuid_equal(state.order_id, order));
}

Test(authorizing_a_payment, records_a_decline_with_the_gateways_reason)
{
    authorize_payment cmd = authorize_cmd("37.50", false);
    cr_assert_eq(payment_decide_authorize(out, &n, &state, &cmd), 0);
    cr_assert_eq(out[0].type, PAYMENT_DECLINED);
    cr_assert_str_eq(out[0].as.declined.reason, "card_declined");
    given_decided();
    cr_assert_eq(state.status, PAYMENT_STATUS_DECLINED);
    cr_assert_str_eq(payment_status_name(state.status), "declined");
}

Test(authorizing_a_payment, is_refused_for_an_amount_of_zero)
{
    authorize_payment cmd = authorize_cmd("0.00", true);
    cr_assert_eq(payment_decide_authorize(out, &n, &state, &cmd), SHOP_EINVALID);
    cr_assert_eq(n, 0);
    cr_assert(strstr(shop_error_message(), "must be above 0"), "%s", shop_error_message());
}

Test(authorizing_a_payment, is_refused_for_a_negative_amount)
{
    authorize_payment cmd = authorize_cmd("-1.00", true);
    cr_assert_eq(payment_decide_authorize(out, &n, &state, &cmd), SHOP_EINVALID);
}

Test(authorizing_a_payment, is_refused_without_an_order)
{
    authorize_payment cmd = authorize_cmd("1.00", true);
    cr_assert_eq(uuid_parse(&cmd.order_id, "00000000-0000-0000-0000-000000000000"), 0);
    cr_assert_eq(payment_decide_authorize(out, &n, &state, &cmd), SHOP_EINVALID);
}

Test(authorizing_a_payment, is_refused_when_approved_without_a_charge_id)
{
    authorize_payment cmd = authorize_cmd("1.00", true);
    cmd.charge_id[0] = '\0';
    cr_assert_eq(payment_decide_authorize(out, &n, &state, &cmd), SHOP_EINVALID);
}

Test(authorizing_a_payment, is_refused_twice_for_the_same_payment)
{
    given_authorized("37.50");
    authorize_payment cmd = authorize_cmd("37.50", true);
    cr_assert_eq(payment_decide_authorize(out, &n, &state, &cmd), SHOP_EREFUSED);
    cr_assert(strstr(shop_error_message(), "already exists"), "%s", shop_error_message());
}

TestSuite(capturing_a_payment, .init = setup);

Test(capturing_a_payment, captures_the_authorized_amount)
{
    given_authorized("37.50");
    capture_payment cmd = {.id = pid, .at_us = T0 + 1};
    cr_assert_eq(payment_check_capture(&state), 0);
    cr_assert_eq(payment_decide_capture(out, &n, &state, &cmd), 0);
    cr_assert_eq(n, 1);
    cr_assert_eq(out[0].type, PAYMENT_CAPTURED);
    cr_assert(money_equal(out[0].as.captured.amount, eur("37.50")));
    given_decided();
    cr_assert_eq(state.status, PAYMENT_STATUS_CAPTURED);
}

Test(capturing_a_payment, a_second_time_changes_nothing)
{
    given_captured("37.50");
    capture_payment cmd = {.id = pid, .at_us = T0 + 5};
    cr_assert_eq(payment_check_capture(&state), PAYMENT_NOTHING_TO_DO);
    cr_assert_eq(payment_decide_capture(out, &n, &state, &cmd), 0);
    cr_assert_eq(n, 0, "captured at most once");
}

Test(capturing_a_payment, is_refused_after_a_void)
{
    given_authorized("37.50");
    void_payment v = {.id = pid, .at_us = T0 + 1};
    cr_assert_eq(payment_decide_void(out, &n, &state, &v), 0);
    given_decided();
    capture_payment cmd = {.id = pid, .at_us = T0 + 2};
    cr_assert_eq(payment_check_capture(&state), SHOP_EREFUSED);
    cr_assert_eq(payment_decide_capture(out, &n, &state, &cmd), SHOP_EREFUSED);
    cr_assert_eq(n, 0);
    cr_assert(strstr(shop_error_message(), "is voided and cannot be captured"), "%s",
              shop_error_message());
}

Test(capturing_a_payment, is_refused_when_declined)
{
    authorize_payment a = authorize_cmd("37.50", false);
    cr_assert_eq(payment_decide_authorize(out, &n, &state, &a), 0);
    given_decided();
    capture_payment cmd = {.id = pid};
    cr_assert_eq(payment_decide_capture(out, &n, &state, &cmd), SHOP_EREFUSED);
}

Test(capturing_a_payment, is_not_found_for_an_unknown_payment)
{
    capture_payment cmd = {.id = pid};
    cr_assert_eq(payment_decide_capture(out, &n, &state, &cmd), SHOP_ENOTFOUND);
}

TestSuite(voiding_a_payment, .init = setup);

Test(voiding_a_payment, voids_an_authorization)
{
    given_authorized("10.00");
    void_payment cmd = {.id = pid, .at_us = T0 + 1};
    cr_assert_eq(payment_decide_void(out, &n, &state, &cmd), 0);
    cr_assert_eq(out[0].type, PAYMENT_VOIDED);
    given_decided();
    cr_assert_eq(state.status, PAYMENT_STATUS_VOIDED);
    cr_assert_eq(payment_decide_void(out, &n, &state, &cmd), 0);
    cr_assert_eq(n, 0, "voiding twice changes nothing");
}

Test(voiding_a_payment, is_refused_after_the_capture)
{
    given_captured("10.00");
    void_payment cmd = {.id = pid};
    cr_assert_eq(payment_decide_void(out, &n, &state, &cmd), SHOP_EREFUSED);
    cr_assert(strstr(shop_error_message(), "refund it instead"), "%s", shop_error_message());
}

TestSuite(refunding_a_payment, .init = setup);

Test(refunding_a_payment, in_parts_up_to_the_capture)
{
    given_captured("37.50");
    cr_assert_eq(refund("10.00", "re_1"), 0);
    cr_assert_eq(out[0].type, PAYMENT_REFUNDED);
    cr_assert_eq(state.status, PAYMENT_STATUS_CAPTURED);
    cr_assert_eq(refund("27.50", "re_2"), 0);
    cr_assert_eq(state.status, PAYMENT_STATUS_REFUNDED);
    cr_assert(money_equal(state.refunded, eur("37.50")));
    cr_assert_eq(state.refund_count, 2);
}

Test(refunding_a_payment, is_refused_beyond_the_capture)
{
    given_captured("37.50");
    cr_assert_eq(refund("30.00", "re_1"), 0);
    cr_assert_eq(refund("7.51", "re_2"), SHOP_EREFUSED);
    cr_assert_eq(n, 0);
    cr_assert_str_eq(shop_error_message(),
                     "a refund of 7.51 EUR would exceed the capture: 7.50 EUR is left to refund");
    cr_assert(money_equal(state.refunded, eur("30.00")));
}

Test(refunding_a_payment, is_refused_when_fully_refunded)
{
    given_captured("5.00");
    cr_assert_eq(refund("5.00", "re_1"), 0);
    cr_assert_eq(refund("0.01", "re_2"), SHOP_EREFUSED);
}

Test(refunding_a_payment, is_refused_before_the_capture)
{
    given_authorized("37.50");
    cr_assert_eq(refund("1.00", "re_1"), SHOP_EREFUSED);
}

Test(refunding_a_payment, is_refused_for_zero)
{
    given_captured("37.50");
    cr_assert_eq(refund("0.00", "re_1"), SHOP_EINVALID);
}

Test(refunding_a_payment, is_refused_in_another_currency)
{
    given_captured("37.50");
    refund_payment cmd = {.id = pid, .refund_id = "re_1"};
    cr_assert_eq(money_parse(&cmd.amount, "1.00 USD", NULL), 0);
    cr_assert_eq(payment_decide_refund(out, &n, &state, &cmd), SHOP_EINVALID);
    cr_assert(strstr(shop_error_message(), "in EUR"), "%s", shop_error_message());
}

Test(refunding_a_payment, is_refused_without_the_gateways_refund_id)
{
    given_captured("37.50");
    cr_assert_eq(refund("1.00", ""), SHOP_EINVALID);
}

TestSuite(payment_values, .init = setup);

Test(payment_values, card_tokens_are_any_printable_token_without_spaces)
{
    cr_assert_eq(payment_card_check("tok_visa"), 0);
    cr_assert_eq(payment_card_check("tok_chargeDeclined"), 0);
    cr_assert_eq(payment_card_check(""), SHOP_EINVALID);
    cr_assert_eq(payment_card_check("tok visa"), SHOP_EINVALID);
    char long_token[PAYMENT_CARD_MAX + 2];
    memset(long_token, 'a', sizeof long_token - 1);
    long_token[sizeof long_token - 1] = '\0';
    cr_assert_eq(payment_card_check(long_token), SHOP_EINVALID);
}

Test(payment_values, event_names_go_both_ways)
{
    for (int t = PAYMENT_AUTHORIZED; t <= PAYMENT_REFUNDED; t++)
        cr_assert_eq(payment_event_type_from_name(payment_event_type_name(t)), t);
    cr_assert_eq(payment_event_type_from_name("OrderPlaced"), 0);
}

Test(payment_values, a_payment_stream_is_named_after_the_payment)
{
    char stream[PAYMENT_STREAM_ID_SIZE];
    cr_assert_str_eq(payment_stream_id(stream, pid),
                     "payment-0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90");
    payment_id other;
    cr_assert_eq(payment_id_parse(&other, "nope"), SHOP_EINVALID);
}
