/*
 * infrastructure/memory/inventory_memory.h — Inventory's in-memory twins: a stock
 * repository, a reservation repository and a unit of work over one shared store.
 *
 * Pattern: in-memory adapter (a test double with the real adapter's behaviour).  It keeps
 * the same promises as the PostgreSQL adapters — versions, SHOP_ECONFLICT for a stale
 * save, everything since begin undone by rollback — and runs the same contract suite
 * (tests/contract/inventory_store_contract.c).  Single-threaded.
 * Read next: infrastructure/inventory/stock_repository_pg.c
 */
#ifndef SHOP_INFRASTRUCTURE_MEMORY_INVENTORY_MEMORY_H
#define SHOP_INFRASTRUCTURE_MEMORY_INVENTORY_MEMORY_H

#include "application/inventory/reservation_repository.h"
#include "application/inventory/stock_repository.h"
#include "application/inventory/unit_of_work.h"

struct inventory_memory;

int inventory_memory_new(struct inventory_memory **out);
/* Frees the store; free the three ports first (they borrow it). */
void inventory_memory_free(struct inventory_memory *m);

/* The ports over m; each is freed with its own *_free and borrows m. */
struct stock_repository *inventory_memory_stock(struct inventory_memory *m);
struct reservation_repository *inventory_memory_reservations(struct inventory_memory *m);
struct unit_of_work *inventory_memory_unit_of_work(struct inventory_memory *m);

#endif
