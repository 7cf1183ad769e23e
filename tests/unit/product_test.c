/*
 * tests/unit/product_test.c — every rule of the Product aggregate, as given / when / then.
 *
 * Pattern: testing a decider.  The aggregate is two pure functions, so a scenario needs no
 * database and no mocks:
 *     given(a_product_added("ABC-1", "Mug", "12.50 EUR"));    the history, folded by evolve
 *     rc = when_changing_price("ABC-1", "13.00 EUR");         one decide call
 *     then_one_event(PRODUCT_PRICE_CHANGED);
 * Every expected message is written out by hand.  The decide buffer is filled with a byte
 * pattern before each decision, so a refusal that scribbles on `out` fails then_refused.
 * Read next: domain/catalog/product.c, then application/catalog/catalog_service.c.
 */
#include "domain/catalog/product.h"
#include "domain/shared/error.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

/* ---------------------------------------------------------------- vocabulary */

#define ADDED_AT   INT64_C(1718000000000000) /* microseconds since the epoch */
#define CHANGED_AT INT64_C(1718000060000000) /* a minute later */
#define SCRIBBLE   0xA5
#define UNTOUCHED  ((size_t)0xA5A5A5)

static money price(const char *text)
{
    money m;
    cr_assert_eq(money_parse(&m, text, NULL), 0, "\"%s\": %s", text, shop_error_message());
    return m;
}

static money minor_units(const char *code, int64_t minor)
{
    const currency *c;
    cr_assert_eq(currency_find(&c, code), 0, "%s", shop_error_message());
    return money_make(c, minor);
}

static sku sku_of(const char *text)
{
    sku s;
    cr_assert_eq(sku_parse(&s, text), 0, "\"%s\": %s", text, shop_error_message());
    return s;
}

static product_name name_of(const char *text)
{
    product_name n;
    cr_assert_eq(product_name_parse(&n, text), 0, "\"%s\": %s", text, shop_error_message());
    return n;
}

/* A name of `count` copies of `piece`. */
static const char *repeated(char *buf, size_t size, const char *piece, size_t count)
{
    buf[0] = '\0';
    for (size_t i = 0; i < count; i++) {
        cr_assert_lt(strlen(buf) + strlen(piece), size);
        strcat(buf, piece);
    }
    return buf;
}

static product state;
static product_event out[PRODUCT_MAX_DECIDED_EVENTS];
static size_t out_count;

static void given_nothing(void)
{
    product_init(&state);
}

static product_event a_product_added(const char *code, const char *name, const char *amount)
{
    product_event e = {.type = PRODUCT_ADDED, .sku = sku_of(code), .at_us = ADDED_AT};
    e.as.added.name = name_of(name);
    e.as.added.price = price(amount);
    return e;
}

static void given(product_event e)
{
    product_init(&state);
    product_evolve(&state, &e);
}

static void scribble(void)
{
    memset(out, SCRIBBLE, sizeof out);
    out_count = UNTOUCHED;
}

static int when_adding(const char *code, const char *name, money p)
{
    add_product cmd = {.sku = sku_of(code), .name = name_of(name), .price = p, .at_us = ADDED_AT};
    scribble();
    return product_decide_add(out, &out_count, &state, &cmd);
}

static int when_changing_price(const char *code, money p)
{
    change_price cmd = {.sku = sku_of(code), .price = p, .at_us = CHANGED_AT};
    scribble();
    return product_decide_change_price(out, &out_count, &state, &cmd);
}

static void then_refused(int rc, int code, const char *message)
{
    cr_assert_eq(rc, code, "expected %s, got %s (%s)", shop_error_name(code), shop_error_name(rc),
                 shop_error_message());
    cr_expect_str_eq(shop_error_message(), message);
    cr_expect_eq(out_count, 0, "no events on refusal");
    const unsigned char *bytes = (const unsigned char *)out;
    for (size_t i = 0; i < sizeof out; i++)
        cr_assert_eq(bytes[i], SCRIBBLE, "a refusal wrote to out (byte %zu)", i);
}

