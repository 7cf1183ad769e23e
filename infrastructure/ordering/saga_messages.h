/*
 * infrastructure/ordering/saga_messages.h — the fulfilment saga's published language:
 * the commands it sends and the replies it hears (docs/contracts/events/, docs/
 * architecture.md §3).
 *
 * Pattern: a translator at the edge of the context (an anti-corruption layer both ways).
 * The commands, schema version 1, on the stream "order-<order id>":
 *   ordering.ReserveStock        {"order_id", "lines": [{"sku", "quantity"}]}
 *   ordering.ReleaseReservation  {"order_id"}
 *   ordering.CommitReservation   {"order_id"}
 *   ordering.AuthorizePayment    {"order_id", "payment_id", "amount", "card"}
 *   ordering.CapturePayment      {"order_id", "payment_id", "amount"}
 *   ordering.VoidPayment         {"order_id", "payment_id"}
 *   ordering.ScheduleShipment    {"order_id", "ship_to", "postcode"}
 *   ordering.CancelShipment      {"order_id"}
 * payment_id is the order id (one payment per order).  The message id of a command is
 * saga_command_message_id(order, command, attempt); the correlation id and traceparent
 * are those of the message that caused it, and its causation id is that message's id.
 *
 * What the saga hears: ordering.OrderPlaced (its "card"; absent: "tok_visa"),
 * ordering.OrderCancelled, and the participants' replies (inventory.StockReserved,
 * StockReservationRejected, ReservationReleased, ReservationCommitted; payments.
 * PaymentAuthorized, PaymentDeclined, PaymentCaptured, PaymentVoided; shipping.
 * ShipmentScheduled, ShipmentRejected, ShipmentCancelled).  Decoding is strict about the
 * members the saga relies on (the order id, a reason, the times' shape) and tolerant of
 * members it does not know.
 * Read next: saga_messages.c, fulfilment_subscription.c
 */
#ifndef SHOP_INFRASTRUCTURE_ORDERING_SAGA_MESSAGES_H
#define SHOP_INFRASTRUCTURE_ORDERING_SAGA_MESSAGES_H

#include "application/messaging/message.h"
#include "domain/ordering/fulfilment.h"

#include <stdbool.h>

#define SAGA_MESSAGE_SCHEMA_VERSION 1
#define SAGA_DEFAULT_CARD           "tok_visa"

/*
 * The outbox message of cmd, sent by saga: *out filled, its payload malloc'd
 * (outgoing_message_dispose).  SHOP_EINVALID for a command type this code does not know.
 */
int saga_message_from_command(struct outgoing_message *out, const fulfilment_saga *saga,
                              const struct saga_command *cmd, const struct message_meta *cause);

/* A message the saga hears, decoded.  input.card and input.reason point into this struct
 * (NULL when the message has none); input.now_us is left 0 (the service sets it). */
struct saga_message {
    order_id order;
    struct saga_input input;
    char card[SAGA_CARD_MAX + 1];
    char reason[ORDER_REASON_MAX + 1];
};

/* Whether the saga hears messages of this type ("inventory.StockReserved"). */
bool saga_message_is_heard(const char *type);

/*
 * Decodes m into *out.  SHOP_EINVALID (naming the type and the member) for a type the
 * saga does not hear, a schema version other than 1, or a payload that breaks the
 * published language: such a message can never be handled.
 */
int saga_message_decode(struct saga_message *out, const struct message *m);

#endif
