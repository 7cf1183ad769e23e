/*
 * application/ordering/saga_store.h — the port through which the fulfilment saga keeps
 * its state and sends its commands (orchestrated saga; docs/patterns/saga.md).
 *
 * One row per order (ordering.sagas: order id, state, version, data, deadline).  save()
 * writes the new state at the expected version AND queues the saga's commands in
 * Ordering's outbox in one statement, so a state is never saved without its commands nor
 * a command sent from a state that was not saved.  Each command's message id is derived
 * from (order, command, attempt), so saving the same decision twice cannot send a command
 * twice (the outbox and the bus keep one message per id).
 *
 * Adapters: infrastructure/ordering/saga_store_pg.c (PostgreSQL; inside the caller's open
 * transaction — the consumer's, which also records the inbox row) and
 * infrastructure/memory/saga_store_memory.c, under one contract suite
 * (tests/contract/saga_store_contract.c).
 * Read next: application/ordering/fulfilment_service.h
 */
#ifndef SHOP_APPLICATION_ORDERING_SAGA_STORE_H
#define SHOP_APPLICATION_ORDERING_SAGA_STORE_H

#include "application/shared/message_meta.h"
#include "domain/ordering/fulfilment.h"

#include <stddef.h>
#include <stdint.h>

#define SAGA_STORE_VERSION 1

/* A row of `shop saga list`. */
struct saga_summary {
    order_id order;
    enum saga_state state;
    char reason[ORDER_REASON_MAX + 1];
    int64_t deadline_us; /* 0 in an end state */
    int64_t updated_at_us;
    int64_t version;
};

struct saga_store {
    unsigned version; /* SAGA_STORE_VERSION */

    /* The saga of an order and its version; none yet: state SAGA_NONE, version 0. */
    int (*load)(struct saga_store *self, fulfilment_saga *out, int64_t *out_version,
                const order_id *id);

    /*
     * Saves saga at expected_version (0: a new row) and queues commands[0..n) in the
     * outbox, each stamped with cause's correlation id and traceparent, its causation id
     * being cause->message_id.  SHOP_ECONFLICT when the row moved on (load and decide
     * again).
     */
    int (*save)(struct saga_store *self, const fulfilment_saga *saga, int64_t expected_version,
                const struct saga_command *commands, size_t n, const struct message_meta *cause);

    /* Up to max orders whose saga has a deadline at or before now_us, oldest first. */
    int (*due)(struct saga_store *self, order_id *out, size_t max, size_t *out_count,
               int64_t now_us);

    /* Sagas, newest first, in one state (SAGA_NONE: all); *out malloc'd (caller frees). */
    int (*list)(struct saga_store *self, struct saga_summary **out, size_t *out_count,
                enum saga_state state);

    void (*free)(struct saga_store *self);
};

static inline int saga_store_load(struct saga_store *s, fulfilment_saga *out,
                                  int64_t *out_version, const order_id *id)
{
    return s->load(s, out, out_version, id);
}

static inline int saga_store_save(struct saga_store *s, const fulfilment_saga *saga,
                                  int64_t expected_version, const struct saga_command *commands,
                                  size_t n, const struct message_meta *cause)
{
    return s->save(s, saga, expected_version, commands, n, cause);
}

static inline int saga_store_due(struct saga_store *s, order_id *out, size_t max,
                                 size_t *out_count, int64_t now_us)
{
    return s->due(s, out, max, out_count, now_us);
}

static inline int saga_store_list(struct saga_store *s, struct saga_summary **out,
                                  size_t *out_count, enum saga_state state)
{
    return s->list(s, out, out_count, state);
}

static inline void saga_store_free(struct saga_store *s)
{
    if (s)
        s->free(s);
}

#endif
