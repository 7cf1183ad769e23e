/*
 * application/notifications/notification_log.h — the port through which the
 * Notifications context keeps its notifications and whose each order is.
 *
 * Pattern: a port (hexagonal architecture) with an idempotent write.  record() stores a
 * notification under the id of the message that caused it, and a second record of the
 * same message id stores nothing (*out_recorded false): so a message delivered twice —
 * a replay, a redelivery after a crash — notifies once, even without the consumer's
 * inbox.  The customer of an order is remembered from its OrderPlaced, for the later
 * events that name only the order (OrderConfirmed, OrderCancelled).
 * Adapters: infrastructure/notifications/notification_log_pg.c (PostgreSQL,
 * notifications.notifications and notifications.order_customers of migration 0007) and
 * infrastructure/memory/notification_log_memory.c; both keep the promises of
 * tests/contract/notification_log_contract.c.
 * Read next: application/notifications/notification_service.h
 */
#ifndef SHOP_APPLICATION_NOTIFICATIONS_NOTIFICATION_LOG_H
#define SHOP_APPLICATION_NOTIFICATIONS_NOTIFICATION_LOG_H

#include "application/shared/message_meta.h"
#include "domain/notifications/notification.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#define NOTIFICATION_LOG_VERSION 1

/* A notification as the log keeps it. */
struct notification_entry {
    int64_t id; /* increasing in the order they were recorded */
    notification n;
    shop_uuid message_id;     /* the message that caused it: unique */
    shop_uuid correlation_id; /* nil when it had none */
    int64_t recorded_at_us;   /* microseconds since the epoch */
};

/* Which notifications to list: NULL fields match any. */
struct notification_filter {
    const customer_id *customer;
    const shop_uuid *order_id;
    size_t limit; /* the newest `limit`; 1..NOTIFICATION_LIST_MAX */
};

#define NOTIFICATION_LIST_MAX 1000

/* Newest first; items is allocated (free with notification_list_dispose). */
struct notification_list {
    struct notification_entry *items;
    size_t count;
};

static inline void notification_list_dispose(struct notification_list *list)
{
    free(list->items);
    list->items = NULL;
    list->count = 0;
}

struct notification_log {
    unsigned version; /* NOTIFICATION_LOG_VERSION */

    /*
     * Records n under meta->message_id (and meta->correlation_id), unless a notification
     * of that message id is recorded already: then nothing changes and *out_recorded is
     * false.  out_recorded may be NULL.
     */
    int (*record)(struct notification_log *self, bool *out_recorded, const notification *n,
                  const struct message_meta *meta);

    /* Remembers whose order is: the first customer given for an order stays. */
    int (*remember_customer)(struct notification_log *self, shop_uuid order_id,
                             const customer_id *customer);

    /* The customer of an order; SHOP_ENOTFOUND "the customer of order ... is not known". */
    int (*customer_of)(struct notification_log *self, customer_id *out, shop_uuid order_id);

    /* The newest notifications that match, newest first. */
    int (*list)(struct notification_log *self, struct notification_list *out,
                const struct notification_filter *filter);

    void (*free)(struct notification_log *self);
};

static inline int notification_log_record(struct notification_log *l, bool *out_recorded,
                                          const notification *n, const struct message_meta *meta)
{
    return l->record(l, out_recorded, n, meta);
}

static inline int notification_log_remember_customer(struct notification_log *l, shop_uuid order_id,
                                                     const customer_id *c)
{
    return l->remember_customer(l, order_id, c);
}

static inline int notification_log_customer_of(struct notification_log *l, customer_id *out,
                                               shop_uuid order_id)
{
    return l->customer_of(l, out, order_id);
}

static inline int notification_log_list(struct notification_log *l, struct notification_list *out,
                                        const struct notification_filter *filter)
{
    return l->list(l, out, filter);
}

static inline void notification_log_free(struct notification_log *l)
{
    if (l)
        l->free(l);
}

#endif
