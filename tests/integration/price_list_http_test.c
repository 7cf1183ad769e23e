/*
 * tests/integration/price_list_http_test.c — Ordering's price list over Catalog's HTTP
 * API, against a fake Catalog that keeps Catalog's published contract, and against
 * Catalog being down in the two ways a network shows it: a refused connection, and a
 * connection that is accepted and then never answered.
 *
 * What Ordering relies on: a price comes back as exact Money; an unknown SKU is "unknown
 * SKU ..." (not an outage); Catalog down is SHOP_EUNAVAILABLE, promptly — never a hang
 * longer than the deadline.
 * Read next: infrastructure/ordering/price_list_http.c
 */
#include "domain/shared/error.h"
#include "infrastructure/ordering/price_list_http.h"
#include "tests/support/fake_catalog.h"

#include <criterion/criterion.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static struct fake_catalog *catalog;
static struct price_list *prices;

static void start_catalog(void)
{
    catalog = fake_catalog_start();
    cr_assert_eq(price_list_http_new(&prices, fake_catalog_url(catalog), 0), 0);
}

static void stop_catalog(void)
{
    price_list_free(prices);
    fake_catalog_stop(catalog);
}

static sku sku_of(const char *text)
{
    sku s;
    cr_assert_eq(sku_parse(&s, text), 0, "%s", shop_error_message());
    return s;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

TestSuite(pricing_from_catalog, .init = start_catalog, .fini = stop_catalog);

Test(pricing_from_catalog, gives_the_price_catalog_sells_at)
{
    fake_catalog_set(catalog, "MUG-1", "12.50 EUR");
    sku s = sku_of("mug-1");
    money m;
    char text[MONEY_FORMAT_MAX];
    cr_assert_eq(price_list_price_of(prices, &m, &s), 0, "%s", shop_error_message());
    money_format(text, sizeof text, m);
    cr_assert_str_eq(text, "12.50 EUR");
    cr_assert_eq(m.minor, 1250);
    cr_assert_eq(fake_catalog_requests(catalog), 1);
}

Test(pricing_from_catalog, keeps_the_currency_catalog_gives)
{
    fake_catalog_set(catalog, "TEA", "1200 JPY");
    sku s = sku_of("TEA");
    money m;
    cr_assert_eq(price_list_price_of(prices, &m, &s), 0, "%s", shop_error_message());
    cr_assert_str_eq(m.currency->code, "JPY");
    cr_assert_eq(m.minor, 1200);
}

Test(pricing_from_catalog, says_unknown_sku_for_a_product_catalog_does_not_sell)
{
    sku s = sku_of("ABC");
    money m;
    cr_assert_eq(price_list_price_of(prices, &m, &s), SHOP_ENOTFOUND);
    cr_assert_str_eq(shop_error_message(), "unknown SKU ABC");
}

Test(pricing_from_catalog, is_unavailable_when_catalog_answers_with_a_server_error)
{
    fake_catalog_set(catalog, "MUG-1", "12.50 EUR");
    fake_catalog_fail_with(catalog, 503);
    sku s = sku_of("MUG-1");
    money m;
    cr_assert_eq(price_list_price_of(prices, &m, &s), SHOP_EUNAVAILABLE);
    cr_assert(strstr(shop_error_message(), "catalog"), "%s", shop_error_message());

    fake_catalog_fail_with(catalog, 500);
    cr_assert_eq(price_list_price_of(prices, &m, &s), SHOP_EUNAVAILABLE);
}

Test(pricing_from_catalog, refuses_a_price_it_cannot_read_rather_than_guess)
{
    fake_catalog_set(catalog, "MUG-1", "twelve euros");
    fake_catalog_set(catalog, "MUG-2", "12.50"); /* no currency: not Catalog's contract */
    sku s1 = sku_of("MUG-1"), s2 = sku_of("MUG-2");
    money m;
    cr_assert_eq(price_list_price_of(prices, &m, &s1), SHOP_EINTERNAL);
    cr_assert(strstr(shop_error_message(), "MUG-1"), "%s", shop_error_message());
    cr_assert_eq(price_list_price_of(prices, &m, &s2), SHOP_EINTERNAL);
}

Test(pricing_from_catalog, asks_for_each_price_afresh)
{
    fake_catalog_set(catalog, "MUG-1", "12.50 EUR");
    sku s = sku_of("MUG-1");
    money m;
    cr_assert_eq(price_list_price_of(prices, &m, &s), 0);
    fake_catalog_set(catalog, "MUG-1", "13.00 EUR"); /* the price changed */
    cr_assert_eq(price_list_price_of(prices, &m, &s), 0);
    cr_assert_eq(m.minor, 1300);
}

Test(pricing_without_catalog, is_unavailable_when_nothing_listens)
{
    char url[FAKE_URL_SIZE];
    struct price_list *p;
    sku s = sku_of("MUG-1");
    money m;
    fake_closed_url(url);
    cr_assert_eq(price_list_http_new(&p, url, 0), 0);
    double t0 = now_s();
    cr_assert_eq(price_list_price_of(p, &m, &s), SHOP_EUNAVAILABLE);
    cr_assert_lt(now_s() - t0, 1.0, "a refused connection fails at once");
    cr_assert(strstr(shop_error_message(), "catalog"), "%s", shop_error_message());
    price_list_free(p);
}

Test(pricing_without_catalog, is_unavailable_within_the_timeout_when_catalog_never_answers)
{
    char url[FAKE_URL_SIZE];
    struct price_list *p;
    sku s = sku_of("MUG-1");
    money m;
    int fd = fake_silent_listener(url);
    cr_assert_eq(price_list_http_new(&p, url, 0), 0); /* the default deadline */
    double t0 = now_s();
    cr_assert_eq(price_list_price_of(p, &m, &s), SHOP_EUNAVAILABLE);
    double waited = now_s() - t0;
    cr_assert_geq(waited, PRICE_LIST_HTTP_TIMEOUT_MS / 1000.0 - 0.1, "waited %.2f s", waited);
    cr_assert_lt(waited, PRICE_LIST_HTTP_TIMEOUT_MS / 1000.0 + 1.0, "waited %.2f s", waited);
    cr_assert(strstr(shop_error_message(), "catalog"), "%s", shop_error_message());
    price_list_free(p);
    close(fd);
}

Test(pricing_without_catalog, keeps_a_shorter_deadline_when_asked)
{
    char url[FAKE_URL_SIZE];
    struct price_list *p;
    sku s = sku_of("MUG-1");
    money m;
    int fd = fake_silent_listener(url);
    cr_assert_eq(price_list_http_new(&p, url, 300), 0);
    double t0 = now_s();
    cr_assert_eq(price_list_price_of(p, &m, &s), SHOP_EUNAVAILABLE);
    cr_assert_lt(now_s() - t0, 1.5);
    price_list_free(p);
    close(fd);
}
