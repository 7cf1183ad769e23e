/*
 * tests/unit/fulfilment_test.c — every transition of the fulfilment saga, as given /
 * when / then.
 *
 * Pattern: testing a decider.  The saga is one pure function, so a scenario is a list of
 * inputs fed to fulfilment_decide one after the other, each at a time of its own, and a
 * check of what each decided: the state, the commands (type and attempt), the deadline,
 * what happens to the order.  Expected reasons, deadlines and step names are written out
 * by hand.
 * Read next: domain/ordering/fulfilment.c, then tests/unit/fulfilment_service_test.c.
 */
#include "domain/ordering/fulfilment.h"
#include "domain/shared/error.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------- vocabulary */

#define ORDER_1 "0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90"
#define ORDER_2 "0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a91"
#define T0      INT64_C(1718000000000000)
#define SECOND  INT64_C(1000000)

static const struct saga_settings SETTINGS = {
    .step_timeout_us = 30 * SECOND,
    .compensation_timeout_us = 10 * SECOND,
    .compensation_attempts = 5,
};

/* The saga as the decisions so far left it, the last decision, and the time. */
static fulfilment_saga saga;
static struct saga_decision d;
static int64_t now = T0; /* each test runs in a process of its own */
static order placed_order;

static order_id id_of(const char *text)
{
    order_id id;
    cr_assert_eq(order_id_parse(&id, text), 0, "%s", shop_error_message());
    return id;
}

/* Order 1, placed: 2 x LAMP-1 and 1 x BULB-7, 24.90 EUR, to 50667. */
static const order *an_order(void)
{
    order *o = &placed_order;
    order_init(o);
    o->id = id_of(ORDER_1);
    o->status = ORDER_STATUS_PLACED;
    cr_assert_eq(customer_id_parse(&o->customer, "c-42"), 0);
    cr_assert_eq(ship_to_parse(&o->address.ship_to, "Ada Lovelace, 1 Main St"), 0);
    cr_assert_eq(postcode_parse(&o->address.postcode, "50667"), 0);
    o->line_count = 2;
    cr_assert_eq(sku_parse(&o->lines[0].sku, "LAMP-1"), 0);
    cr_assert_eq(quantity_make(&o->lines[0].quantity, 2), 0);
    cr_assert_eq(sku_parse(&o->lines[1].sku, "BULB-7"), 0);
    cr_assert_eq(quantity_make(&o->lines[1].quantity, 1), 0);
    cr_assert_eq(money_parse(&o->total, "24.90 EUR", NULL), 0);
    o->placed_at_us = T0;
    return o;
}

/* Decides `in` at the next second; the saga becomes what was decided. */
static void when_input(struct saga_input in)
{
    now += SECOND;
    in.now_us = now;
    cr_assert_eq(fulfilment_decide(&d, &saga, &in, &SETTINGS), 0, "%s", shop_error_message());
    saga = d.saga;
}

static void when(enum saga_input_type type)
{
    when_input((struct saga_input){.type = type});
}

static void when_rejected(enum saga_input_type type, const char *reason)
{
    when_input((struct saga_input){.type = type, .reason = reason});
}

static void when_placed(const char *card)
{
    when_input(
        (struct saga_input){.type = SAGA_IN_ORDER_PLACED, .placed = an_order(), .card = card});
}

/* The timer, exactly at the deadline. */
static void when_the_deadline_passes(void)
{
    cr_assert_gt(saga.deadline_us, 0, "a saga in %s has no deadline", saga_state_name(saga.state));
    now = saga.deadline_us - SECOND; /* when_input adds the second back */
    when(SAGA_IN_DEADLINE_PASSED);
}

static void then_state(enum saga_state s)
{
    cr_assert_eq(saga.state, s, "the saga is %s, not %s", saga_state_name(saga.state),
                 saga_state_name(s));
}

