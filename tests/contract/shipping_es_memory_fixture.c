/*
 * tests/contract/shipping_es_memory_fixture.c — Shipping's contract tests on the in-memory
 * event store.
 */
#include "infrastructure/memory/clock_manual.h"
#include "infrastructure/memory/event_store_memory.h"
#include "tests/contract/shipping_es_fixture.h"

#include <criterion/criterion.h>

static struct shop_clock *clock_;

struct event_store *shipping_es_new(void)
{
    struct event_store *s;
    cr_assert_eq(clock_manual_new(&clock_, 1718000000000000), 0);
    cr_assert_eq(event_store_memory_new(&s, clock_), 0);
    return s;
}

void shipping_es_free(struct event_store *store)
{
    es_free(store);
    shop_clock_free(clock_);
    clock_ = NULL;
}
