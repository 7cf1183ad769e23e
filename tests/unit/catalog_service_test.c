/*
 * tests/unit/catalog_service_test.c — Catalog's command handlers on in-memory adapters.
 *
 * The aggregate's rules are tested in product_test.c; here what the handlers add: the
 * state is saved at the version it was decided on, a no-op saves nothing, and a save
 * that loses a race is decided again on the winner's state — at most max_attempts times.
 * The race is staged by a repository that wraps the in-memory one and lets "another
 * writer" save just before the handler's save (racing_repository below).
 * Read next: application/catalog/catalog_service.c
 */
#include "application/catalog/catalog_service.h"
#include "domain/shared/error.h"
#include "infrastructure/memory/clock_manual.h"
#include "infrastructure/memory/product_repository_memory.h"

#include <criterion/criterion.h>
#include <string.h>

#define NOW INT64_C(1718000000000000)

/* A repository that, before each of the next `races` saves, saves `rival` first. */
struct racing_repository {
    struct product_repository base;
    struct product_repository *inner;
    int races;
    int saves; /* saves the handler attempted */
    product rival;
};

static int racing_load(struct product_repository *self, product *out, int64_t *v, const sku *s)
{
    struct racing_repository *r = (struct racing_repository *)self;
    return product_repository_load(r->inner, out, v, s);
}

static int racing_list(struct product_repository *self, struct product_list *out)
{
    struct racing_repository *r = (struct racing_repository *)self;
    return product_repository_list(r->inner, out);
}

static int racing_save(struct product_repository *self, const product *state, int64_t expected)
{
    struct racing_repository *r = (struct racing_repository *)self;
    r->saves++;
    if (r->races > 0) {
        product current;
        int64_t version;
        r->races--;
        cr_assert_eq(product_repository_load(r->inner, &current, &version, &r->rival.sku), 0);
        cr_assert_eq(product_repository_save(r->inner, &r->rival, version), 0, "%s",
                     shop_error_message());
    }
    return product_repository_save(r->inner, state, expected);
}

static void racing_free(struct product_repository *self)
{
    (void)self;
}

static struct product_repository *memory;
static struct racing_repository racing;
static struct shop_clock *clock_;
static struct catalog_service svc;

static void setup(void)
{
    cr_assert_eq(product_repository_memory_new(&memory), 0);
    cr_assert_eq(clock_manual_new(&clock_, NOW), 0);
    racing = (struct racing_repository){
        {PRODUCT_REPOSITORY_VERSION, racing_load, racing_list, racing_save, racing_free},
        .inner = memory};
    svc = (struct catalog_service){.products = &racing.base, .clock = clock_};
}

static void teardown(void)
{
    product_repository_free(memory);
    shop_clock_free(clock_);
}

TestSuite(catalog_service, .init = setup, .fini = teardown);

static sku sku_of(const char *code)
{
    sku s;
    cr_assert_eq(sku_parse(&s, code), 0);
    return s;
}

static product_name name_of(const char *text)
{
    product_name n;
    cr_assert_eq(product_name_parse(&n, text), 0);
    return n;
}

static money price(const char *text)
{
    money m;
    cr_assert_eq(money_parse(&m, text, NULL), 0, "%s", shop_error_message());
    return m;
}

static int add(const char *code, const char *name, const char *amount)
{
    product out;
    sku s = sku_of(code);
    product_name n = name_of(name);
    return catalog_service_add(&out, &svc, &s, &n, price(amount));
}

static int64_t stored_version(const char *code)
{
    product p;
    int64_t v;
    sku s = sku_of(code);
    cr_assert_eq(product_repository_load(memory, &p, &v, &s), 0);
    return v;
}

Test(catalog_service, adds_a_product_and_returns_it_as_saved)
{
    product out;
    sku s = sku_of("ABC-1");
    product_name n = name_of("Mug");
    cr_assert_eq(catalog_service_add(&out, &svc, &s, &n, price("12.50 EUR")), 0, "%s",
                 shop_error_message());
    cr_expect(out.exists);
    cr_expect_str_eq(out.sku.code, "ABC-1");
    cr_expect_str_eq(out.name.text, "Mug");
    cr_expect(money_equal(out.price, price("12.50 EUR")));
    cr_expect_eq(stored_version("ABC-1"), 1);
}

Test(catalog_service, refuses_adding_a_sku_twice_and_keeps_the_first)
{
    cr_assert_eq(add("ABC-1", "Mug", "12.50 EUR"), 0);
    cr_expect_eq(add("ABC-1", "Other", "1.00 EUR"), SHOP_EREFUSED);
    cr_expect_str_eq(shop_error_message(), "product ABC-1 already exists");
    product p;
    sku s = sku_of("ABC-1");
    cr_assert_eq(catalog_service_get(&p, &svc, &s), 0);
    cr_expect_str_eq(p.name.text, "Mug");
}

