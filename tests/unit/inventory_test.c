/*
 * tests/unit/inventory_test.c — the Inventory deciders, one rule per test:
 * given a state / when a command / then events or a refusal (no I/O).
 * Read next: domain/inventory/inventory.h for the rules these tests state.
 */
#include "domain/inventory/inventory.h"
#include "domain/shared/error.h"

#include <criterion/criterion.h>
#include <string.h>

static sku sku_of(const char *code)
{
    sku s;
    cr_assert_eq(sku_parse(&s, code), 0);
    return s;
}

static stock_item item(const char *code, int64_t on_hand, int64_t reserved)
{
    stock_item it;
    sku s = sku_of(code);
    stock_item_init(&it, &s);
    it.on_hand = on_hand;
    it.reserved = reserved;
    return it;
}

static shop_uuid order_a(void)
{
    shop_uuid id;
    cr_assert_eq(uuid_parse(&id, "0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90"), 0);
    return id;
}

static reserve_stock reserve(size_t n, const char *const *codes, const int64_t *quantities)
{
    reserve_stock cmd;
    memset(&cmd, 0, sizeof cmd);
    cmd.order_id = order_a();
    cmd.line_count = n;
    for (size_t i = 0; i < n; i++) {
        cmd.lines[i].sku = sku_of(codes[i]);
        cmd.lines[i].quantity = quantities[i];
    }
    return cmd;
}

/* A reservation of ABC x2, DEF x1, as a state. */
static reservation reserved_state(enum reservation_status status)
{
    reservation r;
    reservation_init(&r, order_a());
    r.status = status;
    r.line_count = 2;
    r.lines[0].sku = sku_of("ABC");
    quantity_make(&r.lines[0].quantity, 2);
    r.lines[1].sku = sku_of("DEF");
    quantity_make(&r.lines[1].quantity, 1);
    return r;
}

/* ---- receiving stock ---- */

Test(receiving_stock, adds_the_units_to_what_is_on_hand)
{
    stock_item s = item("ABC", 3, 1);
    receive_stock cmd = {sku_of("ABC"), 10};
    inventory_event e;
    size_t n;
    cr_assert_eq(stock_decide_receive(&e, &n, &s, &cmd), 0);
    cr_assert_eq(n, 1);
    cr_assert_eq(e.type, STOCK_RECEIVED);
    cr_assert_str_eq(inventory_event_type_name(e.type), "StockReceived");
    stock_evolve(&s, &e);
    cr_assert_eq(s.on_hand, 13);
    cr_assert_eq(s.reserved, 1);
    cr_assert_eq(stock_available(&s), 12);
}

Test(receiving_stock, is_refused_for_zero_units)
{
    stock_item s = item("ABC", 0, 0);
    receive_stock cmd = {sku_of("ABC"), 0};
    inventory_event e;
    size_t n = 7;
    cr_assert_eq(stock_decide_receive(&e, &n, &s, &cmd), SHOP_EINVALID);
    cr_assert_eq(n, 0);
    cr_assert(strstr(shop_error_message(), "quantity must be an integer from 1 to 999, got 0"));
}

Test(receiving_stock, is_refused_for_a_thousand_or_negative_units)
{
    stock_item s = item("ABC", 0, 0);
    inventory_event e;
    size_t n;
    receive_stock big = {sku_of("ABC"), 1000}, negative = {sku_of("ABC"), -1};
    cr_assert_eq(stock_decide_receive(&e, &n, &s, &big), SHOP_EINVALID);
    cr_assert_eq(stock_decide_receive(&e, &n, &s, &negative), SHOP_EINVALID);
    receive_stock most = {sku_of("ABC"), 999};
    cr_assert_eq(stock_decide_receive(&e, &n, &s, &most), 0);
}

Test(receiving_stock, is_refused_when_on_hand_would_pass_its_limit)
{
    stock_item s = item("ABC", STOCK_MAX_ON_HAND - 5, 0);
    receive_stock cmd = {sku_of("ABC"), 6};
    inventory_event e;
    size_t n;
    cr_assert_eq(stock_decide_receive(&e, &n, &s, &cmd), SHOP_EREFUSED);
    cr_assert(strstr(shop_error_message(), "would pass the limit"));
    receive_stock fits = {sku_of("ABC"), 5};
    cr_assert_eq(stock_decide_receive(&e, &n, &s, &fits), 0);
    stock_evolve(&s, &e);
    cr_assert_eq(s.on_hand, STOCK_MAX_ON_HAND);
}

/* ---- reserving stock ---- */

