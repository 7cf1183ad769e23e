/*
 * tests/unit/money_test.c — what a user relies on when the shop handles money.
 *
 * Pattern: shared kernel / value objects, tested as domain scenarios.  Every expected
 * amount is written out by hand in minor units (12.50 EUR is 1250 cents), never computed
 * by the code under test.  INT64_MAX is 9223372036854775807, so the largest amount of
 * euros is 92233720368547758.07 EUR.
 * Read next: tests/unit/currency_test.c, then domain/shared/money.h.
 */
#include "domain/shared/error.h"
#include "domain/shared/money.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

/* For messages whose start names the rule and whose end quotes the input. */
static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static const currency *in(const char *code)
{
    const currency *c = NULL;
    cr_assert_eq(currency_find(&c, code), 0, "currency %s: %s", code, shop_error_message());
    return c;
}

static money parsed(const char *text, const char *default_currency)
{
    money m;
    int rc = money_parse(&m, text, default_currency);
    cr_assert_eq(rc, 0, "money_parse(\"%s\") failed: %s", text, shop_error_message());
    return m;
}

static void assert_parses_to(const char *text, const char *default_currency, int64_t minor,
                             const char *code)
{
    money m = parsed(text, default_currency);
    cr_assert_eq(m.minor, minor, "\"%s\": expected %lld minor units, got %lld", text,
                 (long long)minor, (long long)m.minor);
    cr_assert_str_eq(m.currency->code, code, "\"%s\"", text);
}

static void assert_refused(const char *text, const char *default_currency, int code,
                           const char *message)
{
    money m = {123, NULL};
    int rc = money_parse(&m, text, default_currency);
    cr_assert_eq(rc, code, "\"%s\" should be refused with %s, got %s (%s)", text,
                 shop_error_name(code), shop_error_name(rc), shop_error_message());
    cr_assert_eq(shop_error_code(), code);
    cr_assert_str_eq(shop_error_message(), message, "for \"%s\"", text);
    cr_assert_null(m.currency, "a refused parse leaves no money behind");
}

static void assert_formats_as(money m, const char *expected)
{
    char buf[MONEY_FORMAT_MAX];
    cr_assert_eq(money_format(buf, sizeof buf, m), 0, "%s", shop_error_message());
    cr_assert_str_eq(buf, expected);
}

/* ---- parsing what a user types ---- */

Test(money, takes_the_default_currency_when_none_is_written)
{
    assert_parses_to("12.50", "EUR", 1250, "EUR");
}

Test(money, takes_the_written_currency_over_the_default)
{
    assert_parses_to("12.50 USD", "EUR", 1250, "USD");
}

Test(money, accepts_whole_amounts_and_short_decimals)
{
    assert_parses_to("12 EUR", NULL, 1200, "EUR");
    assert_parses_to("0.5 EUR", NULL, 50, "EUR");
    assert_parses_to("0.05 EUR", NULL, 5, "EUR");
    assert_parses_to("0 EUR", NULL, 0, "EUR");
    assert_parses_to("007.10 EUR", NULL, 710, "EUR");
}

Test(money, accepts_negative_amounts)
{
    assert_parses_to("-3.10 USD", NULL, -310, "USD");
    assert_parses_to("-0.05 EUR", NULL, -5, "EUR");
}

Test(money, reads_yen_without_decimals)
{
    assert_parses_to("1200 JPY", NULL, 1200, "JPY");
}

Test(money, reads_dinars_with_three_decimals)
{
    assert_parses_to("1.234 KWD", NULL, 1234, "KWD");
    assert_parses_to("1.5 KWD", NULL, 1500, "KWD");
    assert_parses_to("0.001 BHD", NULL, 1, "BHD");
}

Test(money, reads_four_decimals_for_the_chilean_unit_of_account)
{
    assert_parses_to("0.0001 CLF", NULL, 1, "CLF");
    assert_parses_to("2.5 CLF", NULL, 25000, "CLF");
}

Test(money, is_never_rounded_silently_when_a_price_has_three_decimals)
{
    assert_refused("12.505 EUR", NULL, SHOP_EINVALID, "EUR has 2 decimals, got \"12.505\"");
    assert_refused("12.505", "EUR", SHOP_EINVALID, "EUR has 2 decimals, got \"12.505\"");
}

Test(money, counts_trailing_zeros_as_decimals_too)
{
    assert_refused("12.500 EUR", NULL, SHOP_EINVALID, "EUR has 2 decimals, got \"12.500\"");
}

