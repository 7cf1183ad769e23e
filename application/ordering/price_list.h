/*
 * application/ordering/price_list.h — the port that tells Ordering what a SKU costs.
 *
 * Ordering does not own prices: Catalog does.  Through this port the command handler
 * prices each line when an order is placed.  Adapters: infrastructure/memory/
 * price_list_memory.c (tests); later an HTTP client of Catalog's API and a local replica
 * fed by Catalog's PriceChanged events (docs/architecture.md §2).
 * Read next: application/ordering/order_service.c
 */
#ifndef SHOP_APPLICATION_ORDERING_PRICE_LIST_H
#define SHOP_APPLICATION_ORDERING_PRICE_LIST_H

#include "domain/shared/money.h"
#include "domain/shared/sku.h"

#define PRICE_LIST_VERSION 1

struct price_list {
    unsigned version; /* PRICE_LIST_VERSION */
    /* The current unit price; SHOP_ENOTFOUND "unknown SKU ..." for a SKU not sold. */
    int (*price_of)(struct price_list *self, money *out, const sku *product);
    void (*free)(struct price_list *self);
};

static inline int price_list_price_of(struct price_list *p, money *out, const sku *product)
{
    return p->price_of(p, out, product);
}

static inline void price_list_free(struct price_list *p)
{
    if (p)
        p->free(p);
}

#endif