Test(reserving_stock, takes_every_line_when_all_are_available)
{
    stock_item items[] = {item("ABC", 5, 1), item("DEF", 1, 0)};
    reservation r;
    reservation_init(&r, order_a());
    reserve_stock cmd = reserve(2, (const char *[]){"ABC", "DEF"}, (int64_t[]){4, 1});
    inventory_event e;
    size_t n;
    cr_assert_eq(reservation_decide_reserve(&e, &n, &r, items, 2, &cmd), 0);
    cr_assert_eq(n, 1);
    cr_assert_eq(e.type, STOCK_RESERVED);
    stock_evolve(&items[0], &e);
    stock_evolve(&items[1], &e);
    reservation_evolve(&r, &e);
    cr_assert_eq(items[0].reserved, 5);
    cr_assert_eq(stock_available(&items[0]), 0);
    cr_assert_eq(items[1].reserved, 1);
    cr_assert_eq(r.status, RESERVATION_STATUS_RESERVED);
    cr_assert_eq(r.line_count, 2);
}

Test(reserving_stock, takes_nothing_when_one_line_is_short_and_names_that_sku)
{
    stock_item items[] = {item("ABC", 5, 0), item("DEF", 3, 2)};
    reservation r;
    reservation_init(&r, order_a());
    reserve_stock cmd = reserve(2, (const char *[]){"ABC", "DEF"}, (int64_t[]){1, 2});
    inventory_event e;
    size_t n;
    cr_assert_eq(reservation_decide_reserve(&e, &n, &r, items, 2, &cmd), 0);
    cr_assert_eq(n, 1);
    cr_assert_eq(e.type, STOCK_RESERVATION_REJECTED);
    cr_assert_str_eq(e.as.rejected.reason, "out of stock: SKU DEF");
    stock_evolve(&items[0], &e);
    reservation_evolve(&r, &e);
    cr_assert_eq(items[0].reserved, 0, "all lines or none");
    cr_assert_eq(r.status, RESERVATION_STATUS_NONE);
}

Test(reserving_stock, is_rejected_for_a_sku_never_received)
{
    reservation r;
    reservation_init(&r, order_a());
    reserve_stock cmd = reserve(1, (const char *[]){"NEW-1"}, (int64_t[]){1});
    inventory_event e;
    size_t n;
    cr_assert_eq(reservation_decide_reserve(&e, &n, &r, NULL, 0, &cmd), 0);
    cr_assert_eq(e.type, STOCK_RESERVATION_REJECTED);
    cr_assert_str_eq(e.as.rejected.reason, "out of stock: SKU NEW-1");
}

Test(reserving_stock, merges_lines_of_the_same_sku_before_counting)
{
    stock_item items[] = {item("ABC", 3, 0)};
    reservation r;
    reservation_init(&r, order_a());
    reserve_stock cmd = reserve(2, (const char *[]){"ABC", "ABC"}, (int64_t[]){2, 2});
    inventory_event e;
    size_t n;
    cr_assert_eq(reservation_decide_reserve(&e, &n, &r, items, 1, &cmd), 0);
    cr_assert_eq(e.type, STOCK_RESERVATION_REJECTED, "2 + 2 is more than the 3 on hand");
    cmd = reserve(2, (const char *[]){"ABC", "ABC"}, (int64_t[]){2, 1});
    cr_assert_eq(reservation_decide_reserve(&e, &n, &r, items, 1, &cmd), 0);
    cr_assert_eq(e.type, STOCK_RESERVED);
    cr_assert_eq(e.as.lines.line_count, 1);
    cr_assert_eq(e.as.lines.lines[0].quantity.value, 3);
}

Test(reserving_stock, again_for_the_same_order_reserves_nothing_twice)
{
    stock_item items[] = {item("ABC", 10, 2)};
    reservation r = reserved_state(RESERVATION_STATUS_RESERVED);
    reserve_stock cmd = reserve(1, (const char *[]){"ABC"}, (int64_t[]){2});
    inventory_event e;
    size_t n = 9;
    cr_assert_eq(reservation_decide_reserve(&e, &n, &r, items, 1, &cmd), 0);
    cr_assert_eq(n, 0);
}

Test(reserving_stock, is_refused_without_lines_or_with_too_many)
{
    reservation r;
    reservation_init(&r, order_a());
    reserve_stock cmd = reserve(0, NULL, NULL);
    inventory_event e;
    size_t n;
    cr_assert_eq(reservation_decide_reserve(&e, &n, &r, NULL, 0, &cmd), SHOP_EINVALID);
    cmd.line_count = RESERVATION_MAX_LINES + 1;
    cr_assert_eq(reservation_decide_reserve(&e, &n, &r, NULL, 0, &cmd), SHOP_EINVALID);
    cr_assert(strstr(shop_error_message(), "at most 50 lines"));
}