Test(money, refuses_decimals_for_yen)
{
    assert_refused("12.5 JPY", NULL, SHOP_EINVALID, "JPY has 0 decimals, got \"12.5\"");
    assert_refused("12.0 JPY", NULL, SHOP_EINVALID, "JPY has 0 decimals, got \"12.0\"");
}

Test(money, refuses_a_fourth_decimal_for_dinars)
{
    assert_refused("1.2345 KWD", NULL, SHOP_EINVALID, "KWD has 3 decimals, got \"1.2345\"");
}

Test(money, refuses_text_that_is_not_an_amount)
{
    static const char *const junk[] = {
        "",                 /* empty */
        " 12.50",           /* leading space */
        "12.50 ",           /* trailing space */
        "12.50  EUR",       /* two spaces */
        "12.50EUR",         /* no space */
        "12.50\tEUR",       /* a tab is not the space */
        "12 .50",           /* space inside the number */
        "- 12",             /* space after the sign */
        "1e3",              /* exponent */
        "1E3 EUR",          /* exponent */
        ".",                /* a lone point */
        ".5",               /* no whole part */
        "12.",              /* no decimals after the point */
        "+12",              /* plus sign */
        "-",                /* sign alone */
        "--1",              /* two signs */
        "1,50",             /* decimal comma */
        "1.000,00",         /* thousands separator */
        "12.5.0",           /* two points */
        "0x10",             /* hex */
        "abc",              /* words */
        "12.50 EUR x",      /* junk after the code */
        "12.50 EU1",        /* a code with a digit */
        "12.50 $",          /* a symbol instead of a code */
        "12.50 EUR\n",      /* newline after the code */
        "\xd9\xa1\xd9\xa2", /* Arabic-Indic digits */
        "NaN",
        "inf",
    };
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
        money m;
        int rc = money_parse(&m, junk[i], "EUR");
        cr_assert_eq(rc, SHOP_EINVALID, "\"%s\" should be refused, got %s", junk[i],
                     shop_error_name(rc));
        cr_assert(starts_with(shop_error_message(), "amount must be a decimal number"),
                  "\"%s\": unexpected message: %s", junk[i], shop_error_message());
    }
}

Test(money, says_which_amount_it_could_not_read)
{
    assert_refused("1e3", "EUR", SHOP_EINVALID,
                   "amount must be a decimal number like \"12.50\" or \"12.50 EUR\", got \"1e3\"");
}

Test(money, shows_control_characters_escaped_in_the_message)
{
    assert_refused("12\n50", "EUR", SHOP_EINVALID,
                   "amount must be a decimal number like \"12.50\" or \"12.50 EUR\", "
                   "got \"12\\x0A50\"");
}

Test(money, refuses_an_unknown_currency)
{
    assert_refused("12.50 XYZ", NULL, SHOP_EINVALID,
                   "unknown currency \"XYZ\" (ISO 4217 code expected)");
    assert_refused("12.50", "XYZ", SHOP_EINVALID,
                   "unknown currency \"XYZ\" (ISO 4217 code expected)");
}

Test(money, refuses_a_lower_case_currency_code)
{
    assert_refused("12.50 eur", NULL, SHOP_EINVALID,
                   "unknown currency \"eur\" (ISO 4217 code expected)");
}

Test(money, refuses_a_currency_name_in_place_of_its_code)
{
    assert_refused("12.50 EURO", NULL, SHOP_EINVALID,
                   "unknown currency \"EURO\" (ISO 4217 code expected)");
}

Test(money, asks_for_a_currency_when_there_is_no_default)
{
    assert_refused("12.50", NULL, SHOP_EINVALID,
                   "amount \"12.50\" needs a currency code, e.g. \"12.50 EUR\"");
}

Test(money, holds_the_largest_and_smallest_amounts_that_fit)
{
    assert_parses_to("92233720368547758.07 EUR", NULL, INT64_MAX, "EUR");
    assert_parses_to("-92233720368547758.08 EUR", NULL, INT64_MIN, "EUR");
    assert_parses_to("9223372036854775807 JPY", NULL, INT64_MAX, "JPY");
    assert_parses_to("-9223372036854775808 JPY", NULL, INT64_MIN, "JPY");
}

Test(money, refuses_an_amount_one_minor_unit_too_large)
{
    assert_refused("92233720368547758.08 EUR", NULL, SHOP_EOVERFLOW,
                   "amount \"92233720368547758.08\" is out of range for EUR "
                   "(at most 92233720368547758.07 EUR)");
    assert_refused("9223372036854775808 JPY", NULL, SHOP_EOVERFLOW,
                   "amount \"9223372036854775808\" is out of range for JPY "
                   "(at most 9223372036854775807 JPY)");
}

