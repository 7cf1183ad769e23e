/*
 * infrastructure/messaging/reply.h — the envelope of a reply to a command that came over the
 * bus: its message id, derived from the command's, and the ids it carries on
 * (docs/architecture.md §10, the saga of §3).
 *
 * Pattern: deterministic message ids (idempotent publishing).  A participant of the
 * fulfilment saga (Inventory, Payments, Shipping) answers every command with one reply.
 * Handled again — `shop dlq replay`, a consumer that crashed after its handler but before
 * its commit — the same command must publish the same reply, not a second one: so the
 * reply's id is not drawn at random but named after what it answers, a UUID of version 8
 * (RFC 9562 §5.8, the name-based example of its appendix B.2) made of the first 128 bits
 * of SHA-256(command message id ‖ reply type), and the bus (unique message_id) keeps it
 * once.
 *
 * The reply carries the command's correlation id (the order), has the command as its
 * cause, and carries its traceparent, so `shop trace` draws command → reply as one path.
 * Read next: infrastructure/inventory/inventory_commands.c (a participant)
 */
#ifndef SHOP_INFRASTRUCTURE_MESSAGING_REPLY_H
#define SHOP_INFRASTRUCTURE_MESSAGING_REPLY_H

#include "application/messaging/message.h"
#include "domain/shared/uuid.h"

#include <stddef.h>
#include <stdint.h>

/* The version 8 id of the reply of type reply_type ("inventory.StockReserved") to the
 * command whose message id is command_id: the same for the same two, always. */
shop_uuid message_reply_id(shop_uuid command_id, const char *reply_type);

/* The ids of that reply: message id as above, correlation = the command's, causation =
 * the command's message id, traceparent = the command's. */
void message_reply_meta(struct message_meta *out, const struct message *command,
                        const char *reply_type);

#endif
