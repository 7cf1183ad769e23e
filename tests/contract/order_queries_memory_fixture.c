/*
 * tests/contract/order_queries_memory_fixture.c — the order-queries contract on the
 * in-memory event store and the adapter that reads its global log.
 */
#include "infrastructure/memory/clock_manual.h"
#include "infrastructure/memory/event_store_memory.h"
#include "infrastructure/memory/order_queries_memory.h"
#include "tests/contract/order_queries_contract.h"

#include <criterion/criterion.h>

static struct shop_clock *clock_;

void contract_oq_open(struct event_store **out_events, struct order_queries **out_queries)
{
    cr_assert_eq(clock_manual_new(&clock_, 1718000000000000), 0);
    cr_assert_eq(event_store_memory_new(out_events, clock_), 0);
    cr_assert_eq(order_queries_memory_new(out_queries, *out_events), 0);
}

void contract_oq_close(struct event_store *events, struct order_queries *queries)
{
    order_queries_free(queries);
    es_free(events);
    shop_clock_free(clock_);
}
