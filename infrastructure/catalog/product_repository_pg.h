/*
 * infrastructure/catalog/product_repository_pg.h — Catalog's products in PostgreSQL.
 *
 * The adapter of the product-repository port (application/catalog/product_repository.h)
 * on the table catalog.products (migration 0003_catalog.sql) and Catalog's outbox
 * catalog.outbox (0007_messaging.sql), written by the same statement; bound to one
 * connection (one connection per thread: never shared between threads).
 * Read next: product_repository_pg.c
 */
#ifndef SHOP_INFRASTRUCTURE_CATALOG_PRODUCT_REPOSITORY_PG_H
#define SHOP_INFRASTRUCTURE_CATALOG_PRODUCT_REPOSITORY_PG_H

#include "application/catalog/product_repository.h"

#include <libpq-fe.h>

/*
 * A repository on conn (borrowed: the caller closes it after product_repository_free).
 * Prepares its statements on conn: SHOP_EUNAVAILABLE if the database is unreachable or
 * not migrated, SHOP_EREFUSED if the connection's role may not read catalog.products.
 */
int product_repository_pg_new(struct product_repository **out, PGconn *conn);

#endif
