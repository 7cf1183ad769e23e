/*
 * infrastructure/ordering/price_list_subscription.h — the subscription
 * "ordering.price-list": Catalog's price events, kept in Ordering's replica
 * ordering.prices (event-carried state transfer; docs/patterns/event-driven.md).
 *
 * It handles catalog.ProductAdded and catalog.PriceChanged (docs/contracts/events/) on
 * the consumer's connection, inside the consumer's transaction (consumer.h: the inbox
 * row and the checkpoint commit with it):
 *   - the row of the SKU is written only if the message's catalog_version is newer than
 *     the one it has: an older message that comes late, or a message handled again,
 *     changes nothing (so it is idempotent even without the inbox);
 *   - a payload that breaks its schema — not a JSON object, a price without a currency,
 *     a catalog_version that is not an integer of 1 or more, a lower-case SKU, a schema
 *     version this code does not know — is SHOP_EINVALID: it can never be handled, and the
 *     consumer dead-letters it at once;
 *   - a database error is returned as it is (SHOP_EUNAVAILABLE...): tried again later.
 * Ordering reads the published language itself, from the JSON: it includes nothing of
 * Catalog's code.
 * Read next: price_list_subscription.c, price_list_replica_pg.h (the reading side)
 */
#ifndef SHOP_INFRASTRUCTURE_ORDERING_PRICE_LIST_SUBSCRIPTION_H
#define SHOP_INFRASTRUCTURE_ORDERING_PRICE_LIST_SUBSCRIPTION_H

#include "application/messaging/message.h"
#include "infrastructure/messaging/consumer.h"

#include <libpq-fe.h>

#define PRICE_LIST_SUBSCRIBER "ordering.price-list"

/* name PRICE_LIST_SUBSCRIBER, inbox ordering.inbox, the two catalog types; its handler's
 * ctx is the consumer's connection. */
extern const struct subscription price_list_subscription;

/* The handler on conn (as shop_ordering), for tests that call it directly: 0,
 * SHOP_EINVALID, or a database error. */
int price_list_subscription_handle(PGconn *conn, const struct message *m);

#endif
