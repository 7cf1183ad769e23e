/*
 * domain/shared/quantity.h — Quantity: how many of one SKU an order line asks for.
 *
 * Pattern: shared kernel / value objects.  A quantity is an integer from 1 to 999; a
 * value that exists has passed that check, so code holding a `quantity` never re-checks
 * it.  Small and immutable: pass it by value.
 *
 *     quantity q;
 *     if (quantity_parse(&q, "3") < 0)      "quantity must be an integer from 1 to 999, ..."
 *         return shop_error_code();
 *
 * Codes: text that is not an integer is SHOP_EINVALID; an integer outside 1-999 (0, -1,
 * 1000) is SHOP_EOVERFLOW.  Read next: domain/shared/sku.h.
 */
#ifndef SHOP_DOMAIN_SHARED_QUANTITY_H
#define SHOP_DOMAIN_SHARED_QUANTITY_H

#include <stdint.h>

#define QUANTITY_MIN 1
#define QUANTITY_MAX 999

typedef struct quantity {
    int value; /* QUANTITY_MIN..QUANTITY_MAX */
} quantity;

/* From what a user typed: "3", "999".  Strict: no spaces, no '+', no "3.0", no "1e2". */
int quantity_parse(quantity *out, const char *text);

/* From an integer the program already has (a stored event, a JSON number). */
int quantity_make(quantity *out, int64_t value);

#endif
