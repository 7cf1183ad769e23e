/*
 * application/notifications/notification_service.h — the Notifications context's
 * application service: what happens when an order event arrives, and the query.
 *
 * Handling an update, on the notification log port only:
 *   order-placed:           remember the order's customer
 *   order-confirmed/-cancelled: look the customer up; not known yet (its OrderPlaced has
 *                           not arrived) → SHOP_EUNAVAILABLE, so the consumer tries again
 *                           later (per-stream order makes that rare)
 *   then decide the notification (domain/notifications/notification.c) and record it
 *   under the message's id, once.
 * The caller owns the transaction: the consumer runs this inside the one that also
 * records the message in its inbox and moves its checkpoint.
 * Read next: application/notifications/notification_service.c,
 * infrastructure/notifications/order_outcomes.c (who calls it)
 */
#ifndef SHOP_APPLICATION_NOTIFICATIONS_NOTIFICATION_SERVICE_H
#define SHOP_APPLICATION_NOTIFICATIONS_NOTIFICATION_SERVICE_H

#include "application/notifications/notification_log.h"
#include "application/shared/message_meta.h"
#include "domain/notifications/notification.h"

#include <stdbool.h>

#define NOTIFICATION_LIST_DEFAULT 100

/* The port the handlers use; borrowed, not owned. */
struct notification_service {
    struct notification_log *log;
};

/*
 * Records the notification of update, caused by the message meta describes.  *out_recorded
 * (may be NULL): false when that message was recorded before (nothing changed).
 * SHOP_EINVALID for an update that breaks a rule (it never will be handled);
 * SHOP_EUNAVAILABLE when the order's customer is not known yet (try again later).
 */
int notification_service_handle(struct notification_service *svc, bool *out_recorded,
                                const struct order_update *update, const struct message_meta *meta);

/*
 * The newest notifications of a customer and/or an order, newest first; limit 0 is
 * NOTIFICATION_LIST_DEFAULT.  SHOP_EINVALID "limit must be 1-1000, got N".
 */
int notification_service_list(struct notification_list *out, struct notification_service *svc,
                              const customer_id *customer, const shop_uuid *order_id, size_t limit);

#endif
