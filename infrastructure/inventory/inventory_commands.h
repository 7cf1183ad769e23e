/*
 * infrastructure/inventory/inventory_commands.h — Inventory as a participant of the
 * fulfilment saga (docs/architecture.md §3): the subscription "inventory.commands" takes
 * Ordering's commands from the bus and answers each with exactly one reply.
 *
 *   ordering.ReserveStock        {"order_id", "lines"}  → inventory.StockReserved, or
 *                                inventory.StockReservationRejected "out of stock: SKU X"
 *                                (all lines or none: nothing reserved then)
 *   ordering.ReleaseReservation  {"order_id"}           → inventory.ReservationReleased
 *                                (its lines; [] when there was no reservation, or it was
 *                                released before)
 *   ordering.CommitReservation   {"order_id"}           → inventory.ReservationCommitted
 *                                (the units leave the shelf: on hand and reserved go down)
 *
 * Pattern: a message-driven adapter (a driving adapter, like the HTTP API) on the same
 * application service.  The consumer (infrastructure/messaging/consumer.h) runs the
 * handler inside its transaction; the unit of work nests in it as a savepoint
 * (unit_of_work_pg.c), and the reply is written to inventory.outbox on the same
 * connection, so the reservation, the reply and the inbox row commit together.
 *
 * Repeated: the same message again is stopped by the inbox; the same command again under
 * a new message id (a retry of the saga) answers from the reservation's state and changes
 * nothing twice.  The reply's id is derived from the command's (application/messaging/
 * reply.h), so a command handled again publishes the same reply id.
 * A command the reservation's state refuses and no reply can tell (committing a
 * reservation that does not exist or was released; releasing a committed one) never
 * succeeds on a retry: SHOP_EINVALID, a dead letter at once, with the reason (`shop dlq`).
 * Read next: inventory_commands.c, tests/integration/inventory_commands_test.c
 */
#ifndef SHOP_INFRASTRUCTURE_INVENTORY_INVENTORY_COMMANDS_H
#define SHOP_INFRASTRUCTURE_INVENTORY_INVENTORY_COMMANDS_H

#include "infrastructure/messaging/consumer.h"

#define INVENTORY_COMMANDS_SUBSCRIBER "inventory.commands"

#define ORDERING_RESERVE_STOCK       "ordering.ReserveStock"
#define ORDERING_RELEASE_RESERVATION "ordering.ReleaseReservation"
#define ORDERING_COMMIT_RESERVATION  "ordering.CommitReservation"

/* The subscription: name, inbox schema "inventory", the three types, the handler.  Its
 * open() takes no arg (NULL). */
extern const struct subscription inventory_commands_subscription;

#endif
