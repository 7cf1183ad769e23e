/*
 * application/ordering/order_queries.c — the query handler that lists orders (see
 * order_queries.h for why it reads the write side, and how much).
 *
 * Pattern: a query handler on ports.  It changes nothing: the port names the newest
 * orders, the order store folds each into its current state, and the filter keeps what
 * the caller asked for.
 * Read next: infrastructure/ordering/order_api.c (GET /orders)
 */
#include "application/ordering/order_queries.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"

#include <stdlib.h>

static bool matches(const order *o, const struct order_filter *filter)
{
    if (o->status == ORDER_STATUS_NONE)
        return false;
    if (filter && filter->customer && !customer_id_equal(&o->customer, filter->customer))
        return false;
    if (filter && filter->status != ORDER_STATUS_NONE && o->status != filter->status)
        return false;
    return true;
}

int order_queries_list(struct order_summary **out, size_t *out_count, size_t *out_looked_at,
                       struct order_queries *queries, struct order_store *orders,
                       const struct order_filter *filter, size_t max)
{
    order_id *ids = NULL;
    order *state = NULL;
    struct order_summary *list = NULL;
    size_t n = 0, kept = 0;
    int rc;

    *out = NULL;
    *out_count = 0;
    if (out_looked_at)
        *out_looked_at = 0;
    if (max == 0 || max > ORDER_LIST_MAX)
        max = ORDER_LIST_MAX;

    ids = shop_xreallocarray(NULL, max, sizeof *ids);
    if ((rc = order_queries_newest(queries, ids, max, &n)) < 0)
        goto done;
    state = shop_xmalloc(sizeof *state);
    for (size_t i = 0; i < n; i++) {
        int64_t version;
        if ((rc = order_store_load(orders, state, &version, &ids[i])) < 0)
            goto done;
        if (!matches(state, filter))
            continue;
        if (!list)
            list = shop_xreallocarray(NULL, n, sizeof *list);
        list[kept++] = (struct order_summary){.id = state->id,
                                              .customer = state->customer,
                                              .status = state->status,
                                              .total = state->total,
                                              .placed_at_us = state->placed_at_us};
    }
    *out = list;
    *out_count = kept;
    if (out_looked_at)
        *out_looked_at = n;
    list = NULL;
    rc = 0;

done:
    free(list);
    free(state);
    free(ids);
    return rc;
}
