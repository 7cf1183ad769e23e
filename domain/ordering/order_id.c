/*
 * domain/ordering/order_id.c — OrderId and the name of an order's event stream.
 *
 * Pattern: value object.  An order id is a UUID (domain/shared/uuid.h) wearing the
 * Ordering context's name, so that a function taking an order_id cannot be handed a
 * payment's id by mistake.  Its stream is "order-<uuid>", always in lower case, so that
 * "0190A6F4-..." and "0190a6f4-..." typed by a user find the same events.
 * Read next: domain/ordering/order.c, the aggregate this id names.
 */
#include "domain/ordering/order.h"

#include "domain/shared/error.h"
#include "domain/shared/text.h"

#include <string.h>

#define ORDER_STREAM_PREFIX "order-"
_Static_assert(sizeof ORDER_STREAM_PREFIX - 1 + UUID_STRING_SIZE == ORDER_STREAM_ID_SIZE,
               "ORDER_STREAM_ID_SIZE holds the prefix, the UUID and the NUL");

const char *order_stream_id(char out[ORDER_STREAM_ID_SIZE], order_id id)
{
    memcpy(out, ORDER_STREAM_PREFIX, sizeof ORDER_STREAM_PREFIX - 1);
    uuid_format(out + sizeof ORDER_STREAM_PREFIX - 1, id.uuid);
    return out;
}

int order_id_parse(order_id *out, const char *text)
{
    char quoted[TEXT_QUOTE_SIZE];

    memset(out, 0, sizeof *out);
    /* uuid_parse's own message says "UUID must ..."; this one says which id was wrong. */
    if (uuid_parse(&out->uuid, text) < 0)
        return shop_error_set(SHOP_EINVALID,
                              "order id \"%s\" is not a UUID (8-4-4-4-12 hex digits)",
                              text_quote(quoted, text));
    return 0;
}
