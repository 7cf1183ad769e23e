/*
 * infrastructure/shipping/shipping_messages.h — what Shipping tells the others: its
 * replies to the fulfilment saga, as the integration events of docs/contracts/events/.
 *
 * Pattern: a translator at the edge of a context.  The Shipment aggregate and its domain
 * events stay in Shipping's event store (with the carrier's booking and tracking
 * number); what leaves is JSON the schemas fix (schema version 1), on the order's stream
 * "order-<order_id>":
 *   shipping.ShipmentScheduled {"order_id", "scheduled_at"}
 *   shipping.ShipmentRejected  {"order_id", "reason", "rejected_at"}   reason "undeliverable"
 *   shipping.ShipmentCancelled {"order_id", "cancelled_at"}
 * Times RFC 3339 UTC with microseconds.  tests/unit/published_language_test.c holds the
 * encoder to the golden examples.
 * Read next: shipping_commands.h
 */
#ifndef SHOP_INFRASTRUCTURE_SHIPPING_SHIPPING_MESSAGES_H
#define SHOP_INFRASTRUCTURE_SHIPPING_SHIPPING_MESSAGES_H

#include "application/messaging/message.h"
#include "domain/shared/uuid.h"

#include <stdint.h>

#define SHIPPING_SHIPMENT_SCHEDULED "shipping.ShipmentScheduled"
#define SHIPPING_SHIPMENT_REJECTED  "shipping.ShipmentRejected"
#define SHIPPING_SHIPMENT_CANCELLED "shipping.ShipmentCancelled"
#define SHIPPING_SCHEMA_VERSION     1

/*
 * The reply of `type` (one of the three) into *out (payload malloc'd:
 * outgoing_message_dispose), with meta's ids (may be NULL).  reason is read for
 * ShipmentRejected only; at_us is the time the payload names.  SHOP_EINVALID for another
 * type or a time before 1970.
 */
int shipping_message_reply(struct outgoing_message *out, const char *type, shop_uuid order_id,
                           const char *reason, int64_t at_us, const struct message_meta *meta);

#endif