Test(money, refuses_an_amount_one_minor_unit_too_small)
{
    assert_refused("-92233720368547758.09 EUR", NULL, SHOP_EOVERFLOW,
                   "amount \"-92233720368547758.09\" is out of range for EUR "
                   "(at least -92233720368547758.08 EUR)");
}

Test(money, refuses_amounts_far_beyond_the_range)
{
    money m;
    cr_assert_eq(money_parse(&m, "100000000000000000000 EUR", NULL), SHOP_EOVERFLOW);
    /* Whole digits that fit int64_t alone but not once scaled to cents. */
    cr_assert_eq(money_parse(&m, "1844674407370955162 EUR", NULL), SHOP_EOVERFLOW);
    cr_assert_eq(money_parse(&m, "92233720368547758 EUR", NULL), 0);
    cr_assert_eq(money_parse(&m, "92233720368547759 EUR", NULL), SHOP_EOVERFLOW);
    cr_assert_eq(money_parse(&m, "99999999999999999999999999999999999999.99 EUR", NULL),
                 SHOP_EOVERFLOW);
    cr_assert_eq(money_parse(&m, "922337203685477.5808 CLF", NULL), SHOP_EOVERFLOW);
}

/* ---- showing money ---- */

Test(money, is_shown_with_every_decimal_of_its_currency)
{
    assert_formats_as(money_make(in("EUR"), 1250), "12.50 EUR");
    assert_formats_as(money_make(in("EUR"), 1200), "12.00 EUR");
    assert_formats_as(money_make(in("EUR"), 5), "0.05 EUR");
    assert_formats_as(money_make(in("KWD"), 1234), "1.234 KWD");
    assert_formats_as(money_make(in("KWD"), 1), "0.001 KWD");
    assert_formats_as(money_make(in("CLF"), 1), "0.0001 CLF");
}

Test(money, shows_yen_without_a_decimal_point)
{
    assert_formats_as(money_make(in("JPY"), 1200), "1200 JPY");
    assert_formats_as(money_zero(in("JPY")), "0 JPY");
}

Test(money, shows_a_minus_sign_for_small_negative_amounts)
{
    assert_formats_as(money_make(in("EUR"), -5), "-0.05 EUR");
    assert_formats_as(money_make(in("EUR"), -1250), "-12.50 EUR");
}

Test(money, shows_the_extremes_of_the_range)
{
    assert_formats_as(money_make(in("EUR"), INT64_MAX), "92233720368547758.07 EUR");
    assert_formats_as(money_make(in("EUR"), INT64_MIN), "-92233720368547758.08 EUR");
    /* The longest text of all, which MONEY_FORMAT_MAX must hold. */
    assert_formats_as(money_make(in("CLF"), INT64_MIN), "-922337203685477.5808 CLF");
}

Test(money, shows_the_amount_alone_for_tables)
{
    char buf[MONEY_FORMAT_MAX];
    cr_assert_eq(money_format_amount(buf, sizeof buf, money_make(in("EUR"), 1250)), 0);
    cr_assert_str_eq(buf, "12.50");
    cr_assert_eq(money_format_amount(buf, sizeof buf, money_make(in("JPY"), -7)), 0);
    cr_assert_str_eq(buf, "-7");
}

Test(money, refuses_to_write_into_a_buffer_that_is_too_small)
{
    char buf[9] = "garbage!";
    /* "12.50 EUR" needs 10 bytes with its NUL. */
    cr_assert_eq(money_format(buf, sizeof buf, money_make(in("EUR"), 1250)), SHOP_EOVERFLOW);
    cr_assert_str_eq(buf, "", "a failed format leaves no half-written amount");

    char exact[10];
    cr_assert_eq(money_format(exact, sizeof exact, money_make(in("EUR"), 1250)), 0);
    cr_assert_str_eq(exact, "12.50 EUR");
}

Test(money, without_a_currency_is_not_a_value)
{
    char buf[MONEY_FORMAT_MAX];
    money nothing = {0, NULL}, sum;
    cr_assert_eq(money_format(buf, sizeof buf, nothing), SHOP_EINVALID);
    cr_assert_eq(money_add(&sum, nothing, money_zero(in("EUR"))), SHOP_EINVALID);
    cr_assert_eq(money_multiply(&sum, nothing, 2), SHOP_EINVALID);
}

