/*
 * application/catalog/catalog_service.c — Catalog's command and query handlers
 * (application service).
 *
 * Pattern: the application service of an aggregate kept as a state row with optimistic
 * locking.  Every command runs the same loop, handle() below:
 *
 *     load the product (product_repository)       state, version
 *     decide (domain/catalog/product.c)           events, or a refusal
 *     evolve the state with the events            the new state
 *     save it at that version, with the events    SHOP_ECONFLICT: someone else saved first
 *       (the repository writes them to the outbox in the same write)
 *     after the save: the events to the observers (dispatcher), failures only logged
 *
 * and on a conflict starts again from the load, so the decision is always taken on the
 * latest state, at most max_attempts times.  Two people adding the same SKU at once: both
 * load "no such product", both decide ProductAdded, one insert wins; the other's save is
 * a conflict, its second attempt loads the winner's product and is refused with
 * "product ... already exists", as if it had come second all along.
 * Compare application/ordering/order_service.c: the same loop on an event store.
 * Read next: infrastructure/catalog/product_repository_pg.c, tests/unit/catalog_service_test.c
 */
#include "application/catalog/catalog_service.h"

#include "domain/shared/error.h"

#include <string.h>

/* A command's decide function, with the command behind a void pointer. */
typedef int (*decide_fn)(product_event out[PRODUCT_MAX_DECIDED_EVENTS], size_t *out_count,
                         const product *state, const void *cmd);

static int decide_add(product_event out[PRODUCT_MAX_DECIDED_EVENTS], size_t *out_count,
                      const product *state, const void *cmd)
{
    return product_decide_add(out, out_count, state, cmd);
}

static int decide_change_price(product_event out[PRODUCT_MAX_DECIDED_EVENTS], size_t *out_count,
                               const product *state, const void *cmd)
{
    return product_decide_change_price(out, out_count, state, cmd);
}

/* The ids of the command's message (catalog_service.h): made once per command. */
static int stamp(struct message_meta *out, struct catalog_service *svc,
                 const struct message_meta *meta)
{
    int rc;
    memset(out, 0, sizeof *out);
    if (meta)
        *out = *meta;
    if (uuid_is_nil(out->message_id)) {
        if (!svc->ids)
            return shop_error_set(SHOP_EINVALID, "a command needs a message id");
        if ((rc = id_generator_next(svc->ids, &out->message_id)) < 0)
            return rc;
    }
    if (uuid_is_nil(out->correlation_id))
        out->correlation_id = out->message_id;
    return 0;
}

/* After the commit: each event to the observers.  Their failures are the dispatcher's
 * to report; the change has happened and the command succeeded. */
static void notify(struct catalog_service *svc, const product_event *events, size_t n,
                   const struct message_meta *meta)
{
    for (size_t i = 0; i < n && svc->observers; i++) {
        struct domain_event e = {.context = "catalog",
                                 .type = product_event_type_name(events[i].type),
                                 .event = &events[i],
                                 .meta = meta};
        dispatcher_dispatch(svc->observers, &e);
    }
}

/* load -> decide -> evolve -> save, again on SHOP_ECONFLICT, at most max_attempts times. */
static int handle(product *out, struct catalog_service *svc, const sku *product_sku,
                  decide_fn decide, const void *cmd, const struct message_meta *meta)
{
    int attempts = svc->max_attempts > 0 ? svc->max_attempts : CATALOG_SERVICE_MAX_ATTEMPTS;
    struct message_meta stamped;
    int rc;

    for (int attempt = 1; attempt <= attempts; attempt++) {
        product state;
        int64_t version;
        product_event events[PRODUCT_MAX_DECIDED_EVENTS];
        size_t n;

        if ((rc = product_repository_load(svc->products, &state, &version, product_sku)) < 0)
            return rc;
        if ((rc = decide(events, &n, &state, cmd)) < 0)
            return rc;
        for (size_t i = 0; i < n; i++)
            product_evolve(&state, &events[i]);
        if (n == 0) { /* nothing changes (the price it has): nothing to save */
            *out = state;
            return 0;
        }
        if (attempt == 1 && (rc = stamp(&stamped, svc, meta)) < 0)
            return rc;
        rc = product_repository_save(svc->products, &state, version, events, n, &stamped);
        if (rc == 0) {
            *out = state;
            notify(svc, events, n, &stamped);
        }
        if (rc != SHOP_ECONFLICT)
            return rc;
    }
    return shop_error_set(SHOP_ECONFLICT,
                          "product %s was changed by another writer on each of %d attempts",
                          product_sku->code, attempts);
}

int catalog_service_add(product *out, struct catalog_service *svc, const sku *product_sku,
                        const product_name *name, money price, const struct message_meta *meta)
{
    add_product cmd = {.sku = *product_sku, .name = *name, .price = price};

    product_init(out);
    cmd.at_us = shop_clock_now_us(svc->clock);
    return handle(out, svc, product_sku, decide_add, &cmd, meta);
}

int catalog_service_change_price(product *out, struct catalog_service *svc, const sku *product_sku,
                                 money price, const struct message_meta *meta)
{
    change_price cmd = {.sku = *product_sku, .price = price};

    product_init(out);
    cmd.at_us = shop_clock_now_us(svc->clock);
    return handle(out, svc, product_sku, decide_change_price, &cmd, meta);
}

int catalog_service_get(product *out, struct catalog_service *svc, const sku *product_sku)
{
    int64_t version;
    int rc = product_repository_load(svc->products, out, &version, product_sku);
    if (rc < 0)
        return rc;
    if (!out->exists)
        return shop_error_set(SHOP_ENOTFOUND, "unknown SKU %s", product_sku->code);
    return 0;
}

int catalog_service_list(struct product_list *out, struct catalog_service *svc)
{
    out->items = NULL;
    out->count = 0;
    return product_repository_list(svc->products, out);
}
