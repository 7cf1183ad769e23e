/*
 * application/catalog/product_repository.h — the port through which Catalog keeps its
 * products (a repository of state rows, with optimistic locking).
 *
 * Catalog stores each product's current state, not its events: one row per SKU with a
 * version that counts the saves.  save() writes a state decided on the version that was
 * loaded, and only if nobody saved in between; otherwise SHOP_ECONFLICT, and the command
 * handler (application/catalog/catalog_service.c) loads and decides again.  No lock is
 * held between load and save.
 *
 * Transactional outbox: save() also takes the events that were decided, and writes one
 * integration event per event (catalog.ProductAdded, catalog.PriceChanged; translated by
 * infrastructure/catalog/catalog_messages.c) to Catalog's outbox in the SAME write as
 * the state: both or neither.  The relay (infrastructure/messaging/relay.h) later moves
 * the outbox to the bus, so the other contexts hear of every change that was saved, and
 * of none that was not — without a distributed transaction.
 * Adapters: infrastructure/catalog/product_repository_pg.c (PostgreSQL, catalog.products)
 * and infrastructure/memory/product_repository_memory.c; both keep the promises of
 * tests/contract/product_repository_contract.c.
 * Read next: application/catalog/catalog_service.h
 */
#ifndef SHOP_APPLICATION_CATALOG_PRODUCT_REPOSITORY_H
#define SHOP_APPLICATION_CATALOG_PRODUCT_REPOSITORY_H

#include "application/shared/message_meta.h"
#include "domain/catalog/product.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#define PRODUCT_REPOSITORY_VERSION 2

/* Products in SKU order; items is allocated (free with product_list_dispose). */
struct product_list {
    product *items;
    size_t count;
};

static inline void product_list_dispose(struct product_list *list)
{
    free(list->items);
    list->items = NULL;
    list->count = 0;
}

struct product_repository {
    unsigned version; /* PRODUCT_REPOSITORY_VERSION */

    /*
     * The product's state and version.  A SKU that was never saved is not an error:
     * *out is product_init()'s state (exists false) and *out_version 0.
     */
    int (*load)(struct product_repository *self, product *out, int64_t *out_version,
                const sku *product_sku);

    /* Every product, sorted by SKU (strcmp order, as sku_compare). */
    int (*list)(struct product_repository *self, struct product_list *out);

    /*
     * Saves state (which must exist) decided on the version loaded, with the n events
     * that led to it (1..PRODUCT_MAX_DECIDED_EVENTS): expected_version 0 inserts a new
     * product, v > 0 replaces version v.  The saved version is expected_version + 1, and
     * in the same write each event becomes one outbox message, with that version as its
     * catalog_version and meta's ids (message id, correlation, causation, traceparent).
     * n == 0 is a decision that changes nothing: nothing is written and 0 returned.
     * SHOP_ECONFLICT when the stored version is not expected_version (another writer
     * saved first, or the product was added meanwhile): neither the state nor a message
     * is written; load again and decide again.  SHOP_EINVALID for n above
     * PRODUCT_MAX_DECIDED_EVENTS (one message id per save), for events without a meta
     * with a message id, or for a state that does not exist.
     */
    int (*save)(struct product_repository *self, const product *state, int64_t expected_version,
                const product_event *events, size_t n, const struct message_meta *meta);

    void (*free)(struct product_repository *self);
};

static inline int product_repository_load(struct product_repository *r, product *out,
                                          int64_t *out_version, const sku *product_sku)
{
    return r->load(r, out, out_version, product_sku);
}

static inline int product_repository_list(struct product_repository *r, struct product_list *out)
{
    return r->list(r, out);
}

static inline int product_repository_save(struct product_repository *r, const product *state,
                                          int64_t expected_version, const product_event *events,
                                          size_t n, const struct message_meta *meta)
{
    return r->save(r, state, expected_version, events, n, meta);
}

static inline void product_repository_free(struct product_repository *r)
{
    if (r)
        r->free(r);
}

#endif
