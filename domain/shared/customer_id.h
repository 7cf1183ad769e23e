/*
 * domain/shared/customer_id.h — CustomerId: who places an order.
 *
 * Pattern: shared kernel / value objects.  The shop does not own customers (another
 * system would), so it accepts their ids as opaque text within bounds: 1 to 64 printable
 * ASCII characters (0x20 ' ' to 0x7E '~'), not all spaces.  Control characters and anything outside
 * ASCII are refused, so an id is always safe to print on one line, log and put in a URL path after
 * escaping.  Held in the struct (no heap); pass by const pointer.
 *
 * Read next: domain/shared/address.h.
 */
#ifndef SHOP_DOMAIN_SHARED_CUSTOMER_ID_H
#define SHOP_DOMAIN_SHARED_CUSTOMER_ID_H

#include <stdbool.h>

#define CUSTOMER_ID_MAX_LENGTH 64

typedef struct customer_id {
    char text[CUSTOMER_ID_MAX_LENGTH + 1]; /* exactly as given, NUL-terminated */
} customer_id;

/* SHOP_EINVALID: customer id must be 1-64 printable ASCII characters, got "a\x01b". */
int customer_id_parse(customer_id *out, const char *text);

bool customer_id_equal(const customer_id *a, const customer_id *b);

#endif
