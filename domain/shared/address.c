/*
 * domain/shared/address.c — ShipTo and Postcode (shared kernel / value objects).
 * ShipTo walks its text once with text_utf8_decode, checking each code point as it
 * counts it; Postcode shares its character rule with the SKU (text_copy_upper_code).
 * Read next: domain/shared/uuid.c.
 */
#include "domain/shared/address.h"

#include "domain/shared/error.h"
#include "domain/shared/text.h"

#include <stdint.h>
#include <string.h>

int ship_to_parse(ship_to *out, const char *text)
{
    size_t characters = 0;
    const char *p;

    out->text[0] = '\0';
    text = text ? text : "";
    for (p = text; *p; characters++) {
        uint32_t cp;
        size_t len = text_utf8_decode(&cp, p);
        if (len == 0)
            return shop_error_set(SHOP_EINVALID,
                                  "ship-to must be valid UTF-8, got byte 0x%02X at byte %zu",
                                  (unsigned)(unsigned char)*p, (size_t)(p - text) + 1);
        if (text_is_control(cp))
            return shop_error_set(SHOP_EINVALID,
                                  "ship-to must not contain control characters, got U+%04X at "
                                  "character %zu",
                                  (unsigned)cp, characters + 1);
        p += len;
    }
    if (characters == 0 || characters > SHIP_TO_MAX_CHARACTERS)
        return shop_error_set(SHOP_EINVALID, "ship-to must be 1-%d characters, got %zu",
                              SHIP_TO_MAX_CHARACTERS, characters);
    /* No control characters are left, so spaces are the only blanks to look for. */
    if (strspn(text, " ") == (size_t)(p - text))
        return shop_error_set(SHOP_EINVALID, "ship-to must not be blank");
    /* At most 200 code points of at most 4 bytes each: it fits. */
    memcpy(out->text, text, (size_t)(p - text) + 1);
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
