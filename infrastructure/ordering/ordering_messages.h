/*
 * infrastructure/ordering/ordering_messages.h — Ordering's published language: the
 * order events other contexts need, as integration events (docs/contracts/events/).
 *
 * Pattern: a translator at the edge of a context.  Ordering's event store keeps its
 * domain events in its own codec's shapes (order_codec.c: times as microseconds, old
 * schema versions upcast on read); what the other contexts read is the published
 * language, whose shapes the JSON Schemas fix:
 *   ordering.OrderPlaced     v1 {"order_id", "customer", "ship_to", "postcode",
 *                                "lines": [{"sku", "quantity", "unit_price", "line_total"}],
 *                                "total", "placed_at", "card"}
 *   ordering.OrderConfirmed  v1 {"order_id", "confirmed_at"}
 *   ordering.OrderCancelled  v1 {"order_id", "reason", "cancelled_at"}
 * on the stream "order-<order id>", times in RFC 3339 UTC with microseconds.  The
 * message keeps the domain event's ids (message id, correlation id = the order, causation,
 * traceparent): the integration event is the same fact, told to the others.
 * The relay of Ordering's event store (infrastructure/messaging/relay.h,
 * RELAY_EVENT_STORE) calls ordering_messages_translate for each event it reads;
 * tests/unit/published_language_test.c checks the payloads against the golden examples.
 * Read next: ordering_messages.c, docs/contracts/events/README.md
 */
#ifndef SHOP_INFRASTRUCTURE_ORDERING_ORDERING_MESSAGES_H
#define SHOP_INFRASTRUCTURE_ORDERING_ORDERING_MESSAGES_H

#include "application/eventstore/event_store.h"
#include "application/messaging/message.h"
#include "domain/ordering/order.h"

#include <stdbool.h>

#define ORDERING_ORDER_PLACED    "ordering.OrderPlaced"
#define ORDERING_ORDER_CONFIRMED "ordering.OrderConfirmed"
#define ORDERING_ORDER_CANCELLED "ordering.OrderCancelled"
#define ORDERING_SCHEMA_VERSION  1

/*
 * The integration event of one order event, with meta's ids: *out filled, its payload
 * malloc'd (outgoing_message_dispose).  SHOP_EINVALID for an event that cannot be
 * written (a type this code does not know, money without a currency).
 */
int ordering_message_from_event(struct outgoing_message *out, const order_event *event,
                                const struct message_meta *meta);

/*
 * relay_translate_fn (infrastructure/messaging/relay.h) for Ordering's event store: an
 * OrderPlaced/OrderConfirmed/OrderCancelled of any schema version the codec reads
 * (order_codec.c upcasts the old ones) becomes its ordering.* message (*publish true);
 * an event of another type stays inside (*publish false).  Stored data the codec cannot
 * read is SHOP_EINTERNAL naming the stream and version (the relay stops there: a context
 * must translate what it wrote).
 */
int ordering_messages_translate(const struct es_event *event, struct outgoing_message *out,
                                bool *publish);

#endif
