/*
 * domain/shared/quantity.c — Quantity 1-999 (shared kernel / value objects).
 * Both constructors end in quantity_make, so the range is checked in one place.
 * Read next: domain/shared/sku.c.
 */
#include "domain/shared/quantity.h"

#include "domain/shared/error.h"
#include "domain/shared/text.h"

#include <inttypes.h>

int quantity_parse(quantity *out, const char *text)
{
    char quoted[TEXT_QUOTE_SIZE];
    int64_t value;

    out->value = 0;
    /* text_parse_int64's own message is generic; this one names the rule. */
    int rc = text_parse_int64(&value, text ? text : "");
    if (rc == 0 && (value < QUANTITY_MIN || value > QUANTITY_MAX))
        rc = SHOP_EOVERFLOW;
    if (rc < 0)
        return shop_error_set(rc, "quantity must be an integer from %d to %d, got \"%s\"",
                              QUANTITY_MIN, QUANTITY_MAX, text_quote(quoted, text));
    return quantity_make(out, value);
}

int quantity_make(quantity *out, int64_t value)
{
    out->value = 0;
    if (value < QUANTITY_MIN || value > QUANTITY_MAX)
        return shop_error_set(SHOP_EOVERFLOW,
                              "quantity must be an integer from %d to %d, got %" PRId64,
                              QUANTITY_MIN, QUANTITY_MAX, value);
    out->value = (int)value;
    return 0;
}
