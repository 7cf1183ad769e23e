/*
 * tests/contract/price_list_contract.c — ONE suite for every adapter of the price-list
 * port, built once per adapter: price_list_memory_test (the in-memory list),
 * price_list_http_contract_test (the real Catalog service, asked over HTTP) and
 * price_list_replica_test (Ordering's replica, ordering.prices, fed by Catalog's
 * messages through the subscription's handler).  Ordering's command handlers rely on
 * exactly these promises whichever adapter they are given.
 */
#include "tests/contract/price_list_contract.h"

#include "domain/shared/error.h"

#include <criterion/criterion.h>
#include <string.h>

static struct price_list *prices;

static void setup(void) { prices = contract_prices_new(); }
static void teardown(void) { contract_prices_free(prices); }

TestSuite(a_price_list, .init = setup, .fini = teardown, .timeout = 60);

static sku sku_of(const char *text)
{
    sku s;
    cr_assert_eq(sku_parse(&s, text), 0, "%s", shop_error_message());
    return s;
}

static money price_of(const char *text)
{
    money m;
    cr_assert_eq(money_parse(&m, text, NULL), 0, "%s", shop_error_message());
    return m;
}

Test(a_price_list, gives_the_exact_unit_price_of_a_product)
{
    contract_prices_set("LAMP-1", "24.90 EUR");
    sku s = sku_of("LAMP-1");
    money m;
    cr_assert_eq(price_list_price_of(prices, &m, &s), 0, "%s", shop_error_message());
    cr_expect(money_equal(m, price_of("24.90 EUR")));
}

Test(a_price_list, keeps_the_currency_of_the_price)
{
    contract_prices_set("MUG-9", "3.10 USD");
    sku s = sku_of("MUG-9");
    money m;
    cr_assert_eq(price_list_price_of(prices, &m, &s), 0, "%s", shop_error_message());
    cr_expect(money_equal(m, price_of("3.10 USD")));
}

Test(a_price_list, says_a_sku_it_does_not_sell_is_unknown_naming_it)
{
    contract_prices_set("LAMP-1", "24.90 EUR");
    sku s = sku_of("NOPE-1");
    money m;
    cr_expect_eq(price_list_price_of(prices, &m, &s), SHOP_ENOTFOUND);
    cr_expect(strstr(shop_error_message(), "unknown SKU NOPE-1"), "%s", shop_error_message());
}

Test(a_price_list, gives_a_changed_price_at_once)
{
    contract_prices_set("LAMP-1", "24.90 EUR");
    contract_prices_set("LAMP-1", "19.99 EUR");
    sku s = sku_of("LAMP-1");
    money m;
    cr_assert_eq(price_list_price_of(prices, &m, &s), 0, "%s", shop_error_message());
    cr_expect(money_equal(m, price_of("19.99 EUR")));
}

Test(a_price_list, tells_products_apart)
{
    contract_prices_set("LAMP-1", "24.90 EUR");
    contract_prices_set("LAMP-10", "1.00 EUR");
    sku a = sku_of("LAMP-1"), b = sku_of("LAMP-10");
    money ma, mb;
    cr_assert_eq(price_list_price_of(prices, &ma, &a), 0);
    cr_assert_eq(price_list_price_of(prices, &mb, &b), 0);
    cr_expect(money_equal(ma, price_of("24.90 EUR")));
    cr_expect(money_equal(mb, price_of("1.00 EUR")));
}
