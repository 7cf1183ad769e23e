/*
 * infrastructure/memory/product_repository_memory.h — Catalog's products held in memory.
 *
 * Pattern: the in-memory twin of an adapter (hexagonal architecture).  It keeps the same
 * promises as the PostgreSQL repository — versions, conflicts, SKU order — because it
 * runs the same contract suite (tests/contract/product_repository_contract.c), so tests
 * of the command handlers can use it in place of a database.
 * Read next: infrastructure/catalog/product_repository_pg.c, the real one.
 */
#ifndef SHOP_INFRASTRUCTURE_MEMORY_PRODUCT_REPOSITORY_MEMORY_H
#define SHOP_INFRASTRUCTURE_MEMORY_PRODUCT_REPOSITORY_MEMORY_H

#include "application/catalog/product_repository.h"

/* An empty catalogue.  Free it with product_repository_free. */
int product_repository_memory_new(struct product_repository **out);

#endif
