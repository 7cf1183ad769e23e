/*
 * domain/notifications/notification.c — the kind and text of a notification, decided from
 * an order update (pure: no I/O, no allocation).
 * Read next: tests/unit/notification_test.c
 */
#include "domain/notifications/notification.h"

#include "domain/shared/error.h"
#include "domain/shared/text.h"

#include <stdio.h>
#include <string.h>

static const char *const kind_names[] = {
    [NOTIFICATION_ORDER_PLACED] = "order-placed",
    [NOTIFICATION_ORDER_CONFIRMED] = "order-confirmed",
    [NOTIFICATION_ORDER_CANCELLED] = "order-cancelled",
};
#define KIND_COUNT (sizeof kind_names / sizeof kind_names[0])

const char *notification_kind_name(enum notification_kind kind)
{
    return (unsigned)kind < KIND_COUNT ? kind_names[kind] : "?";
}

int notification_kind_parse(enum notification_kind *out, const char *name)
{
    char q[TEXT_QUOTE_SIZE];
    for (size_t i = 0; i < KIND_COUNT; i++)
        if (name && strcmp(name, kind_names[i]) == 0) {
            *out = (enum notification_kind)i;
            return 0;
        }
    return shop_error_set(
        SHOP_EINVALID, "kind must be order-placed, order-confirmed or order-cancelled, got \"%s\"",
        text_quote(q, name));
}

/* The reason rule: one line of UTF-8, 1..NOTIFICATION_REASON_MAX bytes, not blank. */
static int check_reason(const char *reason)
{
    size_t characters, bytes;
    int rc = text_check_line(&characters, &bytes, "reason", reason, 0);
    if (rc < 0)
        return rc;
    if (bytes == 0 || bytes > NOTIFICATION_REASON_MAX)
        return shop_error_set(SHOP_EINVALID, "reason must be 1-%d bytes, got %zu",
                              NOTIFICATION_REASON_MAX, bytes);
    if (strspn(reason, " ") == bytes)
        return shop_error_set(SHOP_EINVALID, "reason must not be blank");
    return 0;
}

int notification_decide(notification *out, const struct order_update *u,
                        const customer_id *customer)
{
    char order[UUID_STRING_SIZE], total[MONEY_FORMAT_MAX];
    int rc = 0;

    memset(out, 0, sizeof *out);
    if (uuid_is_nil(u->order_id))
        return shop_error_set(SHOP_EINVALID, "order id must not be nil");
    uuid_format(order, u->order_id);
    switch (u->kind) {
    case NOTIFICATION_ORDER_PLACED:
        if (u->items < 1 || u->items > NOTIFICATION_ITEMS_MAX)
            return shop_error_set(SHOP_EINVALID, "items must be 1-%d, got %lld",
                                  NOTIFICATION_ITEMS_MAX, (long long)u->items);
        if (!u->total.currency || !money_is_positive(u->total))
            return shop_error_set(SHOP_EINVALID, "total must be above 0");
        money_format(total, sizeof total, u->total);
        snprintf(out->text, sizeof out->text, "Order %s received: %lld item%s, %s", order,
                 (long long)u->items, u->items == 1 ? "" : "s", total);
        break;
    case NOTIFICATION_ORDER_CONFIRMED:
        snprintf(out->text, sizeof out->text, "Order %s confirmed", order);
        break;
    case NOTIFICATION_ORDER_CANCELLED:
        if ((rc = check_reason(u->reason)) < 0)
            return rc;
        snprintf(out->text, sizeof out->text, "Order %s cancelled: %s", order, u->reason);
        break;
    default: return shop_error_set(SHOP_EINVALID, "kind %d is not an order event", (int)u->kind);
    }
    out->kind = u->kind;
    out->order_id = u->order_id;
    out->customer = *customer;
    return 0;
}
