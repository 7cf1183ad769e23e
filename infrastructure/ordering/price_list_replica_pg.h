/*
 * infrastructure/ordering/price_list_replica_pg.h — Ordering's price list on its own
 * replica of Catalog's prices, the table ordering.prices (event-carried state transfer).
 *
 * Pattern: a driven adapter of the price-list port (application/ordering/price_list.h)
 * on a local read model that another context's events keep up to date.  Catalog
 * publishes catalog.ProductAdded and catalog.PriceChanged with the full new price (the
 * state travels in the event); the subscription "ordering.price-list"
 * (price_list_subscription.h) writes each into ordering.prices; placing an order reads
 * only that table.  So Ordering prices an order without asking Catalog, and keeps doing
 * so while Catalog is down; the price it uses is the newest one it has heard of (a change
 * reaches it after the relay and the consumer have moved it: eventual consistency).
 * Ordering's default price list (order_api.c); SHOP_PRICE_LIST=catalog-http chooses
 * price_list_http.c instead.
 * Read next: price_list_subscription.h, tests/contract/price_list_contract.c
 */
#ifndef SHOP_INFRASTRUCTURE_ORDERING_PRICE_LIST_REPLICA_PG_H
#define SHOP_INFRASTRUCTURE_ORDERING_PRICE_LIST_REPLICA_PG_H

#include "application/ordering/price_list.h"

#include <libpq-fe.h>
#include <stdint.h>

/* A price list reading ordering.prices on conn (borrowed: the service's, as
 * shop_ordering).  Free it with price_list_free. */
int price_list_replica_pg_new(struct price_list **out, PGconn *conn);

/*
 * The replica's row of a SKU: its price and the catalog_version it reflects (for GET
 * /prices/{sku}).  SHOP_ENOTFOUND "unknown SKU X" when Ordering has not heard of it;
 * SHOP_EUNAVAILABLE when the database is down.  list must come from
 * price_list_replica_pg_new.
 */
int price_list_replica_pg_lookup(struct price_list *list, money *out_price,
                                 int64_t *out_catalog_version, const sku *product);

#endif
