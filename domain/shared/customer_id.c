/*
 * domain/shared/customer_id.c — CustomerId (shared kernel / value objects).
 * Read next: domain/shared/address.c.
 */
#include "domain/shared/customer_id.h"

#include "domain/shared/error.h"
#include "domain/shared/text.h"

#include <string.h>

int customer_id_parse(customer_id *out, const char *text)
{
    char quoted[TEXT_QUOTE_SIZE];
    size_t len;

    out->text[0] = '\0';
    text = text ? text : "";
    len = strlen(text);
    if (len == 0 || !text_is_printable_ascii(text))
        return shop_error_set(SHOP_EINVALID,
                              "customer id must be 1-%d printable ASCII characters, got \"%s\"",
                              CUSTOMER_ID_MAX_LENGTH, text_quote(quoted, text));
    /* All ASCII now, so bytes are characters: the count in the message is exact. */
    if (len > CUSTOMER_ID_MAX_LENGTH)
        return shop_error_set(SHOP_EINVALID,
                              "customer id must be 1-%d printable ASCII characters, got %zu "
                              "characters",
                              CUSTOMER_ID_MAX_LENGTH, len);
    /* Spaces are printable, but an id of nothing else identifies nobody. */
    if (strspn(text, " ") == len)
        return shop_error_set(SHOP_EINVALID, "customer id must not be blank");
    memcpy(out->text, text, len + 1);
    return 0;
}

bool customer_id_equal(const customer_id *a, const customer_id *b)
{
    return strcmp(a->text, b->text) == 0;
}
