/*
 * infrastructure/memory/saga_store_memory.h — the fulfilment saga's store held in memory.
 *
 * Pattern: the in-memory twin of an adapter (hexagonal architecture).  It keeps the same
 * promises as the PostgreSQL store — optimistic versions, commands queued with the saga
 * or not at all, deadlines oldest first — because it runs the same contract suite
 * (tests/contract/saga_store_contract.c), so the saga's service tests can use it in place
 * of a database.  What it "queues" stays in memory, for the tests to read.
 * Read next: infrastructure/ordering/saga_store_pg.c, the real one.
 */
#ifndef SHOP_INFRASTRUCTURE_MEMORY_SAGA_STORE_MEMORY_H
#define SHOP_INFRASTRUCTURE_MEMORY_SAGA_STORE_MEMORY_H

#include "application/ordering/saga_store.h"

#include <stddef.h>

/* An empty store.  Free it with saga_store_free. */
int saga_store_memory_new(struct saga_store **out);

/* A command as the twin queued it: what Ordering's outbox would hold. */
struct saga_store_memory_command {
    struct saga_command command;
    order_id order;
    struct message_meta meta; /* its message id, and the cause's correlation and trace */
};

/* The commands queued so far, oldest first (borrowed: valid until the next save). */
const struct saga_store_memory_command *saga_store_memory_queued(struct saga_store *store,
                                                                 size_t *out_count);

#endif
