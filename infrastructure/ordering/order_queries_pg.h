/*
 * infrastructure/ordering/order_queries_pg.h — which orders exist, from PostgreSQL.
 *
 * The adapter of the order-queries port (application/ordering/order_queries.h) on the
 * Ordering event store's table: an order exists when its stream has an OrderPlaced event
 * at version 1.  One parameterised query, newest first, LIMIT max.
 * Read next: infrastructure/ordering/order_queries_pg.c
 */
#ifndef SHOP_INFRASTRUCTURE_ORDERING_ORDER_QUERIES_PG_H
#define SHOP_INFRASTRUCTURE_ORDERING_ORDER_QUERIES_PG_H

#include "application/ordering/order_queries.h"

#include <libpq-fe.h>

/* conn: borrowed, connected as shop_ordering (or a role that may read ordering.events). */
int order_queries_pg_new(struct order_queries **out, PGconn *conn);

#endif