/* Exactly the commands listed, in order: type, attempt, type, attempt, ... */
static void then_commands(size_t n, ...)
{
    va_list ap;
    cr_assert_eq(d.command_count, n, "%zu commands, not %zu", d.command_count, n);
    va_start(ap, n);
    for (size_t i = 0; i < n; i++) {
        enum saga_command_type type = va_arg(ap, enum saga_command_type);
        int attempt = va_arg(ap, int);
        cr_expect_eq(d.commands[i].type, type, "command %zu is %s, not %s", i,
                     saga_command_name(d.commands[i].type), saga_command_name(type));
        cr_expect_eq(d.commands[i].attempt, attempt, "command %zu: attempt %d, not %d", i,
                     d.commands[i].attempt, attempt);
    }
    va_end(ap);
}

static void then_one_command(enum saga_command_type type, int attempt)
{
    then_commands(1, type, attempt);
}

/* Feeds `type` to the saga as it is, and checks that nothing changes. */
static void then_ignores(enum saga_input_type type)
{
    fulfilment_saga before = saga;
    struct saga_input in = {.type = type, .now_us = now + SECOND, .placed = an_order()};
    cr_assert_eq(fulfilment_decide(&d, &before, &in, &SETTINGS), 0);
    cr_expect_not(d.changed, "input %d changed the saga in %s", (int)type,
                  saga_state_name(before.state));
    cr_expect_eq(d.command_count, 0, "input %d queued a command", (int)type);
    cr_expect_eq(d.order, SAGA_ORDER_UNCHANGED);
    cr_expect_eq(memcmp(&d.saga, &before, sizeof before), 0, "the state is a copy");
}

static void then_deadline_in(int64_t us)
{
    cr_expect_eq(saga.deadline_us, now + us, "deadline in %lld us, not %lld",
                 (long long)(saga.deadline_us - now), (long long)us);
}

static void then_last_step(const char *name)
{
    cr_assert_gt(saga.step_count, 0);
    cr_expect_str_eq(saga.steps[saga.step_count - 1].name, name);
    cr_expect_eq(saga.steps[saga.step_count - 1].at_us, now);
}

static void then_cancelled(const char *reason)
{
    then_state(SAGA_CANCELLED);
    cr_expect(d.changed);
    cr_expect_eq(d.order, SAGA_ORDER_CANCEL, "the order is cancelled in the same step");
    cr_expect_str_eq(saga.reason, reason);
    cr_expect_eq(saga.deadline_us, 0, "an ended saga waits for nothing");
    cr_expect_eq(d.command_count, 0);
    then_last_step("order cancelled");
}

/* The forward flow up to the state named. */
static void given_reserving(void)
{
    when_placed("tok_visa");
}
static void given_authorizing(void)
{
    given_reserving();
    when(SAGA_IN_STOCK_RESERVED);
}
static void given_scheduling(void)
{
    given_authorizing();
    when(SAGA_IN_PAYMENT_AUTHORIZED);
}
static void given_capturing(void)
{
    given_scheduling();
    when(SAGA_IN_SHIPMENT_SCHEDULED);
}

/* ---------------------------------------------------------------- forward */

Test(an_order_placed, starts_the_saga_by_reserving_its_stock)
{
    when_placed("tok_chargeDeclined");
    then_state(SAGA_RESERVING_STOCK);
    then_one_command(SAGA_CMD_RESERVE_STOCK, 1);
    then_deadline_in(30 * SECOND);
    cr_expect(d.changed);
    cr_expect_eq(d.order, SAGA_ORDER_UNCHANGED);

    char text[UUID_STRING_SIZE];
    cr_expect_str_eq(uuid_format(text, saga.order.uuid), ORDER_1);
    cr_expect_str_eq(saga.customer.text, "c-42");
    cr_expect_str_eq(saga.address.ship_to.text, "Ada Lovelace, 1 Main St");
    cr_expect_str_eq(saga.address.postcode.code, "50667");
    cr_assert_eq(saga.line_count, 2);
    cr_expect_str_eq(saga.lines[0].sku.code, "LAMP-1");
    cr_expect_eq(saga.lines[0].quantity.value, 2);
    cr_expect_str_eq(saga.lines[1].sku.code, "BULB-7");
    cr_expect_eq(saga.lines[1].quantity.value, 1);
    cr_expect_eq(saga.total.minor, 2490);
    cr_expect_str_eq(saga.card, "tok_chargeDeclined");
    cr_expect_not(saga.stock_reserved || saga.payment_authorized || saga.shipment_scheduled);
    cr_expect_eq(saga.started_at_us, now);
    cr_expect_eq(saga.updated_at_us, now);
    cr_expect_eq(saga.attempt, 1);
    cr_expect_str_eq(saga.reason, "");
    cr_expect_eq(saga.step_count, 1);
    then_last_step("order placed");
}