Test(money, reads_back_exactly_what_it_writes)
{
    static const char *const texts[] = {
        "12.50 EUR",
        "-0.05 EUR",
        "0.00 EUR",
        "1200 JPY",
        "-1 JPY",
        "1.234 KWD",
        "0.0001 CLF",
        "999999.99 USD",
        "92233720368547758.07 EUR",
        "-92233720368547758.08 EUR",
        "-922337203685477.5808 CLF",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        char buf[MONEY_FORMAT_MAX];
        money m = parsed(texts[i], NULL);
        cr_assert_eq(money_format(buf, sizeof buf, m), 0);
        cr_assert_str_eq(buf, texts[i]);
    }
}

Test(money, writes_short_decimals_in_full)
{
    assert_formats_as(parsed("0.5 EUR", NULL), "0.50 EUR");
    assert_formats_as(parsed("12", "EUR"), "12.00 EUR");
    assert_formats_as(parsed("-0", "EUR"), "0.00 EUR");
}

/* ---- arithmetic ---- */

Test(money, adds_amounts_of_one_currency)
{
    money sum;
    cr_assert_eq(money_add(&sum, money_make(in("EUR"), 1250), money_make(in("EUR"), 75)), 0);
    cr_assert_eq(sum.minor, 1325);
    cr_assert_str_eq(sum.currency->code, "EUR");
}

Test(money, refuses_to_add_euros_to_dollars)
{
    money sum;
    int rc = money_add(&sum, money_make(in("EUR"), 200), money_make(in("USD"), 100));
    cr_assert_eq(rc, SHOP_EINVALID);
    cr_assert_str_eq(shop_error_message(), "cannot add 1.00 USD to 2.00 EUR: currencies differ");
    cr_assert_null(sum.currency, "no half-made sum is left behind");
}

Test(money, refuses_to_subtract_dollars_from_euros)
{
    money difference;
    int rc = money_subtract(&difference, money_make(in("EUR"), 200), money_make(in("USD"), 100));
    cr_assert_eq(rc, SHOP_EINVALID);
    cr_assert_str_eq(shop_error_message(),
                     "cannot subtract 1.00 USD from 2.00 EUR: currencies differ");
}

Test(money, subtracts_into_the_negative)
{
    money difference;
    cr_assert_eq(
        money_subtract(&difference, money_make(in("EUR"), 100), money_make(in("EUR"), 250)), 0);
    cr_assert_eq(difference.minor, -150);
}

Test(money, adds_up_to_the_largest_amount_exactly)
{
    money sum;
    cr_assert_eq(money_add(&sum, money_make(in("EUR"), INT64_MAX - 1), money_make(in("EUR"), 1)),
                 0);
    cr_assert_eq(sum.minor, INT64_MAX);
}

Test(money, refuses_a_sum_past_the_largest_amount)
{
    money sum;
    cr_assert_eq(money_add(&sum, money_make(in("EUR"), INT64_MAX), money_make(in("EUR"), 1)),
                 SHOP_EOVERFLOW);
    cr_assert_str_eq(shop_error_message(),
                     "92233720368547758.07 EUR + 0.01 EUR is out of range for EUR");
    cr_assert_null(sum.currency);
}

Test(money, refuses_a_sum_past_the_smallest_amount)
{
    money sum;
    cr_assert_eq(money_add(&sum, money_make(in("EUR"), INT64_MIN), money_make(in("EUR"), -1)),
                 SHOP_EOVERFLOW);
}

Test(money, refuses_a_difference_out_of_range)
{
    money difference;
    cr_assert_eq(
        money_subtract(&difference, money_make(in("EUR"), INT64_MIN), money_make(in("EUR"), 1)),
        SHOP_EOVERFLOW);
    /* 0 - INT64_MIN would be INT64_MAX + 1. */
    cr_assert_eq(
        money_subtract(&difference, money_zero(in("EUR")), money_make(in("EUR"), INT64_MIN)),
        SHOP_EOVERFLOW);
    cr_assert_eq(
        money_subtract(&difference, money_make(in("EUR"), -1), money_make(in("EUR"), INT64_MAX)),
        0);
    cr_assert_eq(difference.minor, INT64_MIN);
}

Test(money, multiplies_a_unit_price_by_a_quantity)
{
    money total;
    cr_assert_eq(money_multiply(&total, money_make(in("EUR"), 1250), 3), 0);
    cr_assert_eq(total.minor, 3750);
    cr_assert_str_eq(total.currency->code, "EUR");
    /* The largest price (999999.99) times the largest quantity (999). */
    cr_assert_eq(money_multiply(&total, money_make(in("EUR"), 99999999), 999), 0);
    cr_assert_eq(total.minor, INT64_C(99899999001));
}