Test(reserving_stock, is_refused_for_a_quantity_outside_1_to_999)
{
    reservation r;
    reservation_init(&r, order_a());
    inventory_event e;
    size_t n;
    reserve_stock zero = reserve(1, (const char *[]){"ABC"}, (int64_t[]){0});
    cr_assert_eq(reservation_decide_reserve(&e, &n, &r, NULL, 0, &zero), SHOP_EINVALID);
    reserve_stock merged = reserve(2, (const char *[]){"ABC", "ABC"}, (int64_t[]){500, 500});
    cr_assert_eq(reservation_decide_reserve(&e, &n, &r, NULL, 0, &merged), SHOP_EINVALID);
    cr_assert(strstr(shop_error_message(), "after merging"));
}

/* ---- releasing a reservation ---- */

Test(releasing_a_reservation, gives_the_units_back_to_available)
{
    stock_item abc = item("ABC", 5, 2), def = item("DEF", 1, 1);
    reservation r = reserved_state(RESERVATION_STATUS_RESERVED);
    inventory_event e;
    size_t n;
    cr_assert_eq(reservation_decide_release(&e, &n, &r), 0);
    cr_assert_eq(n, 1);
    cr_assert_eq(e.type, RESERVATION_RELEASED);
    stock_evolve(&abc, &e);
    stock_evolve(&def, &e);
    reservation_evolve(&r, &e);
    cr_assert_eq(abc.reserved, 0);
    cr_assert_eq(abc.on_hand, 5);
    cr_assert_eq(def.reserved, 0);
    cr_assert_eq(r.status, RESERVATION_STATUS_RELEASED);
}

Test(releasing_a_reservation, twice_changes_nothing)
{
    reservation r = reserved_state(RESERVATION_STATUS_RELEASED);
    inventory_event e;
    size_t n = 3;
    cr_assert_eq(reservation_decide_release(&e, &n, &r), 0);
    cr_assert_eq(n, 0);
}

Test(releasing_a_reservation, is_not_found_for_an_unknown_order)
{
    reservation r;
    reservation_init(&r, order_a());
    inventory_event e;
    size_t n;
    cr_assert_eq(reservation_decide_release(&e, &n, &r), SHOP_ENOTFOUND);
    cr_assert_str_eq(shop_error_message(),
                     "no reservation for order 0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90");
}

Test(releasing_a_reservation, is_refused_once_committed)
{
    reservation r = reserved_state(RESERVATION_STATUS_COMMITTED);
    inventory_event e;
    size_t n;
    cr_assert_eq(reservation_decide_release(&e, &n, &r), SHOP_EREFUSED);
    cr_assert(strstr(shop_error_message(), "is committed and cannot be released"));
}

/* ---- committing a reservation ---- */

Test(committing_a_reservation, takes_the_units_off_on_hand_and_reserved)
{
    stock_item abc = item("ABC", 5, 2), other = item("XYZ", 4, 4);
    reservation r = reserved_state(RESERVATION_STATUS_RESERVED);
    inventory_event e;
    size_t n;
    cr_assert_eq(reservation_decide_commit(&e, &n, &r), 0);
    cr_assert_eq(e.type, RESERVATION_COMMITTED);
    stock_evolve(&abc, &e);
    stock_evolve(&other, &e);
    reservation_evolve(&r, &e);
    cr_assert_eq(abc.on_hand, 3);
    cr_assert_eq(abc.reserved, 0);
    cr_assert_eq(other.on_hand, 4, "a SKU the reservation does not name is left alone");
    cr_assert_eq(r.status, RESERVATION_STATUS_COMMITTED);
}

Test(committing_a_reservation, twice_changes_nothing)
{
    reservation r = reserved_state(RESERVATION_STATUS_COMMITTED);
    inventory_event e;
    size_t n = 3;
    cr_assert_eq(reservation_decide_commit(&e, &n, &r), 0);
    cr_assert_eq(n, 0);
}

Test(committing_a_reservation, is_not_found_for_an_unknown_order)
{
    reservation r;
    reservation_init(&r, order_a());
    inventory_event e;
    size_t n;
    cr_assert_eq(reservation_decide_commit(&e, &n, &r), SHOP_ENOTFOUND);
}

Test(committing_a_reservation, is_refused_once_released)
{
    reservation r = reserved_state(RESERVATION_STATUS_RELEASED);
    inventory_event e;
    size_t n;
    cr_assert_eq(reservation_decide_commit(&e, &n, &r), SHOP_EREFUSED);
}

Test(reservation_status, names_round_trip)
{
    for (int s = RESERVATION_STATUS_RESERVED; s <= RESERVATION_STATUS_COMMITTED; s++)
        cr_assert_eq(reservation_status_from_name(reservation_status_name(s)), s);
    cr_assert_eq(reservation_status_from_name("rejected"), RESERVATION_STATUS_NONE);
}