Test(an_order_placed, without_a_card_pays_with_the_test_card)
{
    when_placed(NULL);
    cr_expect_str_eq(saga.card, "tok_visa");
}

Test(an_order_placed, is_refused_without_the_order_or_with_an_oversize_card)
{
    struct saga_input in = {.type = SAGA_IN_ORDER_PLACED, .now_us = T0};
    cr_expect_eq(fulfilment_decide(&d, &saga, &in, &SETTINGS), SHOP_EINVALID);

    char card[SAGA_CARD_MAX + 2];
    memset(card, 'k', sizeof card - 1);
    card[sizeof card - 1] = '\0';
    in.placed = an_order();
    in.card = card;
    cr_expect_eq(fulfilment_decide(&d, &saga, &in, &SETTINGS), SHOP_EINVALID);
    card[SAGA_CARD_MAX] = '\0';
    cr_expect_eq(fulfilment_decide(&d, &saga, &in, &SETTINGS), 0, "64 bytes fit");
}

Test(an_order_placed, that_was_cancelled_already_starts_nothing)
{
    struct saga_input in = {.type = SAGA_IN_ORDER_PLACED, .now_us = T0, .placed = an_order()};
    placed_order.status = ORDER_STATUS_CANCELLED;
    cr_assert_eq(fulfilment_decide(&d, &saga, &in, &SETTINGS), 0);
    cr_expect_not(d.changed);
    cr_expect_eq(d.command_count, 0);
    cr_expect_eq(d.saga.state, SAGA_NONE);
}

Test(an_order_placed, twice_starts_one_saga)
{
    given_reserving();
    then_ignores(SAGA_IN_ORDER_PLACED);
}

Test(no_saga, ignores_every_reply)
{
    for (int t = SAGA_IN_STOCK_RESERVED; t <= SAGA_IN_DEADLINE_PASSED; t++)
        then_ignores((enum saga_input_type)t);
}

Test(reserved_stock, is_paid_for_next)
{
    given_authorizing();
    then_state(SAGA_AUTHORIZING_PAYMENT);
    then_one_command(SAGA_CMD_AUTHORIZE_PAYMENT, 1);
    then_deadline_in(30 * SECOND);
    cr_expect(saga.stock_reserved);
    then_last_step("stock reserved");
}

Test(an_authorized_payment, schedules_the_shipment_next)
{
    given_scheduling();
    then_state(SAGA_SCHEDULING_SHIPMENT);
    then_one_command(SAGA_CMD_SCHEDULE_SHIPMENT, 1);
    then_deadline_in(30 * SECOND);
    cr_expect(saga.payment_authorized);
    then_last_step("payment authorized");
}

Test(a_scheduled_shipment, captures_the_payment_next)
{
    given_capturing();
    then_state(SAGA_CAPTURING_PAYMENT);
    then_one_command(SAGA_CMD_CAPTURE_PAYMENT, 1);
    then_deadline_in(30 * SECOND);
    cr_expect(saga.shipment_scheduled);
    then_last_step("shipment scheduled");
}

Test(a_captured_payment, confirms_the_order_and_commits_the_reservation)
{
    given_capturing();
    when(SAGA_IN_PAYMENT_CAPTURED);
    then_state(SAGA_CONFIRMED);
    cr_expect_eq(d.order, SAGA_ORDER_CONFIRM);
    then_one_command(SAGA_CMD_COMMIT_RESERVATION, 1);
    cr_expect_eq(saga.deadline_us, 0);
    cr_expect_str_eq(saga.reason, "");
    cr_expect(saga_state_is_final(saga.state));

    static const char *const history[] = {"order placed",       "stock reserved",
                                          "payment authorized", "shipment scheduled",
                                          "payment captured",   "order confirmed"};
    cr_assert_eq(saga.step_count, 6);
    for (size_t i = 0; i < 6; i++) {
        cr_expect_str_eq(saga.steps[i].name, history[i], "step %zu", i);
        cr_expect_eq(saga.steps[i].at_us, T0 + (int64_t)(i < 5 ? i + 1 : 5) * SECOND, "step %zu",
                     i);
    }
}

