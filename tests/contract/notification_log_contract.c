/*
 * tests/contract/notification_log_contract.c — the promises of the notification-log
 * port, kept by every adapter.
 *
 * Pattern: contract tests.  Compiled once per adapter and linked with that adapter's
 * fixture (tests/contract/notification_log_*_fixture.c), so the in-memory twin the
 * service's tests use behaves as PostgreSQL does.
 *
 * What a customer relies on: a notification is recorded once per message, however often
 * the message is recorded (the second time changes nothing and says so); it lists back as
 * it was recorded; lists are newest first, filtered by customer and/or order, and never
 * longer than asked; the customer of an order is the first one given, and an order never
 * placed has none (SHOP_ENOTFOUND).
 * Read next: infrastructure/notifications/notification_log_pg.c,
 * infrastructure/memory/notification_log_memory.c
 */
#include "tests/contract/notification_log_contract.h"

#include "domain/shared/error.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#define ORDER_A "0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90"
#define ORDER_B "0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a91"

static struct notification_log *log_;

static void setup(void)
{
    log_ = contract_log_new();
}

static void teardown(void)
{
    contract_log_free(log_);
}

TestSuite(notification_log, .init = setup, .fini = teardown);

static shop_uuid id(const char *text)
{
    shop_uuid u;
    cr_assert_eq(uuid_parse(&u, text), 0, "%s", shop_error_message());
    return u;
}

static customer_id customer(const char *text)
{
    customer_id c;
    cr_assert_eq(customer_id_parse(&c, text), 0);
    return c;
}

/* A message id of its own for each n: 0190...-000000000001, -2, ... */
static struct message_meta meta_of(int n)
{
    char text[UUID_STRING_SIZE];
    snprintf(text, sizeof text, "0190b000-0000-7000-8000-%012d", n);
    return (struct message_meta){.message_id = id(text), .correlation_id = id(ORDER_A)};
}

static notification a_notification(const char *who, const char *order, enum notification_kind kind,
                                   const char *text)
{
    notification n = {.kind = kind, .order_id = id(order), .customer = customer(who)};
    snprintf(n.text, sizeof n.text, "%s", text);
    return n;
}

static bool record(const notification *n, int message)
{
    bool recorded = false;
    struct message_meta meta = meta_of(message);
    cr_assert_eq(notification_log_record(log_, &recorded, n, &meta), 0, "%s", shop_error_message());
    return recorded;
}

static struct notification_list list(const char *who, const char *order, size_t limit)
{
    struct notification_list out;
    customer_id c;
    shop_uuid o;
    if (who)
        c = customer(who);
    if (order)
        o = id(order);
    struct notification_filter f = {who ? &c : NULL, order ? &o : NULL, limit};
    cr_assert_eq(notification_log_list(log_, &out, &f), 0, "%s", shop_error_message());
    return out;
}

Test(notification_log, lists_a_recorded_notification_as_it_was_recorded)
{
    notification n = a_notification("c-42", ORDER_A, NOTIFICATION_ORDER_PLACED,
                                    "Order " ORDER_A " received: 2 items, 29.75 EUR");
    cr_expect(record(&n, 1), "a new message is recorded");

    struct notification_list got = list(NULL, NULL, 10);
    cr_assert_eq(got.count, 1);
    const struct notification_entry *e = &got.items[0];
    char text[UUID_STRING_SIZE];
    cr_expect_gt(e->id, 0);
    cr_expect_str_eq(e->n.customer.text, "c-42");
    cr_expect_str_eq(uuid_format(text, e->n.order_id), ORDER_A);
    cr_expect_eq(e->n.kind, NOTIFICATION_ORDER_PLACED);
    cr_expect_str_eq(e->n.text, "Order " ORDER_A " received: 2 items, 29.75 EUR");
    cr_expect_str_eq(uuid_format(text, e->message_id), "0190b000-0000-7000-8000-000000000001");
    cr_expect_str_eq(uuid_format(text, e->correlation_id), ORDER_A);
    cr_expect_gt(e->recorded_at_us, INT64_C(1700000000000000), "a time of this century");
    notification_list_dispose(&got);
}

