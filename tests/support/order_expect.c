/*
 * tests/support/order_expect.c — Criterion expectations that two orders (or two Ordering
 * events) are the same, field by field; shared by the codec and order-store tests.
 */
#include "tests/support/order_expect.h"

#include <criterion/criterion.h>
#include <string.h>

const char *money_text(money m)
{
    static char text[4][MONEY_FORMAT_MAX];
    static int next;
    char *out = text[next++ % 4];
    if (money_format(out, MONEY_FORMAT_MAX, m) < 0)
        strcpy(out, "(invalid)");
    return out;
}

void expect_same_lines(const order_line *a, const order_line *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        cr_expect_str_eq(a[i].sku.code, b[i].sku.code, "line %zu", i);
        cr_expect_eq(a[i].quantity.value, b[i].quantity.value, "line %zu", i);
        cr_expect(money_equal(a[i].unit_price, b[i].unit_price), "line %zu: %s vs %s", i,
                  money_text(a[i].unit_price), money_text(b[i].unit_price));
        cr_expect(money_equal(a[i].line_total, b[i].line_total), "line %zu", i);
    }
}

void expect_same_event(const order_event *a, const order_event *b)
{
    cr_expect_eq(a->type, b->type);
    cr_expect(uuid_equal(a->order_id.uuid, b->order_id.uuid));
    cr_expect_eq(a->at_us, b->at_us);
    if (a->type == ORDER_PLACED && b->type == ORDER_PLACED) {
        const struct order_placed *p = &a->as.placed, *q = &b->as.placed;
        cr_expect_str_eq(p->customer.text, q->customer.text);
        cr_expect_str_eq(p->address.ship_to.text, q->address.ship_to.text);
        cr_expect_str_eq(p->address.postcode.code, q->address.postcode.code);
        cr_assert_eq(p->line_count, q->line_count);
        expect_same_lines(p->lines, q->lines, p->line_count);
        cr_expect(money_equal(p->total, q->total), "%s vs %s", money_text(p->total),
                  money_text(q->total));
    }
    if (a->type == ORDER_CANCELLED && b->type == ORDER_CANCELLED)
        cr_expect_str_eq(a->as.cancelled.reason, b->as.cancelled.reason);
}

void expect_same_order(const order *a, const order *b)
{
    cr_expect(uuid_equal(a->id.uuid, b->id.uuid));
    cr_expect_eq(a->status, b->status);
    cr_expect_str_eq(a->customer.text, b->customer.text);
    cr_expect_str_eq(a->address.ship_to.text, b->address.ship_to.text);
    cr_expect_str_eq(a->address.postcode.code, b->address.postcode.code);
    cr_assert_eq(a->line_count, b->line_count);
    expect_same_lines(a->lines, b->lines, a->line_count);
    cr_expect(money_equal(a->total, b->total));
    cr_expect_str_eq(a->reason, b->reason);
    cr_expect_eq(a->placed_at_us, b->placed_at_us);
    cr_expect_eq(a->closed_at_us, b->closed_at_us);
}