Test(a_confirmed_saga, ignores_everything_after)
{
    given_capturing();
    when(SAGA_IN_PAYMENT_CAPTURED);
    for (int t = SAGA_IN_ORDER_PLACED; t <= SAGA_IN_DEADLINE_PASSED; t++)
        then_ignores((enum saga_input_type)t);
}

/* ---------------------------------------------------------------- business failures */

Test(stock_out_of_stock, cancels_the_order_with_the_participants_reason)
{
    given_reserving();
    when_rejected(SAGA_IN_STOCK_REJECTED, "out of stock: LAMP-1");
    then_cancelled("out of stock: LAMP-1");
    cr_expect_not(saga.stock_reserved, "nothing was reserved, nothing to release");
    cr_expect_str_eq(saga.steps[saga.step_count - 2].name, "stock reservation rejected");
}

Test(stock_out_of_stock, without_a_reason_still_says_why)
{
    given_reserving();
    when_rejected(SAGA_IN_STOCK_REJECTED, NULL);
    then_cancelled("out of stock");
}

Test(a_declined_card, releases_the_stock_and_cancels_the_order)
{
    given_authorizing();
    when_rejected(SAGA_IN_PAYMENT_DECLINED, "payment declined");
    then_state(SAGA_RELEASING_STOCK);
    then_one_command(SAGA_CMD_RELEASE_RESERVATION, 1);
    then_deadline_in(10 * SECOND);
    cr_expect_eq(d.order, SAGA_ORDER_UNCHANGED, "not cancelled before the stock is back");
    cr_expect_str_eq(saga.reason, "payment declined");
    then_last_step("payment declined");

    when(SAGA_IN_STOCK_RELEASED);
    then_cancelled("payment declined");
    cr_expect_str_eq(saga.steps[saga.step_count - 2].name, "stock released");
    cr_expect_not(saga.stock_reserved);
}

Test(an_undeliverable_address, voids_the_payment_releases_the_stock_and_cancels)
{
    given_scheduling();
    when_rejected(SAGA_IN_SHIPMENT_REJECTED, "undeliverable");
    then_state(SAGA_VOIDING_PAYMENT);
    then_one_command(SAGA_CMD_VOID_PAYMENT, 1);
    then_deadline_in(10 * SECOND);
    then_last_step("shipment rejected");

    when(SAGA_IN_PAYMENT_VOIDED);
    then_state(SAGA_RELEASING_STOCK);
    then_one_command(SAGA_CMD_RELEASE_RESERVATION, 1);
    then_last_step("payment voided");
    cr_expect_not(saga.payment_authorized);

    when(SAGA_IN_STOCK_RELEASED);
    then_cancelled("undeliverable");
}

/* ---------------------------------------------------------------- forward deadlines */

Test(a_stock_reservation_without_reply, is_released_then_the_order_cancelled)
{
    given_reserving();
    when_the_deadline_passes();
    then_state(SAGA_RELEASING_STOCK);
    then_one_command(SAGA_CMD_RELEASE_RESERVATION, 1);
    then_deadline_in(10 * SECOND);
    cr_expect_str_eq(saga.reason, "stock reservation timed out");
    then_last_step("stock reservation timed out");

    then_ignores(SAGA_IN_STOCK_RESERVED); /* the late reply: the release comes after it */
    when(SAGA_IN_STOCK_RELEASED);
    then_cancelled("stock reservation timed out");
}

Test(a_payment_authorization_without_reply, voids_then_releases_then_cancels)
{
    given_authorizing();
    when_the_deadline_passes();
    then_state(SAGA_VOIDING_PAYMENT);
    then_one_command(SAGA_CMD_VOID_PAYMENT, 1);
    cr_expect_str_eq(saga.reason, "payment authorization timed out");
    then_ignores(SAGA_IN_PAYMENT_AUTHORIZED);
    then_ignores(SAGA_IN_PAYMENT_DECLINED);
    when(SAGA_IN_PAYMENT_VOIDED);
    then_one_command(SAGA_CMD_RELEASE_RESERVATION, 1);
    when(SAGA_IN_STOCK_RELEASED);
    then_cancelled("payment authorization timed out");
}

