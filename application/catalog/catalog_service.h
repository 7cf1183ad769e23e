/*
 * application/catalog/catalog_service.h — Catalog's command and query handlers
 * (application service).
 *
 * Each command handler is the same four steps, on ports only:
 *   load the product (product_repository) -> decide (domain/catalog/product.c)
 *   -> evolve the state with the events -> save it with the version it loaded,
 *   and on SHOP_ECONFLICT start again, at most CATALOG_SERVICE_MAX_ATTEMPTS times.
 * The queries read the repository as it is.
 *
 * The events a command decides (ProductAdded, PriceChanged) are folded into the saved
 * state; publishing them to the other contexts (Ordering's replica of the prices) comes
 * with the messaging work, in the same transaction as the save (an outbox).
 * Read next: application/catalog/catalog_service.c, tests/unit/catalog_service_test.c
 */
#ifndef SHOP_APPLICATION_CATALOG_CATALOG_SERVICE_H
#define SHOP_APPLICATION_CATALOG_CATALOG_SERVICE_H

#include "application/catalog/product_repository.h"
#include "application/shared/clock.h"
#include "domain/catalog/product.h"

#define CATALOG_SERVICE_MAX_ATTEMPTS 5

/* The ports the handlers use; borrowed, not owned. */
struct catalog_service {
    struct product_repository *products;
    struct shop_clock *clock;
    int max_attempts; /* 0 means CATALOG_SERVICE_MAX_ATTEMPTS */
};

/*
 * Adds a product; *out is the product as saved.  SHOP_EREFUSED "product ABC-1 already
 * exists", SHOP_EINVALID for a name or price that breaks a rule, SHOP_EUNAVAILABLE when
 * the repository's backend is down.
 */
int catalog_service_add(product *out, struct catalog_service *svc, const sku *product_sku,
                        const product_name *name, money price);

/*
 * Changes a product's price; *out is the product afterwards (unchanged, and nothing
 * saved, when the price is the one it has).  SHOP_ENOTFOUND "unknown SKU ABC-1".
 */
int catalog_service_change_price(product *out, struct catalog_service *svc, const sku *product_sku,
                                 money price);

/* One product; SHOP_ENOTFOUND "unknown SKU ABC-1". */
int catalog_service_get(product *out, struct catalog_service *svc, const sku *product_sku);

/* Every product, sorted by SKU. */
int catalog_service_list(struct product_list *out, struct catalog_service *svc);

#endif
