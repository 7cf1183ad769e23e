/*
 * tests/contract/inventory_store_contract.c — ONE suite for every adapter of Inventory's
 * ports (stock repository, reservation repository, unit of work), built once per adapter
 * with its fixture (*_memory_fixture.c, *_pg_fixture.c).  The first half holds the
 * ports to their promises (versions, conflicts, rollback); the second runs the
 * application service on them, so the handlers are exercised on the real database too.
 * Read next: tests/integration/inventory_concurrency_test.c (two writers at once).
 */
#include "tests/contract/inventory_store_contract.h"
#include "application/inventory/inventory_service.h"
#include "domain/shared/error.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct inventory_ports ports;
static struct inventory_service svc;

static void setup(void)
{
    contract_inventory_open(&ports);
    svc = (struct inventory_service){ports.stock, ports.reservations, ports.uow, 0};
}

static void teardown(void)
{
    contract_inventory_close(&ports);
}

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

static shop_uuid order_n(int n)
{
    shop_uuid id;
    char text[UUID_STRING_SIZE];
    snprintf(text, sizeof text, "0190a6f4-8d1e-7c3a-9b2f-%012d", n);
    cr_assert_eq(uuid_parse(&id, text), 0);
    return id;
}

static void save_stock(const char *code, int64_t on_hand, int64_t reserved)
{
    stock_item it = item(code, on_hand, reserved);
    cr_assert_eq(stock_repository_save(ports.stock, &it, 0), 0, "%s", shop_error_message());
}

static stock_item load(const char *code, int64_t *version)
{
    stock_item it;
    int64_t v;
    sku s = sku_of(code);
    cr_assert_eq(stock_repository_load(ports.stock, &it, &v, &s), 0, "%s", shop_error_message());
    if (version)
        *version = v;
    return it;
}

static reserve_stock reserve_cmd(int order, size_t n, const char *const *codes,
                                 const int64_t *quantities)
{
    reserve_stock cmd;
    memset(&cmd, 0, sizeof cmd);
    cmd.order_id = order_n(order);
    cmd.line_count = n;
    for (size_t i = 0; i < n; i++) {
        cmd.lines[i].sku = sku_of(codes[i]);
        cmd.lines[i].quantity = quantities[i];
    }
    return cmd;
}

static reservation a_reservation(int order, enum reservation_status status)
{
    reservation r;
    reservation_init(&r, order_n(order));
    r.status = status;
    r.line_count = 1;
    r.lines[0].sku = sku_of("ABC");
    quantity_make(&r.lines[0].quantity, 2);
    return r;
}

TestSuite(stock_repository, .init = setup, .fini = teardown);
TestSuite(reservation_repository, .init = setup, .fini = teardown);
TestSuite(unit_of_work, .init = setup, .fini = teardown);
TestSuite(inventory_service, .init = setup, .fini = teardown);

/* ---- the stock repository ---- */

Test(stock_repository, loads_a_sku_never_received_as_empty_at_version_0)
{
    int64_t v = 9;
    stock_item it = load("NEVER", &v);
    cr_assert_eq(v, 0);
    cr_assert_eq(it.on_hand, 0);
    cr_assert_eq(it.reserved, 0);
    cr_assert_str_eq(it.sku.code, "NEVER");
}

Test(stock_repository, keeps_what_was_saved_and_counts_versions)
{
    int64_t v;
    save_stock("ABC", 10, 3);
    stock_item it = load("ABC", &v);
    cr_assert_eq(v, 1);
    cr_assert_eq(it.on_hand, 10);
    cr_assert_eq(it.reserved, 3);
    it.reserved = 4;
    cr_assert_eq(stock_repository_save(ports.stock, &it, 1), 0, "%s", shop_error_message());
    it = load("ABC", &v);
    cr_assert_eq(v, 2);
    cr_assert_eq(it.reserved, 4);
}

