/*
 * application/inventory/stock_repository.h — the port through which Inventory keeps its
 * stock items (a repository of state rows with a version column: optimistic locking).
 *
 * load() gives an item and the version it was saved at; save() writes a new state only
 * if the stored version is still the one loaded, and moves the version on by one.  A
 * writer that lost the race gets SHOP_ECONFLICT and decides again on a fresh load, so an
 * update is never lost.  Adapters: infrastructure/inventory/stock_repository_pg.c and the
 * in-memory twin infrastructure/memory/inventory_memory.c, held to one contract
 * (tests/contract/inventory_store_contract.c).
 * Read next: reservation_repository.h, unit_of_work.h, inventory_service.h
 */
#ifndef SHOP_APPLICATION_INVENTORY_STOCK_REPOSITORY_H
#define SHOP_APPLICATION_INVENTORY_STOCK_REPOSITORY_H

#include "domain/inventory/inventory.h"

#include <stddef.h>
#include <stdint.h>

#define STOCK_REPOSITORY_VERSION 1

struct stock_repository {
    unsigned version; /* STOCK_REPOSITORY_VERSION */

    /* The SKU's stock and version; a SKU never saved is stock_item_init's state at
     * version 0 (not an error). */
    int (*load)(struct stock_repository *self, stock_item *out, int64_t *out_version, const sku *s);

    /* Saves item if it is still at expected_version (0: it must not exist yet); the
     * stored version becomes expected_version + 1.  SHOP_ECONFLICT otherwise. */
    int (*save)(struct stock_repository *self, const stock_item *item, int64_t expected_version);

    /* Every SKU with recorded stock, by SKU; *out is the caller's to free(). */
    int (*list)(struct stock_repository *self, stock_item **out, size_t *out_count);

    void (*free)(struct stock_repository *self);
};

static inline int stock_repository_load(struct stock_repository *r, stock_item *out,
                                        int64_t *out_version, const sku *s)
{
    return r->load(r, out, out_version, s);
}

static inline int stock_repository_save(struct stock_repository *r, const stock_item *item,
                                        int64_t expected_version)
{
    return r->save(r, item, expected_version);
}

static inline int stock_repository_list(struct stock_repository *r, stock_item **out,
                                        size_t *out_count)
{
    return r->list(r, out, out_count);
}

static inline void stock_repository_free(struct stock_repository *r)
{
    if (r)
        r->free(r);
}

#endif
