/*
 * application/inventory/reservation_repository.h — the port through which Inventory
 * keeps its reservations, one per order (state rows with a version column).
 *
 * Same promise as the stock repository: save() only over the version loaded, else
 * SHOP_ECONFLICT; a reservation never saved loads as reservation_init's state, version 0.
 * Read next: unit_of_work.h
 */
#ifndef SHOP_APPLICATION_INVENTORY_RESERVATION_REPOSITORY_H
#define SHOP_APPLICATION_INVENTORY_RESERVATION_REPOSITORY_H

#include "domain/inventory/inventory.h"

#include <stdint.h>

#define RESERVATION_REPOSITORY_VERSION 1

struct reservation_repository {
    unsigned version; /* RESERVATION_REPOSITORY_VERSION */

    int (*load)(struct reservation_repository *self, reservation *out, int64_t *out_version,
                shop_uuid order_id);

    /* Saves r (status RESERVED, RELEASED or COMMITTED) if still at expected_version
     * (0: it must not exist yet).  SHOP_ECONFLICT otherwise. */
    int (*save)(struct reservation_repository *self, const reservation *r,
                int64_t expected_version);

    void (*free)(struct reservation_repository *self);
};

static inline int reservation_repository_load(struct reservation_repository *r, reservation *out,
                                              int64_t *out_version, shop_uuid order_id)
{
    return r->load(r, out, out_version, order_id);
}

static inline int reservation_repository_save(struct reservation_repository *r,
                                              const reservation *res, int64_t expected_version)
{
    return r->save(r, res, expected_version);
}

static inline void reservation_repository_free(struct reservation_repository *r)
{
    if (r)
        r->free(r);
}

#endif
