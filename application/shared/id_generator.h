/*
 * application/shared/id_generator.h — the id-generator port.
 *
 * New aggregates (an order) get their id from this port, so a test can predict it.
 * Adapters: infrastructure/system/id_generator_uuid.c (UUID v7, time-ordered) and
 * infrastructure/memory/id_generator_sequence.c (00000000-0000-7000-8000-000000000001, 2, 3, ...).
 * Read next: application/ordering/order_service.h
 */
#ifndef SHOP_APPLICATION_SHARED_ID_GENERATOR_H
#define SHOP_APPLICATION_SHARED_ID_GENERATOR_H

#include "domain/shared/uuid.h"

#define ID_GENERATOR_VERSION 1

struct id_generator {
    unsigned version; /* ID_GENERATOR_VERSION */
    /* A new unique id.  SHOP_EUNAVAILABLE if the system cannot supply randomness. */
    int (*next)(struct id_generator *self, shop_uuid *out);
    void (*free)(struct id_generator *self);
};

static inline int id_generator_next(struct id_generator *g, shop_uuid *out)
{
    return g->next(g, out);
}

static inline void id_generator_free(struct id_generator *g)
{
    if (g)
        g->free(g);
}

#endif
