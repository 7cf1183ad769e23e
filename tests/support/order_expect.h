/*
 * tests/support/order_expect.h — field-by-field expectations on orders and their events.
 */
#ifndef SHOP_TESTS_SUPPORT_ORDER_EXPECT_H
#define SHOP_TESTS_SUPPORT_ORDER_EXPECT_H

#include "domain/ordering/order.h"

#include <stddef.h>

/* "12.50 EUR"; four rotating static buffers, so up to four may appear in one message. */
const char *money_text(money m);

void expect_same_lines(const order_line *a, const order_line *b, size_t n);
void expect_same_event(const order_event *a, const order_event *b);
void expect_same_order(const order *a, const order *b);

#endif
