/*
 * domain/shared/currency.h — ISO 4217 currencies and their minor units (shared kernel).
 *
 * Pattern: shared kernel / value objects.  A currency is reference data, not something a
 * user creates: the only currencies that exist are the entries of one static, sorted,
 * immutable table (currency.c), and the only way to get one is to look it up by its code.
 * A `const currency *` therefore never dangles and two of them are the same currency
 * exactly when the pointers are equal; Money (money.h) relies on both.
 *
 *     const currency *eur;
 *     if (currency_find(&eur, "EUR") < 0)
 *         return shop_error_code();        (the message says: unknown currency "...")
 *     eur->exponent == 2                   (1 EUR = 100 minor units, cents)
 *
 * Read next: domain/shared/money.h, the value object that carries a currency.
 */
#ifndef SHOP_DOMAIN_SHARED_CURRENCY_H
#define SHOP_DOMAIN_SHARED_CURRENCY_H

#include <stddef.h>
#include <stdint.h>

typedef struct currency {
    char code[4]; /* the alphabetic code, three upper-case letters: "EUR" */
    int exponent; /* ISO's "minor unit": decimals after the point, 0, 2, 3 or 4 */
} currency;

/*
 * Looks up an ISO 4217 code, case-sensitively ("EUR", never "eur").  On success *out
 * points into the static table (borrowed, valid for the life of the program).  Unknown
 * codes are SHOP_EINVALID: unknown currency "XYZ" (ISO 4217 code expected).
 */
int currency_find(const currency **out, const char *code);

/* The whole table, sorted by code, and its length in *out_count: for listings and tests. */
const currency *currency_table(size_t *out_count);

/* Minor units in one major unit: 10 to the exponent (100 for EUR, 1 for JPY). */
int64_t currency_minor_per_major(const currency *c);

#endif