Test(a_shipment_scheduling_without_reply, cancels_the_shipment_voids_releases_cancels)
{
    given_scheduling();
    when_the_deadline_passes();
    then_state(SAGA_CANCELLING_SHIPMENT);
    then_one_command(SAGA_CMD_CANCEL_SHIPMENT, 1);
    then_deadline_in(10 * SECOND);
    cr_expect_str_eq(saga.reason, "shipment scheduling timed out");
    then_ignores(SAGA_IN_SHIPMENT_SCHEDULED);
    when(SAGA_IN_SHIPMENT_CANCELLED);
    then_state(SAGA_VOIDING_PAYMENT);
    then_one_command(SAGA_CMD_VOID_PAYMENT, 1);
    then_last_step("shipment cancelled");
    when(SAGA_IN_PAYMENT_VOIDED);
    then_one_command(SAGA_CMD_RELEASE_RESERVATION, 1);
    when(SAGA_IN_STOCK_RELEASED);
    then_cancelled("shipment scheduling timed out");
}

Test(a_payment_capture_without_reply, cancels_the_shipment_voids_releases_cancels)
{
    given_capturing();
    when_the_deadline_passes();
    then_state(SAGA_CANCELLING_SHIPMENT);
    then_one_command(SAGA_CMD_CANCEL_SHIPMENT, 1);
    cr_expect_str_eq(saga.reason, "payment capture timed out");
    then_ignores(SAGA_IN_PAYMENT_CAPTURED); /* too late: the order is being cancelled */
    when(SAGA_IN_SHIPMENT_CANCELLED);
    then_one_command(SAGA_CMD_VOID_PAYMENT, 1);
    when(SAGA_IN_PAYMENT_VOIDED);
    then_one_command(SAGA_CMD_RELEASE_RESERVATION, 1);
    when(SAGA_IN_STOCK_RELEASED);
    then_cancelled("payment capture timed out");
}

Test(a_deadline, that_has_not_passed_changes_nothing)
{
    given_authorizing();
    struct saga_input in = {.type = SAGA_IN_DEADLINE_PASSED, .now_us = saga.deadline_us - 1};
    fulfilment_saga before = saga;
    cr_assert_eq(fulfilment_decide(&d, &before, &in, &SETTINGS), 0);
    cr_expect_not(d.changed, "the timer looked a microsecond early");
    cr_expect_eq(d.command_count, 0);
}

/* ---------------------------------------------------------------- compensation deadlines */

Test(a_compensation_without_reply, is_sent_again_with_the_wait_doubled)
{
    given_scheduling();
    when_rejected(SAGA_IN_SHIPMENT_REJECTED, "undeliverable");
    when_the_deadline_passes();
    then_state(SAGA_VOIDING_PAYMENT);
    then_one_command(SAGA_CMD_VOID_PAYMENT, 2);
    then_deadline_in(20 * SECOND);
    cr_expect_eq(saga.attempt, 2);
    then_last_step("voiding the payment (attempt 2)");

    when_the_deadline_passes();
    then_one_command(SAGA_CMD_VOID_PAYMENT, 3);
    then_deadline_in(40 * SECOND);
    when_the_deadline_passes();
    then_one_command(SAGA_CMD_VOID_PAYMENT, 4);
    then_deadline_in(80 * SECOND);
    cr_expect_str_eq(saga.reason, "undeliverable", "still why it is being cancelled");

    when(SAGA_IN_PAYMENT_VOIDED); /* the reply to any attempt will do */
    then_state(SAGA_RELEASING_STOCK);
    then_one_command(SAGA_CMD_RELEASE_RESERVATION, 1);
    then_deadline_in(10 * SECOND);
    cr_expect_eq(saga.attempt, 1);
}

