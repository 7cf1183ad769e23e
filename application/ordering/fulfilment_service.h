/*
 * application/ordering/fulfilment_service.h — the fulfilment saga's handlers (the
 * orchestrator of docs/architecture.md §3; docs/patterns/saga.md).
 *
 * Each handler is one step of the saga, on ports only:
 *   load the saga (saga_store) -> decide (domain/ordering/fulfilment.h)
 *   -> confirm or cancel the order if the decision says so (order_service)
 *   -> save the saga with its commands (saga_store: row + outbox)
 * all on one connection inside the caller's transaction: the consumer's, which also
 * writes the inbox row of the message being handled (infrastructure/ordering/
 * fulfilment_subscription.c), or the deadline timer's.  So the handled message, the
 * saga's new state, the order's event and the next command commit together or not at all.
 * A decision that changes nothing (a duplicate, a late reply) saves nothing.
 * Read next: application/ordering/fulfilment_service.c, tests/unit/fulfilment_service_test.c
 */
#ifndef SHOP_APPLICATION_ORDERING_FULFILMENT_SERVICE_H
#define SHOP_APPLICATION_ORDERING_FULFILMENT_SERVICE_H

#include "application/ordering/order_service.h"
#include "application/ordering/saga_store.h"
#include "application/shared/clock.h"
#include "application/shared/id_generator.h"
#include "application/shared/message_meta.h"
#include "domain/ordering/fulfilment.h"

/* The ports; borrowed, not owned. */
struct fulfilment_service {
    struct saga_store *sagas;
    struct order_service *orders; /* its order store shares the saga store's connection */
    struct shop_clock *clock;
    struct id_generator *ids;      /* the deadline timer's message ids */
    struct saga_settings settings; /* zeros: the SAGA_DEFAULT_* values */
};

/*
 * Hands the saga of order `id` what happened (in->now_us is set here from the clock; for
 * SAGA_IN_ORDER_PLACED the order is loaded from the order store when in->placed is NULL,
 * and in->card NULL means "tok_visa").  cause: the ids of the message that told it.  0 also when nothing changed;
 * SHOP_ECONFLICT when another handler moved the saga (the caller's transaction is then
 * to be rolled back and the message handled again).
 */
int fulfilment_service_handle(struct fulfilment_service *svc, const order_id *id,
                              const struct saga_input *in, const struct message_meta *cause);

/* The deadline timer: handles SAGA_IN_DEADLINE_PASSED for the order if its deadline has
 * passed (nothing otherwise).  Its cause is a new message id with the saga's correlation. */
int fulfilment_service_deadline(struct fulfilment_service *svc, const order_id *id);

#endif