static void then_one_event(int rc, enum product_event_type type)
{
    cr_assert_eq(rc, 0, "%s", shop_error_message());
    cr_assert_eq(out_count, 1);
    cr_assert_eq(out[0].type, type, "got %s", product_event_type_name(out[0].type));
}

/* ---------------------------------------------------------------- adding */

Test(adding_a_product, records_product_added_with_its_name_and_price)
{
    given_nothing();
    then_one_event(when_adding("abc-1", "Mug", price("12.50 EUR")), PRODUCT_ADDED);
    cr_expect_str_eq(out[0].sku.code, "ABC-1");
    cr_expect_str_eq(out[0].as.added.name.text, "Mug");
    cr_expect(money_equal(out[0].as.added.price, price("12.50 EUR")));
    cr_expect_eq(out[0].at_us, ADDED_AT);
    cr_expect_str_eq(product_event_type_name(out[0].type), "ProductAdded");
}

Test(adding_a_product, makes_it_exist_when_the_event_is_applied)
{
    given_nothing();
    then_one_event(when_adding("ABC-1", "Mug", price("12.50 EUR")), PRODUCT_ADDED);
    product_evolve(&state, &out[0]);
    cr_expect(state.exists);
    cr_expect_str_eq(state.sku.code, "ABC-1");
    cr_expect_str_eq(state.name.text, "Mug");
    cr_expect(money_equal(state.price, price("12.50 EUR")));
}

Test(adding_a_product, is_refused_when_the_sku_exists)
{
    given(a_product_added("ABC-1", "Mug", "12.50 EUR"));
    then_refused(when_adding("ABC-1", "Other mug", price("3.00 EUR")), SHOP_EREFUSED,
                 "product ABC-1 already exists");
}

Test(adding_a_product, is_refused_for_a_price_of_zero)
{
    given_nothing();
    then_refused(when_adding("ABC-1", "Mug", price("0.00 EUR")), SHOP_EINVALID,
                 "price must be above 0, got 0.00 EUR");
}

Test(adding_a_product, is_refused_for_a_negative_price)
{
    given_nothing();
    then_refused(when_adding("ABC-1", "Mug", price("-1.00 EUR")), SHOP_EINVALID,
                 "price must be above 0, got -1.00 EUR");
}

Test(adding_a_product, is_refused_at_one_million)
{
    given_nothing();
    then_refused(when_adding("ABC-1", "Mug", price("1000000.00 EUR")), SHOP_EINVALID,
                 "price must be below 1000000.00 EUR, got 1000000.00 EUR");
}

Test(adding_a_product, accepts_a_price_just_below_one_million)
{
    given_nothing();
    then_one_event(when_adding("ABC-1", "Mug", price("999999.99 EUR")), PRODUCT_ADDED);
}

Test(adding_a_product, accepts_a_price_of_one_minor_unit)
{
    given_nothing();
    then_one_event(when_adding("ABC-1", "Mug", price("0.01 EUR")), PRODUCT_ADDED);
}

Test(adding_a_product, bounds_the_price_in_major_units_of_its_own_currency)
{
    given_nothing();
    then_one_event(when_adding("ABC-1", "Mug", price("999999 JPY")), PRODUCT_ADDED);
    then_refused(when_adding("ABC-1", "Mug", price("1000000 JPY")), SHOP_EINVALID,
                 "price must be below 1000000 JPY, got 1000000 JPY");
    then_one_event(when_adding("ABC-1", "Mug", price("999999.999 KWD")), PRODUCT_ADDED);
}

Test(adding_a_product, is_refused_at_the_edge_of_int64)
{
    given_nothing();
    then_refused(when_adding("ABC-1", "Mug", minor_units("EUR", INT64_MAX)), SHOP_EINVALID,
                 "price must be below 1000000.00 EUR, got 92233720368547758.07 EUR");
}

