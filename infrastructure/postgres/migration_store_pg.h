/*
 * infrastructure/postgres/migration_store_pg.h — the PostgreSQL adapter of the
 * migration-store port (application/operations/migration.h).
 * Read next: migration_store_pg.c
 */
#ifndef SHOP_INFRASTRUCTURE_POSTGRES_MIGRATION_STORE_PG_H
#define SHOP_INFRASTRUCTURE_POSTGRES_MIGRATION_STORE_PG_H

#include "application/operations/migration.h"

#include <libpq-fe.h>

/* The store borrows conn; the caller closes it after migration_store_free(). */
int migration_store_pg_new(struct migration_store **out, PGconn *conn);

#endif
