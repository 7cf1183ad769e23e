/*
 * infrastructure/messaging/outbox_pg.h — writes one integration event into a context's
 * outbox table (<context>.outbox, shop_ddl.create_outbox in migration 0007), on the
 * caller's connection and so in the caller's transaction: the transactional outbox of a
 * handler that changes state and answers in one commit (the saga's participants,
 * infrastructure/inventory/inventory_commands.c and its siblings).
 *
 * The same message id written twice is kept once (ON CONFLICT DO NOTHING): a reply
 * written again after a replay is the same reply, and the bus would keep it once anyway.
 * Catalog writes its outbox in the statement that saves a product instead
 * (product_repository_pg.c): one round trip, where it matters.
 * Read next: relay.h (what moves the rows to the bus)
 */
#ifndef SHOP_INFRASTRUCTURE_MESSAGING_OUTBOX_PG_H
#define SHOP_INFRASTRUCTURE_MESSAGING_OUTBOX_PG_H

#include "application/messaging/message.h"

#include <libpq-fe.h>

/* Inserts m into <context>.outbox (context: [a-z]{1,32}, written in the code, never
 * input).  0, SHOP_EINVALID for a bad context name, or the mapped database error. */
int outbox_pg_write(PGconn *conn, const char *context, const struct outgoing_message *m);

#endif