Test(money, multiplies_by_zero_and_by_negative_factors)
{
    money total;
    cr_assert_eq(money_multiply(&total, money_make(in("EUR"), 1250), 0), 0);
    cr_assert_eq(total.minor, 0);
    cr_assert_eq(money_multiply(&total, money_make(in("EUR"), 1250), -2), 0);
    cr_assert_eq(total.minor, -2500);
}

Test(money, reaches_the_smallest_amount_by_multiplying_exactly)
{
    money total;
    /* 2^62 * -2 = -2^63 = INT64_MIN: fits. */
    cr_assert_eq(money_multiply(&total, money_make(in("EUR"), INT64_C(4611686018427387904)), -2),
                 0);
    cr_assert_eq(total.minor, INT64_MIN);
}

Test(money, refuses_a_product_out_of_range)
{
    money total;
    /* 2^62 * 2 = 2^63 = INT64_MAX + 1. */
    cr_assert_eq(money_multiply(&total, money_make(in("EUR"), INT64_C(4611686018427387904)), 2),
                 SHOP_EOVERFLOW);
    cr_assert_eq(money_multiply(&total, money_make(in("EUR"), INT64_MAX), 2), SHOP_EOVERFLOW);
    cr_assert_eq(money_multiply(&total, money_make(in("EUR"), INT64_MIN), -1), SHOP_EOVERFLOW);
    cr_assert_eq(money_multiply(&total, money_make(in("EUR"), -1), INT64_MIN), SHOP_EOVERFLOW);
    /* 1250 * 10^16 = 1.25 * 10^19 > INT64_MAX (about 9.22 * 10^18). */
    cr_assert_eq(money_multiply(&total, money_make(in("EUR"), 1250), INT64_C(10000000000000000)),
                 SHOP_EOVERFLOW);
    cr_assert_str_eq(shop_error_message(), "12.50 EUR x 10000000000000000 is out of range for EUR");
}

/* ---- comparing ---- */

Test(money, orders_amounts_of_one_currency)
{
    int order = 99;
    cr_assert_eq(money_compare(&order, money_make(in("EUR"), 100), money_make(in("EUR"), 200)), 0);
    cr_assert_eq(order, -1);
    cr_assert_eq(money_compare(&order, money_make(in("EUR"), 200), money_make(in("EUR"), 100)), 0);
    cr_assert_eq(order, 1);
    cr_assert_eq(money_compare(&order, money_make(in("EUR"), 100), money_make(in("EUR"), 100)), 0);
    cr_assert_eq(order, 0);
    cr_assert_eq(
        money_compare(&order, money_make(in("EUR"), INT64_MIN), money_make(in("EUR"), INT64_MAX)),
        0);
    cr_assert_eq(order, -1);
}

Test(money, refuses_to_compare_euros_with_dollars)
{
    int order = 99;
    cr_assert_eq(money_compare(&order, money_make(in("EUR"), 100), money_make(in("USD"), 100)),
                 SHOP_EINVALID);
    cr_assert_str_eq(shop_error_message(),
                     "cannot compare 1.00 EUR with 1.00 USD: currencies differ");
    cr_assert_eq(order, 0);
}

Test(money, is_equal_only_in_the_same_currency)
{
    cr_assert(money_equal(money_make(in("EUR"), 100), parsed("1.00 EUR", NULL)));
    cr_assert_not(money_equal(money_make(in("EUR"), 100), money_make(in("USD"), 100)));
    cr_assert_not(money_equal(money_make(in("EUR"), 100), money_make(in("EUR"), 101)));
}

Test(money, knows_zero_positive_and_negative)
{
    money zero = money_zero(in("EUR"));
    cr_assert_eq(zero.minor, 0);
    cr_assert_str_eq(zero.currency->code, "EUR");
    cr_assert(money_is_zero(zero));
    cr_assert_not(money_is_positive(zero));
    cr_assert_not(money_is_negative(zero));

    cr_assert(money_is_positive(money_make(in("EUR"), 1)));
    cr_assert_not(money_is_zero(money_make(in("EUR"), 1)));
    cr_assert(money_is_negative(money_make(in("EUR"), -1)));
    cr_assert_not(money_is_positive(money_make(in("EUR"), -1)));
}