Test(adding_a_product, is_refused_for_a_price_without_a_currency)
{
    given_nothing();
    money none = {.minor = 100, .currency = NULL};
    then_refused(when_adding("ABC-1", "Mug", none), SHOP_EINVALID, "price has no currency");
}

Test(adding_a_product, is_refused_for_a_name_filled_in_by_hand_that_is_blank)
{
    given_nothing();
    add_product cmd = {.sku = sku_of("ABC-1"), .price = price("1.00 EUR")};
    strcpy(cmd.name.text, "   ");
    scribble();
    then_refused(product_decide_add(out, &out_count, &state, &cmd), SHOP_EINVALID,
                 "name must not be blank");
}

Test(adding_a_product, is_refused_for_a_name_without_its_terminating_nul)
{
    given_nothing();
    add_product cmd = {.sku = sku_of("ABC-1"), .price = price("1.00 EUR")};
    memset(cmd.name.text, 'a', sizeof cmd.name.text);
    scribble();
    then_refused(product_decide_add(out, &out_count, &state, &cmd), SHOP_EINVALID,
                 "name must be 1-100 characters, got more than 100");
}

/* ---------------------------------------------------------------- changing the price */

Test(changing_a_price, records_price_changed_with_the_old_and_new_price)
{
    given(a_product_added("ABC-1", "Mug", "12.50 EUR"));
    then_one_event(when_changing_price("ABC-1", price("13.00 EUR")), PRODUCT_PRICE_CHANGED);
    cr_expect_str_eq(out[0].sku.code, "ABC-1");
    cr_expect(money_equal(out[0].as.price_changed.old_price, price("12.50 EUR")));
    cr_expect(money_equal(out[0].as.price_changed.new_price, price("13.00 EUR")));
    cr_expect_eq(out[0].at_us, CHANGED_AT);
    cr_expect_str_eq(product_event_type_name(out[0].type), "PriceChanged");
}

Test(changing_a_price, changes_only_the_price_when_applied)
{
    given(a_product_added("ABC-1", "Mug", "12.50 EUR"));
    then_one_event(when_changing_price("ABC-1", price("13.00 EUR")), PRODUCT_PRICE_CHANGED);
    product_evolve(&state, &out[0]);
    cr_expect(money_equal(state.price, price("13.00 EUR")));
    cr_expect_str_eq(state.name.text, "Mug");
    cr_expect_str_eq(state.sku.code, "ABC-1");
}

Test(changing_a_price, to_the_price_it_has_changes_nothing)
{
    given(a_product_added("ABC-1", "Mug", "12.50 EUR"));
    scribble();
    change_price cmd = {.sku = sku_of("ABC-1"), .price = price("12.50 EUR")};
    cr_assert_eq(product_decide_change_price(out, &out_count, &state, &cmd), 0);
    cr_expect_eq(out_count, 0, "no event for a price that does not change");
}

Test(changing_a_price, to_the_same_amount_in_another_currency_is_a_change)
{
    given(a_product_added("ABC-1", "Mug", "12.50 EUR"));
    then_one_event(when_changing_price("ABC-1", price("12.50 USD")), PRODUCT_PRICE_CHANGED);
}

Test(changing_a_price, of_an_unknown_sku_is_not_found)
{
    given_nothing();
    then_refused(when_changing_price("abc-1", price("13.00 EUR")), SHOP_ENOTFOUND,
                 "unknown SKU ABC-1");
}

Test(changing_a_price, is_refused_for_a_price_of_zero)
{
    given(a_product_added("ABC-1", "Mug", "12.50 EUR"));
    then_refused(when_changing_price("ABC-1", price("0 EUR")), SHOP_EINVALID,
                 "price must be above 0, got 0.00 EUR");
}

Test(changing_a_price, is_refused_at_one_million)
{
    given(a_product_added("ABC-1", "Mug", "12.50 EUR"));
    then_refused(when_changing_price("ABC-1", price("1000000 EUR")), SHOP_EINVALID,
                 "price must be below 1000000.00 EUR, got 1000000.00 EUR");
}

