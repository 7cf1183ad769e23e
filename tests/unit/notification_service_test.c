/*
 * tests/unit/notification_service_test.c — the Notifications context's application
 * service on the in-memory log (no database): order updates in, notifications out,
 * once per message, and a retry asked for when an update comes before its order's
 * OrderPlaced.
 * Read next: application/notifications/notification_service.c
 */
#include "application/notifications/notification_service.h"
#include "domain/shared/error.h"
#include "infrastructure/memory/clock_manual.h"
#include "infrastructure/memory/notification_log_memory.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#define ORDER "0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90"

static struct shop_clock *clock;
static struct notification_log *log_;
static struct notification_service svc;

static void setup(void)
{
    cr_assert_eq(clock_manual_new(&clock, INT64_C(1718000000000000)), 0);
    cr_assert_eq(notification_log_memory_new(&log_, clock), 0);
    svc = (struct notification_service){.log = log_};
}

static void teardown(void)
{
    notification_log_free(log_);
    shop_clock_free(clock);
}

TestSuite(notifying, .init = setup, .fini = teardown);

static shop_uuid id(const char *text)
{
    shop_uuid u;
    cr_assert_eq(uuid_parse(&u, text), 0);
    return u;
}

static struct message_meta message(int n)
{
    char text[UUID_STRING_SIZE];
    snprintf(text, sizeof text, "0190b000-0000-7000-8000-%012d", n);
    return (struct message_meta){.message_id = id(text), .correlation_id = id(ORDER)};
}

static struct order_update placed(void)
{
    struct order_update u = {.kind = NOTIFICATION_ORDER_PLACED, .order_id = id(ORDER), .items = 2};
    cr_assert_eq(customer_id_parse(&u.customer, "c-42"), 0);
    cr_assert_eq(money_parse(&u.total, "29.75 EUR", NULL), 0);
    return u;
}

static struct order_update confirmed(void)
{
    return (struct order_update){.kind = NOTIFICATION_ORDER_CONFIRMED, .order_id = id(ORDER)};
}

static int handle(const struct order_update *u, int message_number, bool *recorded)
{
    struct message_meta meta = message(message_number);
    return notification_service_handle(&svc, recorded, u, &meta);
}

static struct notification_list customer_list(const char *who)
{
    struct notification_list out;
    customer_id c;
    cr_assert_eq(customer_id_parse(&c, who), 0);
    cr_assert_eq(notification_service_list(&out, &svc, &c, NULL, 0), 0, "%s", shop_error_message());
    return out;
}

Test(notifying, a_placed_then_confirmed_order_tells_its_customer_twice)
{
    struct order_update p = placed(), c = confirmed();
    bool recorded;
    cr_assert_eq(handle(&p, 1, &recorded), 0, "%s", shop_error_message());
    cr_expect(recorded);
    cr_assert_eq(handle(&c, 2, &recorded), 0, "%s", shop_error_message());
    cr_expect(recorded);

    struct notification_list got = customer_list("c-42");
    cr_assert_eq(got.count, 2);
    cr_expect_str_eq(got.items[0].n.text, "Order " ORDER " confirmed");
    cr_expect_str_eq(got.items[1].n.text, "Order " ORDER " received: 2 items, 29.75 EUR");
    notification_list_dispose(&got);
}

Test(notifying, the_same_message_twice_tells_the_customer_once)
{
    struct order_update p = placed();
    bool recorded;
    cr_assert_eq(handle(&p, 1, &recorded), 0);
    cr_assert_eq(handle(&p, 1, &recorded), 0, "a duplicate is not an error: %s",
                 shop_error_message());
    cr_expect_not(recorded, "the duplicate recorded nothing");
    struct notification_list got = customer_list("c-42");
    cr_expect_eq(got.count, 1);
    notification_list_dispose(&got);
}

Test(notifying, a_cancellation_tells_the_reason_to_the_customer_of_the_order)
{
    struct order_update p = placed();
    struct order_update c = {.kind = NOTIFICATION_ORDER_CANCELLED, .order_id = id(ORDER)};
    snprintf(c.reason, sizeof c.reason, "payment declined");
    cr_assert_eq(handle(&p, 1, NULL), 0);
    cr_assert_eq(handle(&c, 2, NULL), 0, "%s", shop_error_message());
    struct notification_list got = customer_list("c-42");
    cr_assert_eq(got.count, 2);
    cr_expect_eq(got.items[0].n.kind, NOTIFICATION_ORDER_CANCELLED);
    cr_expect_str_eq(got.items[0].n.text, "Order " ORDER " cancelled: payment declined");
    notification_list_dispose(&got);
}

Test(notifying, a_confirmation_before_its_order_was_placed_asks_to_be_tried_again)
{
    struct order_update p = placed(), c = confirmed();
    bool recorded = true;
    cr_expect_eq(handle(&c, 2, &recorded), SHOP_EUNAVAILABLE, "retryable, not a dead letter");
    cr_expect_str_eq(shop_error_message(), "the customer of order " ORDER " is not known yet (its "
                                           "OrderPlaced has not arrived): try again later");
    cr_expect_not(recorded);
    struct notification_list got = customer_list("c-42");
    cr_expect_eq(got.count, 0, "nothing was recorded");
    notification_list_dispose(&got);

    /* the OrderPlaced arrives; the retried confirmation then goes through */
    cr_assert_eq(handle(&p, 1, NULL), 0);
    cr_assert_eq(handle(&c, 2, &recorded), 0, "%s", shop_error_message());
    cr_expect(recorded);
}

Test(notifying, an_update_that_breaks_a_rule_is_never_handled)
{
    struct order_update p = placed();
    p.items = 0;
    cr_expect_eq(handle(&p, 1, NULL), SHOP_EINVALID);
    customer_id who;
    cr_expect_eq(notification_log_customer_of(log_, &who, id(ORDER)), SHOP_ENOTFOUND,
                 "a refused OrderPlaced leaves no customer behind");
}

Test(notifying, lists_at_most_1000)
{
    struct notification_list out;
    cr_expect_eq(notification_service_list(&out, &svc, NULL, NULL, 1001), SHOP_EINVALID);
    cr_expect_str_eq(shop_error_message(), "limit must be 1-1000, got 1001");
}
