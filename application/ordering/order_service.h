/*
 * application/ordering/order_service.h — Ordering's command handlers (application service).
 *
 * Each handler is the same four steps, on ports only:
 *   load the order (order_store) -> decide (domain/ordering/order.c)
 *   -> append the events with the version it loaded -> on SHOP_ECONFLICT start again,
 *   at most ORDER_SERVICE_MAX_ATTEMPTS times.
 * Placing an order also prices its lines (price_list), takes the time (shop_clock) and a
 * new order id (id_generator).
 *
 * After a successful append, the handler hands each recorded event to the observers
 * (application/messaging/dispatcher.h), if the service has any: a log line, a counter.
 * An observer's failure is reported by the dispatcher and changes nothing: the events are
 * recorded and the handler still succeeds.
 *
 * Each handler is a unit of work of its own: call it outside any transaction on the order
 * store's connection.  Inside a caller's open transaction the append joins it, a lost race
 * aborts it, and the retry then fails with SHOP_EINTERNAL instead of succeeding; a unit of
 * work spanning several handlers will come with the messaging work.
 * Read next: application/ordering/order_service.c, tests/unit/order_service_test.c
 */
#ifndef SHOP_APPLICATION_ORDERING_ORDER_SERVICE_H
#define SHOP_APPLICATION_ORDERING_ORDER_SERVICE_H

#include "application/messaging/dispatcher.h"
#include "application/ordering/order_store.h"
#include "application/ordering/price_list.h"
#include "application/shared/clock.h"
#include "application/shared/id_generator.h"
#include "application/shared/message_meta.h"
#include "domain/ordering/order.h"

#define ORDER_SERVICE_MAX_ATTEMPTS 5

/* The ports the handlers use; borrowed, not owned. */
struct order_service {
    struct order_store *orders;
    struct price_list *prices;
    struct shop_clock *clock;
    struct id_generator *ids;
    int max_attempts; /* 0 means ORDER_SERVICE_MAX_ATTEMPTS */
    /* Optional (NULL: none): observers of the events, called after they are recorded. */
    struct dispatcher *observers;
};

struct place_order_request {
    customer_id customer;
    shipping_address address;
    size_t line_count; /* 1..ORDER_MAX_REQUESTED_LINES */
    struct {
        sku sku;
        quantity quantity;
    } lines[ORDER_MAX_REQUESTED_LINES];
    char card[ORDER_CARD_MAX + 1]; /* the token to pay with; "" means ORDER_DEFAULT_CARD */
};

/*
 * Places a new order; *out is its id.  SHOP_ENOTFOUND for an unknown SKU, SHOP_EINVALID
 * for a rule the order breaks, SHOP_EUNAVAILABLE when a port's backend is down.
 * meta (may be NULL): message ids to stamp on the events; a nil correlation id becomes the
 * order id, a nil message id a new id from the id generator.
 */
int order_service_place(order_id *out, struct order_service *svc,
                        const struct place_order_request *req, const struct message_meta *meta);

/* Confirms a placed order (no-op if already confirmed). */
int order_service_confirm(struct order_service *svc, const order_id *id,
                          const struct message_meta *meta);

/* Cancels a placed order with a reason (no-op if already cancelled). */
int order_service_cancel(struct order_service *svc, const order_id *id, const char *reason,
                         const struct message_meta *meta);

#endif
