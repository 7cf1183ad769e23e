/*
 * application/ordering/order_store.h — the port through which Ordering keeps its orders
 * (a repository of an event-sourced aggregate).
 *
 * load() folds the order's events (after its newest snapshot) into an `order`; append()
 * records new events with an expected version.  The command handlers of
 * application/ordering/order_service.c use nothing else to reach storage.
 * The adapter, infrastructure/ordering/order_store_es.c, sits on any event_store (PostgreSQL
 * or in-memory) and writes a snapshot every N events.
 * Read next: application/ordering/order_service.h
 */
#ifndef SHOP_APPLICATION_ORDERING_ORDER_STORE_H
#define SHOP_APPLICATION_ORDERING_ORDER_STORE_H

#include "application/shared/message_meta.h"
#include "domain/ordering/order.h"

#include <stddef.h>
#include <stdint.h>

#define ORDER_STORE_VERSION 1

struct order_store {
    unsigned version; /* ORDER_STORE_VERSION */

    /*
     * The order's current state and version.  An order that was never placed is not an
     * error: *out is order_init()'s state and *out_version 0.
     */
    int (*load)(struct order_store *self, order *out, int64_t *out_version, const order_id *id);

    /*
     * Records events (n >= 1) decided on the state loaded at expected_version.
     * SHOP_ECONFLICT when another writer got there first: load again and decide again.
     */
    int (*append)(struct order_store *self, const order_id *id, int64_t expected_version,
                  const order_event *events, size_t n, const struct message_meta *meta);

    void (*free)(struct order_store *self);
};

static inline int order_store_load(struct order_store *s, order *out, int64_t *out_version,
                                   const order_id *id)
{
    return s->load(s, out, out_version, id);
}

static inline int order_store_append(struct order_store *s, const order_id *id,
                                     int64_t expected_version, const order_event *events,
                                     size_t n, const struct message_meta *meta)
{
    return s->append(s, id, expected_version, events, n, meta);
}

static inline void order_store_free(struct order_store *s)
{
    if (s)
        s->free(s);
}

#endif
