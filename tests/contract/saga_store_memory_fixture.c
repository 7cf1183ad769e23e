/*
 * tests/contract/saga_store_memory_fixture.c — runs the saga-store contract against the
 * in-memory adapter; the queued commands are the twin's own list.
 */
#include "infrastructure/memory/saga_store_memory.h"
#include "tests/contract/saga_store_contract.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

static struct saga_store *store;

struct saga_store *contract_sagas_new(void)
{
    cr_assert_eq(saga_store_memory_new(&store), 0);
    return store;
}

void contract_sagas_free(struct saga_store *sagas)
{
    saga_store_free(sagas);
    store = NULL;
}

void contract_sagas_queued(struct contract_saga_command *out, size_t max, size_t *out_count)
{
    size_t n;
    const struct saga_store_memory_command *q = saga_store_memory_queued(store, &n);
    for (size_t i = 0; i < n && i < max; i++) {
        struct contract_saga_command *c = &out[i];
        memset(c, 0, sizeof *c);
        snprintf(c->type, sizeof c->type, "ordering.%s", saga_command_name(q[i].command.type));
        order_stream_id(c->stream, q[i].order);
        c->message_id = q[i].meta.message_id;
        c->attempt = q[i].command.attempt;
        c->correlation_id = q[i].meta.correlation_id;
        c->causation_id = q[i].meta.causation_id;
        memcpy(c->traceparent, q[i].meta.traceparent, sizeof c->traceparent);
    }
    *out_count = n;
}
