/*
 * domain/shared/money.h — Money: an amount in integer minor units and its currency.
 *
 * Pattern: shared kernel / value objects.  Money is immutable and passed by value (16
 * bytes); every operation returns a new Money through `out`.  It is never a double: 12.50
 * EUR is 1250 cents, 1200 JPY is 1200 yen, 1.234 KWD is 1234 fils.  Three rules make it
 * safe to compute with:
 *   - nothing is rounded silently: "12.505 EUR" is refused, not turned into 12.50 or 12.51;
 *   - nothing overflows silently: every sum and product is checked (SHOP_EOVERFLOW);
 *   - currencies never mix: 1.00 USD + 2.00 EUR is refused (SHOP_EINVALID), never converted.
 *
 * The currency is held as a pointer into the static ISO 4217 table of currency.h: it is
 * borrowed from a table that lives as long as the program, so copying a Money copies a
 * complete value, and "same currency" is pointer equality.  A zero-initialised Money has
 * no currency and is not a valid value; make one with money_parse, money_make or
 * money_zero.
 *
 *     money price, total;
 *     if (money_parse(&price, "12.50", "EUR") < 0 || money_multiply(&total, price, 3) < 0)
 *         return shop_error_code();
 *     char text[MONEY_FORMAT_MAX];
 *     money_format(text, sizeof text, total);              "37.50 EUR"
 *
 * Read next: domain/shared/money.c; tests/unit/money_test.c shows every rule as a
 * scenario.  Then domain/shared/quantity.h, which a unit price is multiplied by.
 */
#ifndef SHOP_DOMAIN_SHARED_MONEY_H
#define SHOP_DOMAIN_SHARED_MONEY_H

#include "domain/shared/currency.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct money {
    int64_t minor;            /* the amount in minor units (cents, yen, fils) */
    const currency *currency; /* borrowed from the ISO 4217 table; NULL only if invalid */
} money;

/*
 * A buffer this size holds any money_format() result: the longest is
 * "-922337203685477.5808 CLF" or "-92233720368547758.08 EUR", 25 characters and the NUL.
 */
#define MONEY_FORMAT_MAX 32

/* ---- making money ---- */

/*
 * Parses "12.50", "12.50 EUR", "12 EUR", "0.5 EUR" (0.50) or "-3.10 USD":
 *     [-]DIGITS[.DIGITS][ CODE]
 * with exactly one space before an upper-case ISO 4217 code.  Without a code the amount
 * is in default_currency (which may be NULL to require a code).  Refused:
 *   - SHOP_EINVALID: junk, "", " 12", "12 ", "+12", "1e3", ".5", "12.", ".", "1,50",
 *     an unknown currency, and more decimals than the currency has:
 *     "12.505 EUR" says: EUR has 2 decimals, got "12.505" — never rounded;
 *   - SHOP_EOVERFLOW: amounts whose minor units do not fit int64_t.
 */
int money_parse(money *out, const char *text, const char *default_currency);

/* An amount already in minor units: money_make(eur, 1250) is 12.50 EUR. */
money money_make(const currency *c, int64_t minor);

/* Zero in a currency: the start of every sum. */
money money_zero(const currency *c);

/* ---- showing money ---- */

/*
 * Writes "12.50 EUR", "-0.05 EUR", "1200 JPY", "1.234 KWD": every decimal the currency
 * has, a '-' for negative amounts, the code after one space.  0, or SHOP_EOVERFLOW when
 * size is too small (use MONEY_FORMAT_MAX) and SHOP_EINVALID for a Money without a
 * currency; out is "" after a failure.
 */
int money_format(char *out, size_t size, money m);

/* The same without the currency code: "12.50". */
int money_format_amount(char *out, size_t size, money m);

/* ---- arithmetic: overflow-checked, never across currencies ---- */

/* *out = a + b.  "cannot add 1.00 USD to 2.00 EUR: currencies differ" is SHOP_EINVALID. */
int money_add(money *out, money a, money b);

/* *out = a - b.  Different currencies are SHOP_EINVALID. */
int money_subtract(money *out, money a, money b);

/* *out = m * factor (a unit price times a quantity).  Overflow is SHOP_EOVERFLOW. */
int money_multiply(money *out, money m, int64_t factor);

/* ---- comparing ---- */

/* *out = -1, 0 or 1 as a is less than, equal to or greater than b; SHOP_EINVALID (and
 * *out = 0) when their currencies differ: 1.00 USD is neither more nor less than 1.00 EUR. */
int money_compare(int *out, money a, money b);

/* Same currency and same amount. */
bool money_equal(money a, money b);

bool money_is_zero(money m);
bool money_is_positive(money m); /* > 0 */
bool money_is_negative(money m); /* < 0 */

#endif
