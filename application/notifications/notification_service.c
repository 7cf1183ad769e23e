/*
 * application/notifications/notification_service.c — order updates in, notifications
 * recorded once; the query.  See notification_service.h.
 * Read next: tests/unit/notification_service_test.c
 */
#include "application/notifications/notification_service.h"

#include "domain/shared/error.h"

int notification_service_handle(struct notification_service *svc, bool *out_recorded,
                                const struct order_update *update, const struct message_meta *meta)
{
    customer_id customer;
    notification n;
    char order[UUID_STRING_SIZE];
    int rc;

    if (out_recorded)
        *out_recorded = false;
    if (update->kind == NOTIFICATION_ORDER_PLACED) {
        customer = update->customer;
        if ((rc = notification_decide(&n, update, &customer)) < 0 ||
            (rc = notification_log_remember_customer(svc->log, update->order_id, &customer)) < 0)
            return rc;
    } else {
        rc = notification_log_customer_of(svc->log, &customer, update->order_id);
        if (rc == SHOP_ENOTFOUND)
            return shop_error_set(SHOP_EUNAVAILABLE,
                                  "the customer of order %s is not known yet (its OrderPlaced "
                                  "has not arrived): try again later",
                                  uuid_format(order, update->order_id));
        if (rc < 0 || (rc = notification_decide(&n, update, &customer)) < 0)
            return rc;
    }
    return notification_log_record(svc->log, out_recorded, &n, meta);
}

int notification_service_list(struct notification_list *out, struct notification_service *svc,
                              const customer_id *customer, const shop_uuid *order_id, size_t limit)
{
    out->items = NULL;
    out->count = 0;
    if (limit == 0)
        limit = NOTIFICATION_LIST_DEFAULT;
    if (limit > NOTIFICATION_LIST_MAX)
        return shop_error_set(SHOP_EINVALID, "limit must be 1-%d, got %zu", NOTIFICATION_LIST_MAX,
                              limit);
    struct notification_filter filter = {
        .customer = customer, .order_id = order_id, .limit = limit};
    return notification_log_list(svc->log, out, &filter);
}
