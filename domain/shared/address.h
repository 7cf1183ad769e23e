/*
 * domain/shared/address.h — where an order goes: ShipTo and Postcode.
 *
 * Pattern: shared kernel / value objects.  Ordering records them, Shipping hands them to
 * the carrier; both read the same two types.
 *
 *   ShipTo   — the address lines as the customer wrote them: 1 to 200 characters, counted
 *              as Unicode code points of valid UTF-8 ("Müllerstraße 5" is 14, not 16), with
 *              no control characters (no newlines, tabs, C1 controls), so it prints on one
 *              line, and not all spaces.  Kept as written; 200 code points take at most 800 bytes.
 *   Postcode — 1 to 10 characters of A-Z, 0-9, '-' and space, not all spaces; lower-case
 *              input is upper-cased ("sw1a 1aa" is "SW1A 1AA").  Whether the carrier
 *              delivers there ("00000" is undeliverable) is Shipping's business, not a
 *              rule of the value.
 *
 * Both are held in their structs (no heap); pass them by const pointer.
 * Read next: domain/shared/uuid.h.
 */
#ifndef SHOP_DOMAIN_SHARED_ADDRESS_H
#define SHOP_DOMAIN_SHARED_ADDRESS_H

#include <stdbool.h>

#define SHIP_TO_MAX_CHARACTERS 200
#define SHIP_TO_MAX_BYTES      (SHIP_TO_MAX_CHARACTERS * 4) /* UTF-8 needs at most 4 per code point */

typedef struct ship_to {
    char text[SHIP_TO_MAX_BYTES + 1]; /* valid UTF-8, NUL-terminated */
} ship_to;

/*
 * SHOP_EINVALID, one message per rule: "ship-to must be 1-200 characters, got 201",
 * "ship-to must be valid UTF-8, got byte 0xFF at byte 7", "ship-to must not contain
 * control characters, got U+000A at character 12".
 */
int ship_to_parse(ship_to *out, const char *text);

bool ship_to_equal(const ship_to *a, const ship_to *b);

#define POSTCODE_MAX_LENGTH 10

typedef struct postcode {
    char code[POSTCODE_MAX_LENGTH + 1]; /* upper case, NUL-terminated */
} postcode;

/* SHOP_EINVALID: postcode must be 1-10 characters of A-Z, 0-9, '-' and space, ... */
int postcode_parse(postcode *out, const char *text);

bool postcode_equal(const postcode *a, const postcode *b);

#endif
