/*
 * infrastructure/inventory/inventory_messages.h — Inventory's published language: what
 * it tells the others, as the integration events of docs/contracts/events/.
 *
 * Pattern: a translator at the edge of a context.  The reservation and the stock item
 * stay Inventory's own structs; what leaves is JSON the schemas fix (schema version 1):
 *   inventory.StockReserved            {"order_id", "lines", "reserved_at"}
 *   inventory.StockReservationRejected {"order_id", "reason", "rejected_at"}
 *   inventory.ReservationReleased      {"order_id", "lines", "released_at"}
 *   inventory.ReservationCommitted     {"order_id", "lines", "committed_at"}
 *       on the stream "order-<order_id>" (the saga's: one order's commands and replies
 *       stay in order); lines [{"sku", "quantity"}], [] when nothing was released or
 *       committed;
 *   inventory.StockReceived            {"sku", "quantity", "on_hand", "received_at"}
 *       on the stream "stock-<SKU>".
 * Times are RFC 3339 UTC with microseconds.  tests/unit/published_language_test.c holds
 * these encoders to the golden examples.
 * Read next: inventory_commands.h (who sends the replies), docs/contracts/events/README.md
 */
#ifndef SHOP_INFRASTRUCTURE_INVENTORY_INVENTORY_MESSAGES_H
#define SHOP_INFRASTRUCTURE_INVENTORY_INVENTORY_MESSAGES_H

#include "application/messaging/message.h"
#include "domain/inventory/inventory.h"

#include <stddef.h>
#include <stdint.h>

#define INVENTORY_STOCK_RESERVED             "inventory.StockReserved"
#define INVENTORY_STOCK_RESERVATION_REJECTED "inventory.StockReservationRejected"
#define INVENTORY_RESERVATION_RELEASED       "inventory.ReservationReleased"
#define INVENTORY_RESERVATION_COMMITTED      "inventory.ReservationCommitted"
#define INVENTORY_STOCK_RECEIVED             "inventory.StockReceived"
#define INVENTORY_SCHEMA_VERSION             1

/*
 * Each fills *out (type, version, stream, payload malloc'd: outgoing_message_dispose)
 * with meta's ids (may be NULL: none).  at_us is the time the payload names.
 * SHOP_EINVALID for a time before 1970 or a type that is not one of the lines replies.
 */

/* StockReserved, ReservationReleased or ReservationCommitted (type): the n lines. */
int inventory_message_lines(struct outgoing_message *out, const char *type, shop_uuid order_id,
                            const reservation_line *lines, size_t n, int64_t at_us,
                            const struct message_meta *meta);

/* StockReservationRejected: reason "out of stock: SKU X". */
int inventory_message_rejected(struct outgoing_message *out, shop_uuid order_id, const char *reason,
                               int64_t at_us, const struct message_meta *meta);

/* StockReceived: units received, item the stock after them. */
int inventory_message_received(struct outgoing_message *out, const stock_item *item, int64_t units,
                               int64_t at_us, const struct message_meta *meta);

#endif