Test(stock_repository, refuses_a_save_over_a_stale_version_as_a_conflict)
{
    int64_t v;
    save_stock("ABC", 10, 0);
    stock_item it = item("ABC", 10, 1);
    cr_assert_eq(stock_repository_save(ports.stock, &it, 1), 0);
    it.reserved = 5;
    cr_assert_eq(stock_repository_save(ports.stock, &it, 1), SHOP_ECONFLICT,
                 "a writer that loaded version 1 must not overwrite version 2");
    it = load("ABC", &v);
    cr_assert_eq(v, 2);
    cr_assert_eq(it.reserved, 1, "the stale save changed nothing");
}

Test(stock_repository, refuses_a_second_first_save_as_a_conflict)
{
    save_stock("ABC", 10, 0);
    stock_item it = item("ABC", 99, 0);
    cr_assert_eq(stock_repository_save(ports.stock, &it, 0), SHOP_ECONFLICT);
    cr_assert_eq(load("ABC", NULL).on_hand, 10);
}

Test(stock_repository, refuses_more_reserved_than_on_hand)
{
    stock_item it = item("ABC", 1, 2);
    cr_assert_eq(stock_repository_save(ports.stock, &it, 0), SHOP_EREFUSED);
    it = item("ABC", 1, -1);
    cr_assert_eq(stock_repository_save(ports.stock, &it, 0), SHOP_EREFUSED);
    int64_t v;
    load("ABC", &v);
    cr_assert_eq(v, 0, "nothing was saved");
}

Test(stock_repository, lists_every_sku_by_sku)
{
    stock_item *items;
    size_t n;
    save_stock("B", 1, 0);
    save_stock("A1", 2, 1);
    save_stock("A-1", 3, 0);
    cr_assert_eq(stock_repository_list(ports.stock, &items, &n), 0);
    cr_assert_eq(n, 3);
    cr_assert_str_eq(items[0].sku.code, "A-1");
    cr_assert_str_eq(items[1].sku.code, "A1");
    cr_assert_eq(items[1].reserved, 1);
    cr_assert_str_eq(items[2].sku.code, "B");
    free(items);
}

Test(stock_repository, lists_nothing_when_nothing_was_received)
{
    stock_item *items;
    size_t n = 5;
    cr_assert_eq(stock_repository_list(ports.stock, &items, &n), 0);
    cr_assert_eq(n, 0);
    free(items);
}

/* ---- the reservation repository ---- */

Test(reservation_repository, loads_an_unknown_order_as_none_at_version_0)
{
    reservation r;
    int64_t v = 4;
    cr_assert_eq(reservation_repository_load(ports.reservations, &r, &v, order_n(1)), 0);
    cr_assert_eq(v, 0);
    cr_assert_eq(r.status, RESERVATION_STATUS_NONE);
}

Test(reservation_repository, keeps_status_and_lines)
{
    reservation r = a_reservation(1, RESERVATION_STATUS_RESERVED), back;
    int64_t v;
    r.line_count = 2;
    r.lines[1].sku = sku_of("DEF-9");
    quantity_make(&r.lines[1].quantity, 999);
    cr_assert_eq(reservation_repository_save(ports.reservations, &r, 0), 0, "%s",
                 shop_error_message());
    cr_assert_eq(reservation_repository_load(ports.reservations, &back, &v, order_n(1)), 0);
    cr_assert_eq(v, 1);
    cr_assert_eq(back.status, RESERVATION_STATUS_RESERVED);
    cr_assert_eq(back.line_count, 2);
    cr_assert_str_eq(back.lines[1].sku.code, "DEF-9");
    cr_assert_eq(back.lines[1].quantity.value, 999);
    back.status = RESERVATION_STATUS_COMMITTED;
    cr_assert_eq(reservation_repository_save(ports.reservations, &back, 1), 0);
    cr_assert_eq(reservation_repository_load(ports.reservations, &r, &v, order_n(1)), 0);
    cr_assert_eq(v, 2);
    cr_assert_eq(r.status, RESERVATION_STATUS_COMMITTED);
}