Test(a_compensation_without_reply, parks_the_saga_as_stuck_after_the_last_attempt)
{
    given_scheduling();
    when_rejected(SAGA_IN_SHIPMENT_REJECTED, "undeliverable");
    for (int attempt = 2; attempt <= 5; attempt++) {
        when_the_deadline_passes();
        then_one_command(SAGA_CMD_VOID_PAYMENT, attempt);
    }
    when_the_deadline_passes();
    then_state(SAGA_STUCK);
    cr_expect(d.changed);
    cr_expect_eq(d.command_count, 0, "no sixth attempt");
    cr_expect_eq(d.order, SAGA_ORDER_UNCHANGED, "the order is neither confirmed nor cancelled");
    cr_expect_eq(saga.deadline_us, 0, "a stuck saga waits for no timer");
    cr_expect_str_eq(saga.reason,
                     "voiding the payment got no reply after 5 attempts (undeliverable)");
    then_last_step("stuck voiding the payment");
    cr_expect_not(saga_state_is_final(SAGA_STUCK));
    then_ignores(SAGA_IN_DEADLINE_PASSED);
    then_ignores(SAGA_IN_STOCK_RELEASED);
}

Test(a_stuck_saga, takes_its_late_reply_and_goes_on)
{
    given_scheduling();
    when_rejected(SAGA_IN_SHIPMENT_REJECTED, "undeliverable");
    for (int attempt = 2; attempt <= 6; attempt++)
        when_the_deadline_passes();
    then_state(SAGA_STUCK);

    when(SAGA_IN_PAYMENT_VOIDED);
    then_state(SAGA_RELEASING_STOCK);
    then_one_command(SAGA_CMD_RELEASE_RESERVATION, 1);
    then_deadline_in(10 * SECOND);
    cr_expect_str_eq(saga.reason, "undeliverable", "the reason it was compensating for is back");
    when(SAGA_IN_STOCK_RELEASED);
    then_cancelled("undeliverable");
}

Test(a_stuck_saga, keeps_a_long_reason_within_bounds)
{
    char reason[ORDER_REASON_MAX + 1];
    memset(reason, 'x', ORDER_REASON_MAX);
    reason[ORDER_REASON_MAX] = '\0';
    given_authorizing();
    when_rejected(SAGA_IN_PAYMENT_DECLINED, reason);
    for (int attempt = 2; attempt <= 6; attempt++)
        when_the_deadline_passes();
    then_state(SAGA_STUCK);
    cr_expect_eq(strlen(saga.reason), ORDER_REASON_MAX);
    cr_expect_eq(strncmp(saga.reason, "releasing stock got no reply after 5 attempts (xxx", 50), 0,
                 "%s", saga.reason);
    cr_expect_eq(saga.reason[ORDER_REASON_MAX - 1], ')');
}

Test(the_settings, left_at_zero_are_the_defaults)
{
    struct saga_settings zero = {0};
    struct saga_input in = {.type = SAGA_IN_ORDER_PLACED, .now_us = T0, .placed = an_order()};
    cr_assert_eq(fulfilment_decide(&d, &saga, &in, &zero), 0);
    cr_expect_eq(d.saga.deadline_us, T0 + SAGA_DEFAULT_STEP_TIMEOUT_US);
    cr_assert_eq(fulfilment_decide(&d, &saga, &in, NULL), 0);
    cr_expect_eq(d.saga.deadline_us, T0 + SAGA_DEFAULT_STEP_TIMEOUT_US);
}

/* ---------------------------------------------------------------- cancelled by a user */

Test(an_order_cancelled_while_reserving, releases_the_stock_and_leaves_the_order_alone)
{
    given_reserving();
    when_rejected(SAGA_IN_ORDER_CANCELLED, "changed my mind");
    then_state(SAGA_RELEASING_STOCK);
    then_one_command(SAGA_CMD_RELEASE_RESERVATION, 1);
    cr_expect(saga.order_cancelled);
    cr_expect_str_eq(saga.reason, "changed my mind");
    when(SAGA_IN_STOCK_RELEASED);
    then_state(SAGA_CANCELLED);
    cr_expect_eq(d.order, SAGA_ORDER_UNCHANGED, "the order is cancelled already");
    cr_expect_eq(d.command_count, 0);
}

