/*
 * application/shipping/shipment_store.h — the port through which Shipping keeps its
 * shipments (a repository of an event-sourced aggregate, like
 * application/ordering/order_store.h).
 *
 * load() folds the shipment's events into a `shipment`; append() records new events with
 * an expected version.  Adapter: infrastructure/shipping/shipment_store_es.c, on any
 * event store (PostgreSQL's "shipping" schema in the service, in memory in tests).
 * Read next: application/shipping/shipping_service.h
 */
#ifndef SHOP_APPLICATION_SHIPPING_SHIPMENT_STORE_H
#define SHOP_APPLICATION_SHIPPING_SHIPMENT_STORE_H

#include "application/shared/message_meta.h"
#include "domain/shipping/shipment.h"

#include <stddef.h>
#include <stdint.h>

#define SHIPMENT_STORE_VERSION 1

struct shipment_store {
    unsigned version; /* SHIPMENT_STORE_VERSION */

    /* The current state and version; never scheduled: shipment_init()'s state, version 0. */
    int (*load)(struct shipment_store *self, shipment *out, int64_t *out_version,
                const shipment_id *id);

    /* Records events (n >= 1) decided at expected_version; SHOP_ECONFLICT if it moved. */
    int (*append)(struct shipment_store *self, const shipment_id *id, int64_t expected_version,
                  const shipment_event *events, size_t n, const struct message_meta *meta);

    void (*free)(struct shipment_store *self);
};

static inline int shipment_store_load(struct shipment_store *s, shipment *out, int64_t *out_version,
                                      const shipment_id *id)
{
    return s->load(s, out, out_version, id);
}

static inline int shipment_store_append(struct shipment_store *s, const shipment_id *id,
                                        int64_t expected_version, const shipment_event *events,
                                        size_t n, const struct message_meta *meta)
{
    return s->append(s, id, expected_version, events, n, meta);
}

static inline void shipment_store_free(struct shipment_store *s)
{
    if (s)
        s->free(s);
}

#endif