Test(reservation_repository, refuses_stale_and_second_first_saves_as_conflicts)
{
    reservation r = a_reservation(1, RESERVATION_STATUS_RESERVED);
    cr_assert_eq(reservation_repository_save(ports.reservations, &r, 0), 0);
    cr_assert_eq(reservation_repository_save(ports.reservations, &r, 0), SHOP_ECONFLICT);
    r.status = RESERVATION_STATUS_RELEASED;
    cr_assert_eq(reservation_repository_save(ports.reservations, &r, 1), 0);
    r.status = RESERVATION_STATUS_COMMITTED;
    cr_assert_eq(reservation_repository_save(ports.reservations, &r, 1), SHOP_ECONFLICT);
    int64_t v;
    cr_assert_eq(reservation_repository_load(ports.reservations, &r, &v, order_n(1)), 0);
    cr_assert_eq(r.status, RESERVATION_STATUS_RELEASED);
}

/* ---- the unit of work ---- */

Test(unit_of_work, rolled_back_keeps_nothing_it_saved)
{
    save_stock("ABC", 5, 0);
    cr_assert_eq(unit_of_work_begin(ports.uow), 0, "%s", shop_error_message());
    stock_item it = item("ABC", 5, 2);
    cr_assert_eq(stock_repository_save(ports.stock, &it, 1), 0);
    reservation r = a_reservation(1, RESERVATION_STATUS_RESERVED);
    cr_assert_eq(reservation_repository_save(ports.reservations, &r, 0), 0);
    unit_of_work_rollback(ports.uow);

    int64_t v;
    cr_assert_eq(load("ABC", &v).reserved, 0);
    cr_assert_eq(v, 1);
    cr_assert_eq(reservation_repository_load(ports.reservations, &r, &v, order_n(1)), 0);
    cr_assert_eq(v, 0);
}

Test(unit_of_work, committed_keeps_everything_it_saved)
{
    save_stock("ABC", 5, 0);
    cr_assert_eq(unit_of_work_begin(ports.uow), 0);
    stock_item it = item("ABC", 5, 2);
    cr_assert_eq(stock_repository_save(ports.stock, &it, 1), 0);
    reservation r = a_reservation(1, RESERVATION_STATUS_RESERVED);
    cr_assert_eq(reservation_repository_save(ports.reservations, &r, 0), 0);
    cr_assert_eq(unit_of_work_commit(ports.uow), 0, "%s", shop_error_message());
    int64_t v;
    cr_assert_eq(load("ABC", &v).reserved, 2);
    cr_assert_eq(reservation_repository_load(ports.reservations, &r, &v, order_n(1)), 0);
    cr_assert_eq(v, 1);
}

Test(unit_of_work, rolled_back_without_a_begin_is_harmless)
{
    unit_of_work_rollback(ports.uow);
    save_stock("ABC", 1, 0);
    cr_assert_eq(load("ABC", NULL).on_hand, 1);
}

/* ---- the service on these adapters ---- */

Test(inventory_service, receives_stock_and_shows_it)
{
    stock_item out;
    sku s = sku_of("ABC");
    cr_assert_eq(inventory_service_stock(&out, &svc, &s), SHOP_ENOTFOUND);
    cr_assert_str_eq(shop_error_message(), "no stock recorded for SKU ABC");
    cr_assert_eq(inventory_service_receive(&out, &svc, &s, 10), 0, "%s", shop_error_message());
    cr_assert_eq(inventory_service_receive(&out, &svc, &s, 5), 0);
    cr_assert_eq(out.on_hand, 15);
    cr_assert_eq(inventory_service_stock(&out, &svc, &s), 0);
    cr_assert_eq(out.on_hand, 15);
    cr_assert_eq(inventory_service_receive(&out, &svc, &s, 0), SHOP_EINVALID);
    cr_assert_eq(inventory_service_stock(&out, &svc, &s), 0);
    cr_assert_eq(out.on_hand, 15, "a refused receipt changes nothing");
}

