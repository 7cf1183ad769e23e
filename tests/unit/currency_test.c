/*
 * tests/unit/currency_test.c — the currencies a shop can price in (ISO 4217).
 *
 * Pattern: shared kernel / value objects, tested as domain scenarios.  Expected exponents
 * are ISO's published minor units, written out here independently of the table.
 * Read next: tests/unit/money_test.c.
 */
#include "domain/shared/currency.h"
#include "domain/shared/error.h"

#include <criterion/criterion.h>
#include <string.h>

static void assert_exponent(const char *code, int exponent)
{
    const currency *c = NULL;
    cr_assert_eq(currency_find(&c, code), 0, "%s: %s", code, shop_error_message());
    cr_assert_str_eq(c->code, code);
    cr_assert_eq(c->exponent, exponent, "%s has %d decimals, the table says %d", code, exponent,
                 c->exponent);
}

static void assert_unknown(const char *code)
{
    static const currency sentinel = {"???", 9};
    const currency *c = &sentinel; /* so that the test sees the lookup clear it */
    cr_assert_eq(currency_find(&c, code), SHOP_EINVALID, "\"%s\" should be unknown", code);
    cr_assert_null(c);
}

Test(currency, knows_euros_and_dollars_have_cents)
{
    assert_exponent("EUR", 2);
    assert_exponent("USD", 2);
    assert_exponent("GBP", 2);
    assert_exponent("CHF", 2);
}

Test(currency, knows_the_currencies_without_decimals)
{
    static const char *const none[] = {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY",
                                       "KMF", "KRW", "PYG", "RWF", "UGX", "UYI",
                                       "VND", "VUV", "XAF", "XOF", "XPF"};
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++)
        assert_exponent(none[i], 0);
}

Test(currency, knows_the_dinars_with_three_decimals)
{
    static const char *const three[] = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"};
    for (size_t i = 0; i < sizeof three / sizeof three[0]; i++)
        assert_exponent(three[i], 3);
}

Test(currency, knows_the_units_of_account_with_four_decimals)
{
    assert_exponent("CLF", 4);
    assert_exponent("UYW", 4);
}

Test(currency, knows_the_newest_codes)
{
    assert_exponent("XCG", 2); /* Caribbean guilder, 2025 */
    assert_exponent("ZWG", 2); /* Zimbabwe Gold, 2024 */
    assert_exponent("SLE", 2); /* new leone */
    assert_exponent("VED", 2); /* digital bolivar */
}

Test(currency, refuses_an_unknown_code_with_a_clear_message)
{
    const currency *c;
    cr_assert_eq(currency_find(&c, "XYZ"), SHOP_EINVALID);
    cr_assert_eq(shop_error_code(), SHOP_EINVALID);
    cr_assert_str_eq(shop_error_message(), "unknown currency \"XYZ\" (ISO 4217 code expected)");
}

Test(currency, is_case_sensitive)
{
    assert_unknown("eur");
    assert_unknown("Eur");
    cr_assert_str_eq(shop_error_message(), "unknown currency \"Eur\" (ISO 4217 code expected)");
}

Test(currency, refuses_codes_of_the_wrong_shape)
{
    assert_unknown("");
    assert_unknown(NULL);
    assert_unknown("EU");
    assert_unknown("EURO");
    assert_unknown("EUR ");
    assert_unknown(" EUR");
    assert_unknown("€");
    assert_unknown("978"); /* the numeric code is not accepted in place of the letters */
}

Test(currency, refuses_withdrawn_currencies)
{
    assert_unknown("HRK"); /* Croatia: euro since 2023 */
    assert_unknown("BGN"); /* Bulgaria: euro since 2026 */
    assert_unknown("ANG"); /* replaced by XCG */
    assert_unknown("CUC");
    assert_unknown("SLL"); /* replaced by SLE */
    assert_unknown("ZWL"); /* replaced by ZWG */
    assert_unknown("DEM");
}

Test(currency, refuses_codes_that_have_no_minor_unit)
{
    assert_unknown("XAU"); /* gold */
    assert_unknown("XDR"); /* special drawing rights */
    assert_unknown("XTS"); /* reserved for testing */
    assert_unknown("XXX"); /* no currency */
}

Test(currency, lookup_returns_the_one_entry_of_the_table)
{
    const currency *first, *second;
    cr_assert_eq(currency_find(&first, "EUR"), 0);
    cr_assert_eq(currency_find(&second, "EUR"), 0);
    cr_assert_eq(first, second, "the same currency is the same pointer");
}

Test(currency, table_is_sorted_and_well_formed)
{
    size_t count = 0;
    const currency *table = currency_table(&count);
    /* ISO 4217 list one has 165 codes with a minor unit (after amendment 180). */
    cr_assert_eq(count, 165);
    for (size_t i = 0; i < count; i++) {
        const char *code = table[i].code;
        cr_assert_eq(strlen(code), 3, "entry %zu", i);
        for (size_t j = 0; j < 3; j++)
            cr_assert(code[j] >= 'A' && code[j] <= 'Z', "entry %zu: %s", i, code);
        int e = table[i].exponent;
        cr_assert(e == 0 || e == 2 || e == 3 || e == 4, "%s has exponent %d", code, e);
        if (i > 0)
            cr_assert_lt(strcmp(table[i - 1].code, code), 0, "%s must come before %s",
                         table[i - 1].code, code);
        const currency *found = NULL;
        cr_assert_eq(currency_find(&found, code), 0, "%s is in the table", code);
        cr_assert_eq(found, &table[i]);
    }
}

Test(currency, converts_major_units_to_minor_units)
{
    const currency *c;
    cr_assert_eq(currency_find(&c, "EUR"), 0);
    cr_assert_eq(currency_minor_per_major(c), 100);
    cr_assert_eq(currency_find(&c, "JPY"), 0);
    cr_assert_eq(currency_minor_per_major(c), 1);
    cr_assert_eq(currency_find(&c, "KWD"), 0);
    cr_assert_eq(currency_minor_per_major(c), 1000);
    cr_assert_eq(currency_find(&c, "CLF"), 0);
    cr_assert_eq(currency_minor_per_major(c), 10000);
}
