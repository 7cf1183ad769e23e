/*
 * tests/contract/saga_store_contract.h — what each adapter's fixture supplies to the
 * saga-store contract suite (tests/contract/saga_store_contract.c).
 *
 * A fixture makes an empty store for each test and can say which commands the store
 * queued in Ordering's outbox, in the order it queued them: the in-memory fixture asks
 * the twin, the PostgreSQL fixture reads ordering.outbox (ordered by its id).
 * Read next: tests/contract/saga_store_contract.c
 */
#ifndef SHOP_TESTS_CONTRACT_SAGA_STORE_CONTRACT_H
#define SHOP_TESTS_CONTRACT_SAGA_STORE_CONTRACT_H

#include "application/messaging/message.h"
#include "application/ordering/saga_store.h"

#include <stddef.h>

/* One command as the store queued it. */
struct contract_saga_command {
    char type[MESSAGE_TYPE_MAX + 1];     /* "ordering.ReserveStock" */
    char stream[MESSAGE_STREAM_MAX + 1]; /* "order-<order id>" */
    shop_uuid message_id;
    /* The attempt the command was saved with.  A fixture whose storage does not keep it
     * may find it as the n in 1..100 for which saga_command_message_id(order, type, n)
     * is the message id (0 when none is). */
    int attempt;
    shop_uuid correlation_id;
    shop_uuid causation_id;
    char traceparent[TRACEPARENT_SIZE]; /* "" when none */
};

/* A new, empty store (each test gets its own). */
struct saga_store *contract_sagas_new(void);
void contract_sagas_free(struct saga_store *sagas);

/* The commands queued so far, oldest first: at most max into out, *out_count of them
 * (the count of all there are, which may be more than max). */
void contract_sagas_queued(struct contract_saga_command *out, size_t max, size_t *out_count);

#endif