/* ---------------------------------------------------------------- evolving */

Test(evolving_a_product, ignores_an_event_type_it_does_not_know)
{
    given(a_product_added("ABC-1", "Mug", "12.50 EUR"));
    product before = state;
    product_event unknown = {.type = (enum product_event_type)99};
    product_evolve(&state, &unknown);
    cr_expect_eq(memcmp(&before, &state, sizeof state), 0);
    cr_expect_str_eq(product_event_type_name(unknown.type), "unknown");
}

/* ---------------------------------------------------------------- naming a product */

Test(naming_a_product, accepts_one_to_a_hundred_characters_of_utf8)
{
    char buf[512];
    product_name n;
    cr_expect_eq(product_name_parse(&n, "M"), 0);
    cr_expect_eq(product_name_parse(&n, repeated(buf, sizeof buf, "a", 100)), 0);
    /* 100 characters of 4 bytes each: the most bytes a name holds. */
    cr_expect_eq(product_name_parse(&n, repeated(buf, sizeof buf, "\xF0\x9F\x8D\xB5", 100)), 0,
                 "%s", shop_error_message());
    cr_expect_eq(strlen(n.text), 400);
    cr_expect_eq(product_name_parse(&n, "Caf\xC3\xA9 cr\xC3\xA8me"), 0);
    cr_expect_str_eq(n.text, "Caf\xC3\xA9 cr\xC3\xA8me");
    cr_expect_eq(product_name_parse(&n, " Mug with spaces "), 0, "spaces inside are fine");
}

Test(naming_a_product, is_refused_when_empty)
{
    product_name n;
    cr_expect_eq(product_name_parse(&n, ""), SHOP_EINVALID);
    cr_expect_str_eq(shop_error_message(), "name must be 1-100 characters, got 0");
    cr_expect_eq(product_name_parse(&n, NULL), SHOP_EINVALID);
}

Test(naming_a_product, is_refused_at_a_hundred_and_one_characters)
{
    char buf[512];
    product_name n;
    cr_expect_eq(product_name_parse(&n, repeated(buf, sizeof buf, "a", 101)), SHOP_EINVALID);
    cr_expect_str_eq(shop_error_message(), "name must be 1-100 characters, got more than 100");
    cr_expect_str_eq(n.text, "");
    cr_expect_eq(product_name_parse(&n, repeated(buf, sizeof buf, "\xC3\xA9", 101)), SHOP_EINVALID);
}

Test(naming_a_product, is_refused_when_all_spaces)
{
    product_name n;
    cr_expect_eq(product_name_parse(&n, "   "), SHOP_EINVALID);
    cr_expect_str_eq(shop_error_message(), "name must not be blank");
}

Test(naming_a_product, is_refused_with_control_characters)
{
    product_name n;
    cr_expect_eq(product_name_parse(&n, "Mug\ttwo"), SHOP_EINVALID);
    cr_expect_str_eq(shop_error_message(),
                     "name must not contain control characters, got U+0009 at character 4");
    cr_expect_eq(product_name_parse(&n, "Mug\n"), SHOP_EINVALID);
    cr_expect_eq(product_name_parse(&n, "Mug\xC2\x85"), SHOP_EINVALID, "C1 control U+0085");
    cr_expect_eq(product_name_parse(&n, "\x7F"), SHOP_EINVALID, "DEL");
}

Test(naming_a_product, is_refused_when_not_utf8)
{
    product_name n;
    cr_expect_eq(product_name_parse(&n, "Mug \xFF"), SHOP_EINVALID);
    cr_expect_str_eq(shop_error_message(), "name must be valid UTF-8, got byte 0xFF at byte 5");
    cr_expect_eq(product_name_parse(&n, "\xC0\xAF"), SHOP_EINVALID, "overlong");
}
