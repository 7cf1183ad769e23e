/*
 * domain/notifications/notification.h — a Notification of the Notifications context: what
 * a customer is told about their order, one per customer-visible order event.
 *
 * Pattern: a small, pure domain model.  Notifications is a subscriber (docs/architecture.md
 * §2): it hears Ordering's integration events through its consumer, and keeps its OWN
 * model of them, an order_update — the facts a notification needs and nothing else — so
 * nothing here includes another context's domain.  notification_decide turns an update
 * into the notification's kind and text, as a pure function:
 *
 *   order-placed     "Order 0190a6f4-... received: 2 items, 29.75 EUR"
 *   order-confirmed  "Order 0190a6f4-... confirmed"
 *   order-cancelled  "Order 0190a6f4-... cancelled: payment declined"
 *
 * The items are the units ordered (the sum of the lines' quantities); "1 item" in the
 * singular.  Exactly-once (one notification per event, however often it is delivered) is
 * not a rule of this file: the notification log keeps one per message id
 * (application/notifications/notification_log.h).
 * Read next: domain/notifications/notification.c, tests/unit/notification_test.c, then
 * application/notifications/notification_service.h.
 */
#ifndef SHOP_DOMAIN_NOTIFICATIONS_NOTIFICATION_H
#define SHOP_DOMAIN_NOTIFICATIONS_NOTIFICATION_H

#include "domain/shared/customer_id.h"
#include "domain/shared/money.h"
#include "domain/shared/uuid.h"

#include <stdbool.h>
#include <stdint.h>

enum notification_kind {
    NOTIFICATION_ORDER_PLACED,
    NOTIFICATION_ORDER_CONFIRMED,
    NOTIFICATION_ORDER_CANCELLED,
};

/* "order-placed", "order-confirmed", "order-cancelled" ("?" for anything else). */
const char *notification_kind_name(enum notification_kind kind);

/* The kind of a name above; SHOP_EINVALID "kind must be order-placed, ..., got \"x\"". */
int notification_kind_parse(enum notification_kind *out, const char *name);

/* A cancellation reason: 1-200 bytes of UTF-8, one line (as Ordering's rule). */
#define NOTIFICATION_REASON_MAX 200
/* The most units an order can hold: 50 lines of 999. */
#define NOTIFICATION_ITEMS_MAX (50 * 999)

/* What the Notifications context knows of one order event. */
struct order_update {
    enum notification_kind kind;
    shop_uuid order_id;
    /* order-placed only */
    customer_id customer;
    int64_t items; /* units ordered, 1..NOTIFICATION_ITEMS_MAX */
    money total;   /* what the order costs, > 0 */
    /* order-cancelled only */
    char reason[NOTIFICATION_REASON_MAX + 1];
};

/* Longest text: "Order " + 36 + " cancelled: " + a reason of 200 bytes, and the NUL. */
#define NOTIFICATION_TEXT_MAX 260

typedef struct notification {
    enum notification_kind kind;
    shop_uuid order_id;
    customer_id customer;
    char text[NOTIFICATION_TEXT_MAX + 1];
} notification;

/*
 * The notification of update for the order's customer.  SHOP_EINVALID, naming the rule,
 * for an update that breaks it: items outside 1..NOTIFICATION_ITEMS_MAX, a total that is
 * not above zero, an empty or too long or multi-line reason, a nil order id.  *out is
 * zeroed after a refusal.
 */
int notification_decide(notification *out, const struct order_update *update,
                        const customer_id *customer);

#endif