Test(catalog_service, changes_a_price_at_the_next_version)
{
    product out;
    sku s = sku_of("ABC-1");
    cr_assert_eq(add("ABC-1", "Mug", "12.50 EUR"), 0);
    cr_assert_eq(catalog_service_change_price(&out, &svc, &s, price("13.00 EUR")), 0, "%s",
                 shop_error_message());
    cr_expect(money_equal(out.price, price("13.00 EUR")));
    cr_expect_str_eq(out.name.text, "Mug");
    cr_expect_eq(stored_version("ABC-1"), 2);
}

Test(catalog_service, saves_nothing_when_the_price_is_the_one_it_has)
{
    product out;
    sku s = sku_of("ABC-1");
    cr_assert_eq(add("ABC-1", "Mug", "12.50 EUR"), 0);
    int saves = racing.saves;
    cr_assert_eq(catalog_service_change_price(&out, &svc, &s, price("12.50 EUR")), 0);
    cr_expect_eq(racing.saves, saves, "no save for a no-op");
    cr_expect_eq(stored_version("ABC-1"), 1);
    cr_expect(money_equal(out.price, price("12.50 EUR")), "the product is returned as it is");
}

Test(catalog_service, says_unknown_sku_for_a_price_change_of_a_product_it_does_not_have)
{
    product out;
    sku s = sku_of("ABC-1");
    cr_expect_eq(catalog_service_change_price(&out, &svc, &s, price("1.00 EUR")), SHOP_ENOTFOUND);
    cr_expect_str_eq(shop_error_message(), "unknown SKU ABC-1");
    cr_expect_eq(catalog_service_get(&out, &svc, &s), SHOP_ENOTFOUND);
    cr_expect_str_eq(shop_error_message(), "unknown SKU ABC-1");
}

Test(catalog_service, refuses_a_bad_price_and_saves_nothing)
{
    cr_expect_eq(add("ABC-1", "Mug", "0.00 EUR"), SHOP_EINVALID);
    cr_expect_eq(racing.saves, 0);
    cr_expect_eq(stored_version("ABC-1"), 0);
}

Test(catalog_service, decides_again_on_the_winners_state_after_losing_a_race)
{
    product out;
    sku s = sku_of("ABC-1");
    cr_assert_eq(add("ABC-1", "Mug", "12.50 EUR"), 0);
    racing.rival = (product){.exists = true, .sku = s, .name = name_of("Mug")};
    racing.rival.price = price("20.00 EUR");
    racing.races = 1;
    racing.saves = 0;
    cr_assert_eq(catalog_service_change_price(&out, &svc, &s, price("13.00 EUR")), 0, "%s",
                 shop_error_message());
    cr_expect_eq(racing.saves, 2, "one lost race, one save that won");
    cr_expect(money_equal(out.price, price("13.00 EUR")));
    cr_expect_eq(stored_version("ABC-1"), 3, "the rival's save and ours");
}

Test(catalog_service, refuses_an_add_that_lost_the_race_to_the_same_sku)
{
    sku s = sku_of("ABC-1");
    racing.rival = (product){.exists = true, .sku = s, .name = name_of("First")};
    racing.rival.price = price("1.00 EUR");
    racing.races = 1;
    cr_expect_eq(add("ABC-1", "Second", "2.00 EUR"), SHOP_EREFUSED);
    cr_expect_str_eq(shop_error_message(), "product ABC-1 already exists");
    cr_expect_eq(racing.saves, 1, "decided again on the winner's product, and refused");
}

Test(catalog_service, gives_up_with_a_conflict_after_max_attempts)
{
    product out;
    sku s = sku_of("ABC-1");
    cr_assert_eq(add("ABC-1", "Mug", "12.50 EUR"), 0);
    racing.rival = (product){.exists = true, .sku = s, .name = name_of("Mug")};
    racing.rival.price = price("20.00 EUR");
    racing.races = 1000;
    racing.saves = 0;
    svc.max_attempts = 3;
    cr_expect_eq(catalog_service_change_price(&out, &svc, &s, price("13.00 EUR")), SHOP_ECONFLICT);
    cr_expect_str_eq(shop_error_message(),
                     "product ABC-1 was changed by another writer on each of 3 attempts");
    cr_expect_eq(racing.saves, 3);
}

Test(catalog_service, lists_products_sorted_by_sku)
{
    cr_assert_eq(add("B-1", "Bowl", "3.00 EUR"), 0);
    cr_assert_eq(add("A-1", "Mug", "12.50 EUR"), 0);
    struct product_list list;
    cr_assert_eq(catalog_service_list(&list, &svc), 0);
    cr_assert_eq(list.count, 2);
    cr_expect_str_eq(list.items[0].sku.code, "A-1");
    cr_expect_str_eq(list.items[1].sku.code, "B-1");
    product_list_dispose(&list);
}
