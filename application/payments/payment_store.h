/*
 * application/payments/payment_store.h — the port through which Payments keeps its
 * payments (a repository of an event-sourced aggregate).
 *
 * load() folds the payment's events into a `payment`; append() records new events with an
 * expected version (SHOP_ECONFLICT when another writer got there first).  The adapter,
 * infrastructure/payments/payment_store_es.c, sits on any event_store (PostgreSQL or
 * in-memory); tests/contract/payment_store_contract.c holds both to the same promises.
 * Read next: application/payments/payment_service.h
 */
#ifndef SHOP_APPLICATION_PAYMENTS_PAYMENT_STORE_H
#define SHOP_APPLICATION_PAYMENTS_PAYMENT_STORE_H

#include "application/shared/message_meta.h"
#include "domain/payments/payment.h"

#include <stddef.h>
#include <stdint.h>

#define PAYMENT_STORE_VERSION 1

struct payment_store {
    unsigned version; /* PAYMENT_STORE_VERSION */

    /* A payment that was never authorized is not an error: payment_init()'s state, 0. */
    int (*load)(struct payment_store *self, payment *out, int64_t *out_version,
                const payment_id *id);

    int (*append)(struct payment_store *self, const payment_id *id, int64_t expected_version,
                  const payment_event *events, size_t n, const struct message_meta *meta);

    void (*free)(struct payment_store *self);
};

static inline int payment_store_load(struct payment_store *s, payment *out, int64_t *out_version,
                                     const payment_id *id)
{
    return s->load(s, out, out_version, id);
}

static inline int payment_store_append(struct payment_store *s, const payment_id *id,
                                       int64_t expected_version, const payment_event *events,
                                       size_t n, const struct message_meta *meta)
{
    return s->append(s, id, expected_version, events, n, meta);
}

static inline void payment_store_free(struct payment_store *s)
{
    if (s)
        s->free(s);
}

#endif