Test(inventory_service, reserves_all_lines_or_none)
{
    reservation r;
    save_stock("ABC", 5, 0);
    save_stock("DEF", 1, 0);
    reserve_stock cmd = reserve_cmd(1, 2, (const char *[]){"ABC", "DEF"}, (int64_t[]){2, 2});
    cr_assert_eq(inventory_service_reserve(&r, &svc, &cmd), SHOP_EREFUSED);
    cr_assert_str_eq(shop_error_message(), "out of stock: SKU DEF");
    cr_assert_eq(load("ABC", NULL).reserved, 0, "the line that fitted was not reserved");
    cr_assert_eq(inventory_service_reservation(&r, &svc, order_n(1)), SHOP_ENOTFOUND);

    cmd = reserve_cmd(2, 2, (const char *[]){"DEF", "ABC"}, (int64_t[]){1, 2});
    cr_assert_eq(inventory_service_reserve(&r, &svc, &cmd), 0, "%s", shop_error_message());
    cr_assert_eq(r.status, RESERVATION_STATUS_RESERVED);
    cr_assert_eq(load("ABC", NULL).reserved, 2);
    cr_assert_eq(load("DEF", NULL).reserved, 1);
}

Test(inventory_service, reserves_again_for_the_same_order_without_taking_twice)
{
    reservation r;
    save_stock("ABC", 5, 0);
    reserve_stock cmd = reserve_cmd(1, 1, (const char *[]){"ABC"}, (int64_t[]){2});
    cr_assert_eq(inventory_service_reserve(&r, &svc, &cmd), 0);
    cr_assert_eq(inventory_service_reserve(&r, &svc, &cmd), 0);
    cr_assert_eq(r.status, RESERVATION_STATUS_RESERVED);
    cr_assert_eq(load("ABC", NULL).reserved, 2);
}

Test(inventory_service, releases_and_commits_reservations)
{
    reservation r;
    save_stock("ABC", 5, 0);
    reserve_stock one = reserve_cmd(1, 1, (const char *[]){"ABC"}, (int64_t[]){2});
    reserve_stock two = reserve_cmd(2, 1, (const char *[]){"ABC"}, (int64_t[]){3});
    cr_assert_eq(inventory_service_reserve(&r, &svc, &one), 0);
    cr_assert_eq(inventory_service_reserve(&r, &svc, &two), 0);
    cr_assert_eq(load("ABC", NULL).reserved, 5);

    cr_assert_eq(inventory_service_release(&r, &svc, order_n(1)), 0, "%s", shop_error_message());
    cr_assert_eq(r.status, RESERVATION_STATUS_RELEASED);
    cr_assert_eq(inventory_service_release(&r, &svc, order_n(1)), 0, "released twice: no-op");
    cr_assert_eq(inventory_service_commit(&r, &svc, order_n(1)), SHOP_EREFUSED);
    cr_assert_eq(inventory_service_commit(&r, &svc, order_n(2)), 0, "%s", shop_error_message());
    cr_assert_eq(inventory_service_commit(&r, &svc, order_n(2)), 0, "committed twice: no-op");
    cr_assert_eq(inventory_service_release(&r, &svc, order_n(2)), SHOP_EREFUSED);

    stock_item abc = load("ABC", NULL);
    cr_assert_eq(abc.on_hand, 2, "the committed 3 left the shop");
    cr_assert_eq(abc.reserved, 0);
    cr_assert_eq(inventory_service_release(&r, &svc, order_n(3)), SHOP_ENOTFOUND);
    cr_assert_eq(inventory_service_commit(&r, &svc, order_n(3)), SHOP_ENOTFOUND);
    cr_assert_eq(inventory_service_reservation(&r, &svc, order_n(2)), 0);
    cr_assert_eq(r.status, RESERVATION_STATUS_COMMITTED);
}
