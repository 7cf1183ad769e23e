/*
 * infrastructure/ordering/fulfilment_subscription.h — the fulfilment saga on the bus: the
 * subscription "ordering.fulfilment" and the deadline timer "saga deadlines", both run
 * by the Ordering service (infrastructure/service/services.c; docs/architecture.md §3).
 *
 *   ordering.OrderPlaced, ordering.OrderCancelled and the participants' replies
 *     ─► consumer "ordering.fulfilment" (inbox ordering.inbox), one transaction each:
 *        decode (saga_messages.c; a payload that breaks the published language is
 *        SHOP_EINVALID: dead-lettered at once) ─► fulfilment_service_handle on the
 *        consumer's connection: the saga row, the order's event, the next command in
 *        ordering.outbox, with the inbox row, commit together
 *   the timer, every poll: the sagas past their deadline, ONE transaction each:
 *        SELECT ... FOR UPDATE SKIP LOCKED (another timer has it: skipped)
 *        ─► fulfilment_service_deadline ─► COMMIT
 *
 * Settings (environment), read when the Ordering service starts (order_api_open refuses
 * a bad one) and when each worker opens:
 *   SHOP_SAGA_STEP_TIMEOUT_MS          a forward step's deadline (30000)
 *   SHOP_SAGA_COMPENSATION_TIMEOUT_MS  a compensation's first wait, doubled each
 *                                      attempt (10000)
 *   SHOP_SAGA_COMPENSATION_ATTEMPTS    attempts of a compensation before stuck (5)
 * Read next: fulfilment_subscription.c, application/ordering/fulfilment_service.h
 */
#ifndef SHOP_INFRASTRUCTURE_ORDERING_FULFILMENT_SUBSCRIPTION_H
#define SHOP_INFRASTRUCTURE_ORDERING_FULFILMENT_SUBSCRIPTION_H

#include "application/messaging/message.h"
#include "application/shared/clock.h"
#include "domain/ordering/fulfilment.h"

#include <libpq-fe.h>
#include <stddef.h>

#define FULFILMENT_SUBSCRIBER "ordering.fulfilment"
#define SAGA_DEADLINES_BATCH  100

/* The SHOP_SAGA_* settings from the environment (unset: the defaults).  SHOP_EINVALID,
 * naming the variable, for a value that is not a whole number in range. */
int fulfilment_settings_read(struct saga_settings *out);

/* The saga's ports on one connection (the consumer's or the timer's). */
struct fulfilment_handler;

/* Builds them on conn (borrowed).  settings NULL: fulfilment_settings_read; clock NULL:
 * the system clock (a given clock is borrowed). */
int fulfilment_handler_open(struct fulfilment_handler **out, PGconn *conn,
                            const struct saga_settings *settings, struct shop_clock *clock);
void fulfilment_handler_close(struct fulfilment_handler *h);

/* The subscription's handler: one message, inside the caller's open transaction. */
int fulfilment_handler_handle(struct fulfilment_handler *h, const struct message *m);

/*
 * The timer's work: up to max sagas past their deadline (by the handler's clock), one
 * transaction each; *handled is how many it took.  A saga another timer holds is
 * skipped.  The first failure stops the pass (its transaction rolled back).
 */
int fulfilment_deadlines_step(struct fulfilment_handler *h, size_t max, size_t *handled);

/* The subscription "ordering.fulfilment"; its worker arg (consumer_worker_arg's
 * handler_arg) is unused: the handler reads the settings itself. */
extern const struct subscription fulfilment_subscription;
/* Its consumer's options: a reply that loses a race for the saga's row (the deadline
 * timer saved it first) is tried again quickly, and many times, before a dead letter
 * could leave the saga to its deadline: 30 attempts, 100 ms doubling to 2 s. */
extern const struct consumer_options fulfilment_subscription_options;

/* The worker "saga deadlines" (worker.h); its arg is unused (may be NULL). */
extern const struct worker_def saga_deadlines_worker;

#endif
