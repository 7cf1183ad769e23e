/*
 * tests/contract/product_repository_contract.c — the promises of the product-repository
 * port, kept by every adapter.
 *
 * Pattern: contract tests.  This suite is compiled once per adapter and linked with that
 * adapter's fixture (tests/contract/product_repository_*_fixture.c: a new, empty
 * repository per test), so Catalog's products behave the same in PostgreSQL as in memory,
 * and the command handlers' tests on the in-memory twin say something about production.
 *
 * What a user relies on: a saved product loads as it was saved, at the next version; an
 * unknown SKU loads as "no such product" at version 0; the list is sorted by SKU; and a
 * save decided on a stale version — a second add of the same SKU, or two changes made on
 * the same version — is SHOP_ECONFLICT and changes nothing.
 * Read next: infrastructure/catalog/product_repository_pg.c,
 * infrastructure/memory/product_repository_memory.c
 */
#include "tests/contract/product_repository_contract.h"

#include "domain/shared/error.h"

#include <criterion/criterion.h>
#include <string.h>

static struct product_repository *products;

static void setup(void)
{
    products = contract_products_new();
}

static void teardown(void)
{
    contract_products_free(products);
}

static product a_product(const char *code, const char *name, const char *price)
{
    product p;
    product_init(&p);
    p.exists = true;
    cr_assert_eq(sku_parse(&p.sku, code), 0, "%s", shop_error_message());
    cr_assert_eq(product_name_parse(&p.name, name), 0, "%s", shop_error_message());
    cr_assert_eq(money_parse(&p.price, price, NULL), 0, "%s", shop_error_message());
    return p;
}

static sku sku_of(const char *code)
{
    sku s;
    cr_assert_eq(sku_parse(&s, code), 0);
    return s;
}

/* Loads code and asserts it is `expected` at `version`. */
static void expect_loaded(const char *code, const product *expected, int64_t version)
{
    product got;
    int64_t got_version = -1;
    sku s = sku_of(code);
    cr_assert_eq(product_repository_load(products, &got, &got_version, &s), 0, "%s",
                 shop_error_message());
    cr_expect(got.exists, "%s exists", code);
    cr_expect_str_eq(got.sku.code, expected->sku.code);
    cr_expect_str_eq(got.name.text, expected->name.text);
    cr_expect(money_equal(got.price, expected->price), "price of %s: %lld %s", code,
              (long long)got.price.minor, got.price.currency ? got.price.currency->code : "-");
    cr_expect_eq(got_version, version, "version of %s: %lld", code, (long long)got_version);
}

static void save(const product *p, int64_t expected_version)
{
    cr_assert_eq(product_repository_save(products, p, expected_version), 0, "%s",
                 shop_error_message());
}

TestSuite(product_repository, .init = setup, .fini = teardown);

Test(product_repository, loads_an_unknown_sku_as_no_product_at_version_0)
{
    product got;
    int64_t version = -1;
    sku s = sku_of("NOPE-1");
    cr_assert_eq(product_repository_load(products, &got, &version, &s), 0, "%s",
                 shop_error_message());
    cr_expect_not(got.exists);
    cr_expect_eq(version, 0);
}

Test(product_repository, loads_a_new_product_as_saved_at_version_1)
{
    product mug = a_product("ABC-1", "Mug", "12.50 EUR");
    save(&mug, 0);
    expect_loaded("ABC-1", &mug, 1);
}

Test(product_repository, counts_every_save_in_the_version)
{
    product mug = a_product("ABC-1", "Mug", "12.50 EUR");
    save(&mug, 0);
    mug.price = a_product("ABC-1", "Mug", "13.00 EUR").price;
    save(&mug, 1);
    mug.price = a_product("ABC-1", "Mug", "14.00 USD").price;
    save(&mug, 2);
    expect_loaded("ABC-1", &mug, 3);
}

