/*
 * tests/unit/notification_test.c — what a customer is told about each order event,
 * decided by a pure function (domain/notifications/notification.c): no database, no
 * mocks, every expected text written out by hand.
 * Read next: application/notifications/notification_service.c
 */
#include "domain/notifications/notification.h"
#include "domain/shared/error.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#define ORDER "0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90"

static customer_id customer(const char *text)
{
    customer_id c;
    cr_assert_eq(customer_id_parse(&c, text), 0, "%s", shop_error_message());
    return c;
}

static struct order_update update(enum notification_kind kind)
{
    struct order_update u = {.kind = kind};
    cr_assert_eq(uuid_parse(&u.order_id, ORDER), 0);
    return u;
}

static struct order_update placed(int64_t items, const char *total)
{
    struct order_update u = update(NOTIFICATION_ORDER_PLACED);
    u.customer = customer("c-42");
    u.items = items;
    cr_assert_eq(money_parse(&u.total, total, NULL), 0, "%s", shop_error_message());
    return u;
}

static struct order_update cancelled(const char *reason)
{
    struct order_update u = update(NOTIFICATION_ORDER_CANCELLED);
    snprintf(u.reason, sizeof u.reason, "%s", reason);
    return u;
}

static notification decided(const struct order_update *u)
{
    notification n;
    customer_id c = customer("c-42");
    cr_assert_eq(notification_decide(&n, u, &c), 0, "%s", shop_error_message());
    return n;
}

static void expect_refused(const struct order_update *u, const char *message)
{
    notification n;
    customer_id c = customer("c-42");
    memset(&n, 0xA5, sizeof n);
    cr_expect_eq(notification_decide(&n, u, &c), SHOP_EINVALID);
    cr_expect_str_eq(shop_error_message(), message);
    cr_expect_eq(n.text[0], '\0', "a refusal leaves no text behind");
}

Test(a_placed_order, tells_the_items_and_the_total)
{
    struct order_update u = placed(2, "29.75 EUR");
    notification n = decided(&u);
    cr_expect_eq(n.kind, NOTIFICATION_ORDER_PLACED);
    cr_expect_str_eq(n.text, "Order " ORDER " received: 2 items, 29.75 EUR");
    cr_expect_str_eq(n.customer.text, "c-42");
    cr_expect(uuid_equal(n.order_id, u.order_id));
}

Test(a_placed_order, of_one_item_says_item)
{
    struct order_update u = placed(1, "3.00 EUR");
    cr_expect_str_eq(decided(&u).text, "Order " ORDER " received: 1 item, 3.00 EUR");
}

Test(a_placed_order, shows_the_total_in_its_own_currency)
{
    struct order_update u = placed(3, "1200 JPY");
    cr_expect_str_eq(decided(&u).text, "Order " ORDER " received: 3 items, 1200 JPY");
}

Test(a_placed_order, with_no_items_is_refused)
{
    struct order_update u = placed(0, "3.00 EUR");
    expect_refused(&u, "items must be 1-49950, got 0");
}

Test(a_placed_order, with_a_total_of_zero_is_refused)
{
    struct order_update u = placed(1, "0.00 EUR");
    expect_refused(&u, "total must be above 0");
}

Test(a_confirmed_order, says_confirmed)
{
    struct order_update u = update(NOTIFICATION_ORDER_CONFIRMED);
    notification n = decided(&u);
    cr_expect_eq(n.kind, NOTIFICATION_ORDER_CONFIRMED);
    cr_expect_str_eq(n.text, "Order " ORDER " confirmed");
}

Test(a_cancelled_order, says_why)
{
    struct order_update u = cancelled("payment declined");
    notification n = decided(&u);
    cr_expect_eq(n.kind, NOTIFICATION_ORDER_CANCELLED);
    cr_expect_str_eq(n.text, "Order " ORDER " cancelled: payment declined");
}

Test(a_cancelled_order, keeps_a_reason_in_any_language)
{
    struct order_update u = cancelled("adresse introuvable — colis refusé");
    cr_expect_str_eq(decided(&u).text,
                     "Order " ORDER " cancelled: adresse introuvable — colis refusé");
}

Test(a_cancelled_order, of_the_longest_reason_fits_the_text)
{
    char reason[NOTIFICATION_REASON_MAX + 1];
    memset(reason, 'x', NOTIFICATION_REASON_MAX);
    reason[NOTIFICATION_REASON_MAX] = '\0';
    struct order_update u = cancelled(reason);
    notification n = decided(&u);
    cr_expect_eq(strlen(n.text), strlen("Order " ORDER " cancelled: ") + NOTIFICATION_REASON_MAX);
}

Test(a_cancelled_order, without_a_reason_is_refused)
{
    struct order_update u = cancelled("");
    expect_refused(&u, "reason must be 1-200 bytes, got 0");
}

Test(a_cancelled_order, with_a_blank_reason_is_refused)
{
    struct order_update u = cancelled("   ");
    expect_refused(&u, "reason must not be blank");
}

Test(a_cancelled_order, with_a_reason_of_two_lines_is_refused)
{
    struct order_update u = cancelled("payment\ndeclined");
    expect_refused(&u, "reason must not contain control characters, got U+000A at character 8");
}

Test(an_order_event, without_an_order_id_is_refused)
{
    struct order_update u = update(NOTIFICATION_ORDER_CONFIRMED);
    memset(&u.order_id, 0, sizeof u.order_id);
    expect_refused(&u, "order id must not be nil");
}

Test(notification_kinds, have_the_names_the_api_shows_and_read_back)
{
    enum notification_kind k;
    static const char *const names[] = {"order-placed", "order-confirmed", "order-cancelled"};
    for (int i = 0; i < 3; i++) {
        cr_expect_str_eq(notification_kind_name((enum notification_kind)i), names[i]);
        cr_expect_eq(notification_kind_parse(&k, names[i]), 0);
        cr_expect_eq((int)k, i);
    }
    cr_expect_eq(notification_kind_parse(&k, "order-shipped"), SHOP_EINVALID);
    cr_expect_str_eq(shop_error_message(), "kind must be order-placed, order-confirmed or "
                                           "order-cancelled, got \"order-shipped\"");
}