Test(an_order_cancelled_while_authorizing, voids_and_releases)
{
    given_authorizing();
    when_rejected(SAGA_IN_ORDER_CANCELLED, NULL);
    then_state(SAGA_VOIDING_PAYMENT);
    then_one_command(SAGA_CMD_VOID_PAYMENT, 1);
    cr_expect_str_eq(saga.reason, "order cancelled");
    when(SAGA_IN_PAYMENT_VOIDED);
    then_one_command(SAGA_CMD_RELEASE_RESERVATION, 1);
    when(SAGA_IN_STOCK_RELEASED);
    then_state(SAGA_CANCELLED);
    cr_expect_eq(d.order, SAGA_ORDER_UNCHANGED);
}

Test(an_order_cancelled_while_scheduling, cancels_the_shipment_voids_releases)
{
    given_scheduling();
    when_rejected(SAGA_IN_ORDER_CANCELLED, "changed my mind");
    then_state(SAGA_CANCELLING_SHIPMENT);
    then_one_command(SAGA_CMD_CANCEL_SHIPMENT, 1);
    when(SAGA_IN_SHIPMENT_CANCELLED);
    then_one_command(SAGA_CMD_VOID_PAYMENT, 1);
    when(SAGA_IN_PAYMENT_VOIDED);
    then_one_command(SAGA_CMD_RELEASE_RESERVATION, 1);
    when(SAGA_IN_STOCK_RELEASED);
    then_state(SAGA_CANCELLED);
    cr_expect_eq(d.order, SAGA_ORDER_UNCHANGED);
}

Test(an_order_cancelled_while_capturing, cancels_the_shipment_voids_releases)
{
    given_capturing();
    when_rejected(SAGA_IN_ORDER_CANCELLED, "changed my mind");
    then_state(SAGA_CANCELLING_SHIPMENT);
    then_one_command(SAGA_CMD_CANCEL_SHIPMENT, 1);
    then_ignores(SAGA_IN_PAYMENT_CAPTURED);
    when(SAGA_IN_SHIPMENT_CANCELLED);
    when(SAGA_IN_PAYMENT_VOIDED);
    when(SAGA_IN_STOCK_RELEASED);
    then_state(SAGA_CANCELLED);
    cr_expect_eq(d.order, SAGA_ORDER_UNCHANGED);
}

Test(an_order_cancelled_while_compensating, is_not_cancelled_again_at_the_end)
{
    given_authorizing();
    when_rejected(SAGA_IN_PAYMENT_DECLINED, "payment declined");
    when_rejected(SAGA_IN_ORDER_CANCELLED, "changed my mind");
    cr_expect(d.changed);
    cr_expect_eq(d.command_count, 0, "the release is on its way already");
    then_state(SAGA_RELEASING_STOCK);
    cr_expect_str_eq(saga.reason, "payment declined");
    then_ignores(SAGA_IN_ORDER_CANCELLED);
    when(SAGA_IN_STOCK_RELEASED);
    then_state(SAGA_CANCELLED);
    cr_expect_eq(d.order, SAGA_ORDER_UNCHANGED);
}

Test(an_order_cancelled_by_the_saga_itself, comes_back_and_changes_nothing)
{
    given_reserving();
    when_rejected(SAGA_IN_STOCK_REJECTED, "out of stock: LAMP-1");
    then_ignores(SAGA_IN_ORDER_CANCELLED);
}

/* ---------------------------------------------------------------- duplicates, late replies */

Test(a_duplicate_reply, changes_nothing)
{
    given_authorizing();
    then_ignores(SAGA_IN_STOCK_RESERVED);
    given_scheduling();
    then_ignores(SAGA_IN_PAYMENT_AUTHORIZED);
    then_ignores(SAGA_IN_STOCK_RESERVED);
}

Test(a_reply_of_another_state, changes_nothing)
{
    given_reserving();
    then_ignores(SAGA_IN_PAYMENT_AUTHORIZED);
    then_ignores(SAGA_IN_PAYMENT_CAPTURED);
    then_ignores(SAGA_IN_SHIPMENT_SCHEDULED);
    then_ignores(SAGA_IN_STOCK_RELEASED);
    then_ignores(SAGA_IN_PAYMENT_VOIDED);
    then_ignores(SAGA_IN_SHIPMENT_CANCELLED);
    given_authorizing();
    when_rejected(SAGA_IN_PAYMENT_DECLINED, "payment declined");
    then_ignores(SAGA_IN_PAYMENT_VOIDED);
    then_ignores(SAGA_IN_SHIPMENT_CANCELLED);
    then_ignores(SAGA_IN_PAYMENT_DECLINED);
}