Test(product_repository, keeps_names_and_prices_exactly)
{
    char long_name[512] = "";
    for (int i = 0; i < 100; i++)
        strcat(long_name, "\xF0\x9F\x8D\xB5"); /* 100 characters of 4 bytes */
    product tea = a_product("TEA-1", long_name, "999999.99 EUR");
    product yen = a_product("JPY-1", "Caf\xC3\xA9 \"cr\xC3\xA8me\" 'x' \\", "1200 JPY");
    product fils = a_product("KWD-1", "  spaced  ", "0.001 KWD");
    save(&tea, 0);
    save(&yen, 0);
    save(&fils, 0);
    expect_loaded("TEA-1", &tea, 1);
    expect_loaded("JPY-1", &yen, 1);
    expect_loaded("KWD-1", &fils, 1);
}

Test(product_repository, refuses_adding_a_sku_twice_as_a_conflict)
{
    product mug = a_product("ABC-1", "Mug", "12.50 EUR");
    product other = a_product("ABC-1", "Another mug", "3.00 EUR");
    save(&mug, 0);
    cr_expect_eq(product_repository_save(products, &other, 0), SHOP_ECONFLICT, "%s",
                 shop_error_message());
    cr_expect(strstr(shop_error_message(), "ABC-1"), "the message names the SKU: %s",
              shop_error_message());
    expect_loaded("ABC-1", &mug, 1);
}

Test(product_repository, refuses_the_second_of_two_saves_from_the_same_version)
{
    product mug = a_product("ABC-1", "Mug", "12.50 EUR");
    save(&mug, 0);
    product first = mug, second = mug;
    first.price = a_product("ABC-1", "Mug", "13.00 EUR").price;
    second.price = a_product("ABC-1", "Mug", "14.00 EUR").price;
    save(&first, 1);
    cr_expect_eq(product_repository_save(contract_products_other_writer(), &second, 1),
                 SHOP_ECONFLICT, "%s", shop_error_message());
    expect_loaded("ABC-1", &first, 2);
}

Test(product_repository, refuses_a_save_from_a_version_it_has_not_reached)
{
    product mug = a_product("ABC-1", "Mug", "12.50 EUR");
    save(&mug, 0);
    cr_expect_eq(product_repository_save(products, &mug, 5), SHOP_ECONFLICT);
    product ghost = a_product("GHOST-1", "Ghost", "1.00 EUR");
    cr_expect_eq(product_repository_save(products, &ghost, 1), SHOP_ECONFLICT,
                 "updating a product that was never added");
    product got;
    int64_t version;
    sku s = sku_of("GHOST-1");
    cr_assert_eq(product_repository_load(products, &got, &version, &s), 0);
    cr_expect_not(got.exists);
    expect_loaded("ABC-1", &mug, 1);
}

Test(product_repository, lists_nothing_when_empty)
{
    struct product_list list = {.count = 99};
    cr_assert_eq(product_repository_list(products, &list), 0, "%s", shop_error_message());
    cr_expect_eq(list.count, 0);
    product_list_dispose(&list);
}

Test(product_repository, lists_every_product_sorted_by_sku)
{
    const char *saved[] = {"B-2", "A-10", "A-1", "A", "9Z", "A-2", "ZZ"};
    const char *sorted[] = {"9Z", "A", "A-1", "A-10", "A-2", "B-2", "ZZ"};
    size_t n = sizeof saved / sizeof saved[0];
    for (size_t i = 0; i < n; i++) {
        product p = a_product(saved[i], saved[i], "1.00 EUR");
        save(&p, 0);
    }
    product changed = a_product("A-1", "Renamed", "2.00 EUR");
    save(&changed, 1);

    struct product_list list;
    cr_assert_eq(product_repository_list(products, &list), 0, "%s", shop_error_message());
    cr_assert_eq(list.count, n);
    for (size_t i = 0; i < n; i++) {
        cr_expect_str_eq(list.items[i].sku.code, sorted[i], "position %zu", i);
        cr_expect(list.items[i].exists);
    }
    cr_expect_str_eq(list.items[2].name.text, "Renamed", "the list shows the latest save");
    cr_expect(money_equal(list.items[2].price, changed.price));
    product_list_dispose(&list);
}

Test(product_repository, refuses_to_save_a_product_that_does_not_exist)
{
    product none;
    product_init(&none);
    none.sku = sku_of("ABC-1");
    cr_expect_eq(product_repository_save(products, &none, 0), SHOP_EINVALID);
    struct product_list list;
    cr_assert_eq(product_repository_list(products, &list), 0);
    cr_expect_eq(list.count, 0);
    product_list_dispose(&list);
}
