/*
 * tests/contract/payment_store_memory_fixture.c — the payment-store contract on the
 * in-memory event store.
 */
#include "infrastructure/memory/event_store_memory.h"
#include "tests/contract/payment_store_contract.h"

#include <criterion/criterion.h>

struct event_store *contract_payment_events_new(void)
{
    struct event_store *s;
    cr_assert_eq(event_store_memory_new(&s, NULL), 0);
    return s;
}

void contract_payment_events_free(struct event_store *store)
{
    es_free(store);
}