Test(notification_log, records_a_message_delivered_twice_once)
{
    notification first = a_notification("c-42", ORDER_A, NOTIFICATION_ORDER_CONFIRMED, "first");
    notification again = a_notification("c-42", ORDER_A, NOTIFICATION_ORDER_CONFIRMED, "again");
    cr_expect(record(&first, 7));
    cr_expect_not(record(&again, 7), "the same message id is not recorded again");

    struct notification_list got = list(NULL, NULL, 10);
    cr_assert_eq(got.count, 1, "one notification, not %zu", got.count);
    cr_expect_str_eq(got.items[0].n.text, "first", "the first record stays");
    notification_list_dispose(&got);
}

Test(notification_log, lists_newest_first_and_no_more_than_the_limit)
{
    static const char *const texts[] = {"one", "two", "three", "four"};
    for (int i = 0; i < 4; i++) {
        notification n = a_notification("c-42", ORDER_A, NOTIFICATION_ORDER_PLACED, texts[i]);
        record(&n, i + 1);
    }
    struct notification_list got = list(NULL, NULL, 3);
    cr_assert_eq(got.count, 3);
    cr_expect_str_eq(got.items[0].n.text, "four");
    cr_expect_str_eq(got.items[1].n.text, "three");
    cr_expect_str_eq(got.items[2].n.text, "two");
    cr_expect_gt(got.items[0].id, got.items[1].id);
    notification_list_dispose(&got);
}

Test(notification_log, filters_by_customer_by_order_and_by_both)
{
    notification a1 = a_notification("c-1", ORDER_A, NOTIFICATION_ORDER_PLACED, "c-1 A placed");
    notification a2 =
        a_notification("c-1", ORDER_A, NOTIFICATION_ORDER_CONFIRMED, "c-1 A confirmed");
    notification b1 = a_notification("c-2", ORDER_B, NOTIFICATION_ORDER_PLACED, "c-2 B placed");
    record(&a1, 1);
    record(&b1, 2);
    record(&a2, 3);

    struct notification_list got = list("c-1", NULL, 10);
    cr_expect_eq(got.count, 2);
    cr_expect_str_eq(got.items[0].n.text, "c-1 A confirmed");
    cr_expect_str_eq(got.items[1].n.text, "c-1 A placed");
    notification_list_dispose(&got);

    got = list(NULL, ORDER_B, 10);
    cr_expect_eq(got.count, 1);
    cr_expect_str_eq(got.items[0].n.text, "c-2 B placed");
    notification_list_dispose(&got);

    got = list("c-2", ORDER_A, 10);
    cr_expect_eq(got.count, 0, "c-2 has no notification of order A");
    notification_list_dispose(&got);

    got = list("nobody", NULL, 10);
    cr_expect_eq(got.count, 0);
    cr_expect_null(got.items);
    notification_list_dispose(&got);
}

Test(notification_log, knows_the_first_customer_of_an_order)
{
    customer_id c1 = customer("c-1"), c2 = customer("c-2"), got;
    cr_assert_eq(notification_log_remember_customer(log_, id(ORDER_A), &c1), 0, "%s",
                 shop_error_message());
    cr_assert_eq(notification_log_remember_customer(log_, id(ORDER_A), &c2), 0,
                 "a second customer for the same order changes nothing: %s", shop_error_message());
    cr_assert_eq(notification_log_customer_of(log_, &got, id(ORDER_A)), 0, "%s",
                 shop_error_message());
    cr_expect_str_eq(got.text, "c-1");
}

Test(notification_log, knows_no_customer_of_an_order_never_placed)
{
    customer_id got;
    cr_expect_eq(notification_log_customer_of(log_, &got, id(ORDER_B)), SHOP_ENOTFOUND);
    cr_expect_str_eq(shop_error_message(), "the customer of order " ORDER_B " is not known");
}
