/*
 * infrastructure/shipping/shipping_commands.h — Shipping as a participant of the
 * fulfilment saga (docs/architecture.md §3): the subscription "shipping.commands" takes
 * Ordering's commands from the bus and answers each with exactly one reply.
 *
 *   ordering.ScheduleShipment {"order_id", "ship_to", "postcode"}
 *        → shipping.ShipmentScheduled, or shipping.ShipmentRejected "undeliverable" (the
 *          carrier does not deliver there: postcode 00000 at the simulator)
 *   ordering.CancelShipment   {"order_id"}
 *        → shipping.ShipmentCancelled (also when nothing was scheduled: nothing to cancel)
 *
 * Pattern: a message-driven adapter on the application service, as Payments'
 * (payment_commands.h): the shipment is named by its order, so a command repeated answers
 * from the shipment's state and books nothing twice (the carrier's idempotency key is
 * the second guard); the domain events go to the shipping event store and the reply to
 * shipping.outbox, in the consumer's transaction.  A carrier that does not answer
 * (SHOP_EUNAVAILABLE) records nothing: the consumer retries the command, for about two
 * minutes with shipping_commands_options.  A command the shipment's state refuses and no
 * reply can tell (scheduling a cancelled shipment, or one scheduled to another address)
 * is SHOP_EINVALID, a dead letter at once.
 * Read next: shipping_commands.c, tests/integration/shipping_commands_test.c
 */
#ifndef SHOP_INFRASTRUCTURE_SHIPPING_SHIPPING_COMMANDS_H
#define SHOP_INFRASTRUCTURE_SHIPPING_SHIPPING_COMMANDS_H

#include "infrastructure/messaging/consumer.h"

#define SHIPPING_COMMANDS_SUBSCRIBER "shipping.commands"

#define ORDERING_SCHEDULE_SHIPMENT "ordering.ScheduleShipment"
#define ORDERING_CANCEL_SHIPMENT   "ordering.CancelShipment"

/* The arg of the subscription's open(); NULL: the service's settings. */
struct shipping_commands_config {
    const char *carrier_url; /* NULL: service_url("carrier") */
    int carrier_timeout_ms;  /* 0: CARRIER_HTTP_DEFAULT_TIMEOUT_MS */
};

extern const struct subscription shipping_commands_subscription;

/* Retries for a carrier that is away: as payment_commands_options (30 attempts, 200 ms
 * doubling to a cap of 5 s: about two minutes before a dead letter). */
extern const struct consumer_options shipping_commands_options;

#endif