Test(a_cancelled_saga, ignores_everything_after)
{
    given_reserving();
    when_rejected(SAGA_IN_STOCK_REJECTED, "out of stock: LAMP-1");
    for (int t = SAGA_IN_ORDER_PLACED; t <= SAGA_IN_DEADLINE_PASSED; t++)
        then_ignores((enum saga_input_type)t);
}

Test(an_unknown_input, is_refused)
{
    struct saga_input in = {.type = (enum saga_input_type)99, .now_us = T0};
    cr_expect_eq(fulfilment_decide(&d, &saga, &in, &SETTINGS), SHOP_EINVALID);
}

/* ---------------------------------------------------------------- history */

Test(the_history, keeps_the_newest_steps)
{
    struct saga_settings patient = SETTINGS;
    patient.compensation_attempts = 100;
    given_authorizing();
    when_rejected(SAGA_IN_PAYMENT_DECLINED, "payment declined");
    for (int attempt = 2; attempt <= 40; attempt++) {
        now = saga.deadline_us;
        struct saga_input in = {.type = SAGA_IN_DEADLINE_PASSED, .now_us = now};
        cr_assert_eq(fulfilment_decide(&d, &saga, &in, &patient), 0);
        saga = d.saga;
    }
    cr_expect_eq(saga.step_count, SAGA_MAX_STEPS);
    cr_expect_str_eq(saga.steps[SAGA_MAX_STEPS - 1].name, "releasing stock (attempt 40)");
    cr_expect_str_eq(saga.steps[0].name, "releasing stock (attempt 9)", "the oldest dropped");
}

/* ---------------------------------------------------------------- names and ids */

Test(a_command_message_id, is_derived_from_order_command_and_attempt)
{
    order_id a = id_of(ORDER_1), b = id_of(ORDER_2);
    shop_uuid ids[2 * 8 * 3];
    size_t n = 0;
    char text[UUID_STRING_SIZE];
    for (int o = 0; o < 2; o++)
        for (int t = SAGA_CMD_RESERVE_STOCK; t <= SAGA_CMD_CANCEL_SHIPMENT; t++)
            for (int attempt = 1; attempt <= 3; attempt++) {
                shop_uuid id =
                    saga_command_message_id(o ? b : a, (enum saga_command_type)t, attempt);
                shop_uuid again =
                    saga_command_message_id(o ? b : a, (enum saga_command_type)t, attempt);
                cr_expect(uuid_equal(id, again), "the same every time");
                cr_expect_eq(uuid_version(id), 8, "%s", uuid_format(text, id));
                cr_expect_eq(id.bytes[8] & 0xC0, 0x80, "RFC 9562 variant");
                shop_uuid parsed;
                cr_expect_eq(uuid_parse(&parsed, uuid_format(text, id)), 0, "%s", text);
                for (size_t i = 0; i < n; i++)
                    cr_expect_not(uuid_equal(ids[i], id), "collision at %zu: %s", i, text);
                ids[n++] = id;
            }
}

Test(a_state_name, reads_back_as_its_state)
{
    for (int s = SAGA_RESERVING_STOCK; s <= SAGA_STUCK; s++)
        cr_expect_eq(saga_state_from_name(saga_state_name((enum saga_state)s)), s, "%s",
                     saga_state_name((enum saga_state)s));
    cr_expect_str_eq(saga_state_name(SAGA_RESERVING_STOCK), "reserving_stock");
    cr_expect_str_eq(saga_state_name(SAGA_STUCK), "stuck");
    cr_expect_eq(saga_state_from_name("shipped"), SAGA_NONE);
    cr_expect_eq(saga_state_from_name(NULL), SAGA_NONE);
    cr_expect_str_eq(saga_command_name(SAGA_CMD_RELEASE_RESERVATION), "ReleaseReservation");
    cr_expect_str_eq(saga_command_name(SAGA_CMD_CANCEL_SHIPMENT), "CancelShipment");
}
