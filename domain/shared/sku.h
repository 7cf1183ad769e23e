/*
 * domain/shared/sku.h — Sku: the stock-keeping unit that names a product everywhere.
 *
 * Pattern: shared kernel / value objects.  Catalog, Ordering and Inventory all say "SKU"
 * and mean the same thing, so the type lives in the shared kernel.  Rule (docs/cli.md): 1 to 32
 * characters of A-Z, 0-9 and '-'; lower-case input is upper-cased, so "abc-1" and "ABC-1"
 * are one product.  The text is held in the struct (no heap): copy it freely, pass it by
 * const pointer.
 *
 *     sku s;
 *     if (sku_parse(&s, argv[i]) < 0)       SKU must be 1-32 characters of A-Z, ...
 *         return shop_error_code();
 *     printf("%s\n", s.code);
 *
 * Read next: domain/shared/customer_id.h.
 */
#ifndef SHOP_DOMAIN_SHARED_SKU_H
#define SHOP_DOMAIN_SHARED_SKU_H

#include <stdbool.h>

#define SKU_MAX_LENGTH 32

typedef struct sku {
    char code[SKU_MAX_LENGTH + 1]; /* upper case, NUL-terminated */
} sku;

/* SHOP_EINVALID: SKU must be 1-32 characters of A-Z, 0-9 and '-', got "ab c". */
int sku_parse(sku *out, const char *text);

bool sku_equal(const sku *a, const sku *b);

/* strcmp order, for sorted listings: < 0, 0 or > 0. */
int sku_compare(const sku *a, const sku *b);

#endif
