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
 * state and handed to the repository with it: the repository writes them to Catalog's
 * outbox in the same write (a transactional outbox), from where the relay publishes them
 * to the other contexts (Ordering's replica of the prices).  After a save succeeded,
 * the events also go to the in-process observers (application/messaging/dispatcher.h),
 * if any: for what may be lost in a crash (a log line, a cache), never for what must
 * happen; an observer that fails neither undoes the save nor fails the command.
 * Read next: application/catalog/catalog_service.c, tests/unit/catalog_service_test.c
 */
#ifndef SHOP_APPLICATION_CATALOG_CATALOG_SERVICE_H
#define SHOP_APPLICATION_CATALOG_CATALOG_SERVICE_H

#include "application/catalog/product_repository.h"
#include "application/messaging/dispatcher.h"
#include "application/shared/clock.h"
#include "application/shared/id_generator.h"
#include "application/shared/message_meta.h"
#include "domain/catalog/product.h"

#define CATALOG_SERVICE_MAX_ATTEMPTS 5

/* The ports the handlers use; borrowed, not owned. */
struct catalog_service {
    struct product_repository *products;
    struct shop_clock *clock;
    struct id_generator *ids;     /* a message id for a command that comes without one */
    struct dispatcher *observers; /* may be NULL: no in-process observers */
    int max_attempts;             /* 0 means CATALOG_SERVICE_MAX_ATTEMPTS */
};

/*
 * The commands take meta (may be NULL): the ids the change's integration event carries.
 * A nil message id becomes a new id from ids, a nil correlation id the message id (the
 * command starts its own conversation); causation and traceparent are kept as given.
 * Made once per command, so an attempt retried after a conflict publishes under the same
 * message id.
 */

/*
 * Adds a product; *out is the product as saved.  SHOP_EREFUSED "product ABC-1 already
 * exists", SHOP_EINVALID for a name or price that breaks a rule, SHOP_EUNAVAILABLE when
 * the repository's backend is down.
 */
int catalog_service_add(product *out, struct catalog_service *svc, const sku *product_sku,
                        const product_name *name, money price, const struct message_meta *meta);

/*
 * Changes a product's price; *out is the product afterwards (unchanged, and nothing
 * saved, when the price is the one it has).  SHOP_ENOTFOUND "unknown SKU ABC-1".
 */
int catalog_service_change_price(product *out, struct catalog_service *svc, const sku *product_sku,
                                 money price, const struct message_meta *meta);

/* One product; SHOP_ENOTFOUND "unknown SKU ABC-1". */
int catalog_service_get(product *out, struct catalog_service *svc, const sku *product_sku);

/* Every product, sorted by SKU. */
int catalog_service_list(struct product_list *out, struct catalog_service *svc);

#endif
