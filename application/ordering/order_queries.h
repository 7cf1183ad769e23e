/*
 * application/ordering/order_queries.h — Ordering's queries: which orders exist, and a
 * list of them filtered by customer and status.
 *
 * There is no read model yet (CQRS, with its projections, comes later): a list is made
 * from the write side itself.  The port below only names the orders, newest first; the
 * query handler order_queries_list() then loads each one through the order store (the
 * fold of its events, as a command handler sees it) and keeps those that match.  That
 * costs one stream read per order, so a list looks at the newest ORDER_LIST_MAX orders
 * only, and says how many it looked at.  A projection will replace all of this.
 *
 * Adapters of the port: infrastructure/ordering/order_queries_pg.c (one query on
 * ordering.events), infrastructure/memory/order_queries_memory.c (on any event
 * store, through its global log).  One contract suite runs against both:
 * tests/contract/order_queries_contract.c.
 * Read next: application/ordering/order_queries.c
 */
#ifndef SHOP_APPLICATION_ORDERING_ORDER_QUERIES_H
#define SHOP_APPLICATION_ORDERING_ORDER_QUERIES_H

#include "application/ordering/order_store.h"
#include "domain/ordering/order.h"

#include <stddef.h>
#include <stdint.h>

#define ORDER_QUERIES_VERSION 1

/* The most orders one list looks at (the newest ones). */
#define ORDER_LIST_MAX 1000

struct order_queries {
    unsigned version; /* ORDER_QUERIES_VERSION */
    /*
     * The ids of the orders placed, most recently placed first, at most max of them
     * (max >= 1); out has room for max.  Only placed orders count: a stream of another
     * kind is not an order.
     */
    int (*newest)(struct order_queries *self, order_id *out, size_t max, size_t *out_count);
    void (*free)(struct order_queries *self);
};

static inline int order_queries_newest(struct order_queries *q, order_id *out, size_t max,
                                       size_t *out_count)
{
    return q->newest(q, out, max, out_count);
}

static inline void order_queries_free(struct order_queries *q)
{
    if (q)
        q->free(q);
}

/* One line of a list of orders. */
struct order_summary {
    order_id id;
    customer_id customer;
    enum order_status status;
    money total;
    int64_t placed_at_us;
};

struct order_filter {
    const customer_id *customer; /* NULL: any customer */
    enum order_status status;    /* ORDER_STATUS_NONE: any status */
};

/*
 * The orders that match filter among the newest `max` (0 means ORDER_LIST_MAX), newest
 * first.  *out is a malloc'd array of *out_count summaries (NULL when none): free() it.
 * *out_looked_at (may be NULL) is how many orders were examined.
 */
int order_queries_list(struct order_summary **out, size_t *out_count, size_t *out_looked_at,
                       struct order_queries *queries, struct order_store *orders,
                       const struct order_filter *filter, size_t max);

#endif
