/*
 * infrastructure/notifications/order_outcomes.h — the Notifications context's
 * subscription "notifications.order-outcomes": Ordering's integration events
 * ordering.OrderPlaced, ordering.OrderConfirmed and ordering.OrderCancelled, each turned
 * into one notification for the order's customer.
 *
 * Pattern: an event-driven subscriber with an anti-corruption layer.  The consumer
 * (infrastructure/messaging/consumer.h) delivers each message once per transaction, on
 * its own connection, and keeps its inbox; this file is what the subscriber brings:
 *   - order_outcomes_read, the reader of the published language
 *     (docs/contracts/events/ordering.*.v1): it takes from a payload only the fields a
 *     notification needs (a tolerant reader: other fields may come and go) and turns
 *     them into the context's own model, an order_update (domain/notifications/);
 *   - the handler, which calls the application service on the consumer's connection.
 * A payload that breaks the contract (not JSON, a field missing or of the wrong shape,
 * an unknown schema version) is SHOP_EINVALID: it can never be handled, and the consumer
 * dead-letters it at once.  An OrderConfirmed/OrderCancelled whose OrderPlaced has not
 * been handled yet cannot know the customer: SHOP_EUNAVAILABLE, and the consumer retries
 * it later.
 * Read next: order_outcomes.c, tests/integration/order_outcomes_test.c
 */
#ifndef SHOP_INFRASTRUCTURE_NOTIFICATIONS_ORDER_OUTCOMES_H
#define SHOP_INFRASTRUCTURE_NOTIFICATIONS_ORDER_OUTCOMES_H

#include "domain/notifications/notification.h"
#include "infrastructure/messaging/consumer.h" /* struct subscription, struct message */

#define ORDER_OUTCOMES_SUBSCRIBER "notifications.order-outcomes"

/* The subscription: name, inbox schema "notifications", the three types, the handler.
 * Its open() makes the notification log on the consumer's connection (arg unused). */
extern const struct subscription order_outcomes_subscription;

/* Reads one message of the three types into *out; SHOP_EINVALID naming the type and the
 * field for a message that breaks the contract. */
int order_outcomes_read(struct order_update *out, const struct message *m);

#endif
