/*
 * domain/shared/address.c — ShipTo and Postcode (shared kernel / value objects).
 * ShipTo is one line a user typed (text_check_line: UTF-8, no control characters),
 * counted in code points; Postcode shares its character rule with the SKU (text_copy_upper_code).
 * Read next: domain/shared/uuid.c.
 */
#include "domain/shared/address.h"

#include "domain/shared/error.h"
#include "domain/shared/text.h"

#include <stdint.h>
#include <string.h>

int ship_to_parse(ship_to *out, const char *text)
{
    size_t characters, bytes;

    out->text[0] = '\0';
    text = text ? text : "";
    int rc = text_check_line(&characters, &bytes, "ship-to", text, 0);
    if (rc < 0)
        return rc;
    if (characters == 0 || characters > SHIP_TO_MAX_CHARACTERS)
        return shop_error_set(SHOP_EINVALID, "ship-to must be 1-%d characters, got %zu",
                              SHIP_TO_MAX_CHARACTERS, characters);
    /* No control characters are left, so spaces are the only blanks to look for. */
    if (strspn(text, " ") == bytes)
        return shop_error_set(SHOP_EINVALID, "ship-to must not be blank");
    /* At most 200 code points of at most 4 bytes each: it fits. */
    memcpy(out->text, text, bytes + 1);
    return 0;
}

bool ship_to_equal(const ship_to *a, const ship_to *b)
{
    return strcmp(a->text, b->text) == 0;
}

int postcode_parse(postcode *out, const char *text)
{
    char quoted[TEXT_QUOTE_SIZE];

    text = text ? text : "";
    /* Spaces are allowed between the parts ("SW1A 1AA"), but a postcode of only spaces
     * says nothing. */
    if (text_copy_upper_code(out->code, POSTCODE_MAX_LENGTH, text, "- ") &&
        strspn(out->code, " ") < strlen(out->code))
        return 0;
    out->code[0] = '\0';
    return shop_error_set(SHOP_EINVALID,
                          "postcode must be 1-%d characters of A-Z, 0-9, '-' and space, not "
                          "all spaces, got \"%s\"",
                          POSTCODE_MAX_LENGTH, text_quote(quoted, text));
}

bool postcode_equal(const postcode *a, const postcode *b)
{
    return strcmp(a->code, b->code) == 0;
}
