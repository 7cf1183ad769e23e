/*
 * domain/shared/sku.c — Sku (shared kernel / value objects).
 * The character rule is text_copy_upper_code's, shared with the postcode.
 * Read next: domain/shared/customer_id.c.
 */
#include "domain/shared/sku.h"

#include "domain/shared/error.h"
#include "domain/shared/text.h"

#include <string.h>

/* The rule as a user reads it; keep the number in step with SKU_MAX_LENGTH. */
#define SKU_RULE "SKU must be 1-32 characters of A-Z, 0-9 and '-'"
_Static_assert(SKU_MAX_LENGTH == 32, "SKU_RULE names the maximum length");

int sku_parse(sku *out, const char *text)
{
    char quoted[TEXT_QUOTE_SIZE];

    text = text ? text : "";
    if (text_copy_upper_code(out->code, SKU_MAX_LENGTH, text, "-"))
        return 0;
    /* Too long but otherwise plain: the count says more than 33 characters quoted back. */
    size_t len = strlen(text);
    if (len > SKU_MAX_LENGTH && text_is_printable_ascii(text))
        return shop_error_set(SHOP_EINVALID, "%s, got %zu characters", SKU_RULE, len);
    return shop_error_set(SHOP_EINVALID, "%s, got \"%s\"", SKU_RULE, text_quote(quoted, text));
}

bool sku_equal(const sku *a, const sku *b)
{
    return strcmp(a->code, b->code) == 0;
}

int sku_compare(const sku *a, const sku *b)
{
    return strcmp(a->code, b->code);
}
