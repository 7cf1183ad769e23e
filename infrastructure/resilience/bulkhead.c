/*
 * infrastructure/resilience/bulkhead.c — see bulkhead.h.
 *
 * A counting semaphore without the waiting: enter is a compare-and-swap loop that never
 * takes the count past the bound (an increment followed by an undo would let a reader
 * see more calls in flight than allowed, for a moment).
 */
#include "infrastructure/resilience/bulkhead.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct bulkhead {
    _Atomic uint32_t in_flight;
    uint32_t max_calls;
    _Atomic uint64_t admitted, refused;
    char name[64];
};

int bulkhead_new(struct bulkhead **out, const char *name, uint32_t max_calls)
{
    if (!name || !name[0] || strlen(name) > 63)
        return shop_error_set(SHOP_EINVALID, "bulkhead name must be 1-63 characters");
    if (max_calls < 1)
        return shop_error_set(SHOP_EINVALID, "bulkhead %s: max_calls must be at least 1", name);
    struct bulkhead *b = shop_xcalloc(1, sizeof *b);
    strcpy(b->name, name);
    b->max_calls = max_calls;
    atomic_init(&b->in_flight, 0);
    atomic_init(&b->admitted, 0);
    atomic_init(&b->refused, 0);
    *out = b;
    return 0;
}

void bulkhead_free(struct bulkhead *b)
{
    free(b);
}

int bulkhead_try_enter(struct bulkhead *b)
{
    uint32_t n = atomic_load_explicit(&b->in_flight, memory_order_relaxed);
    do {
        if (n >= b->max_calls) {
            atomic_fetch_add_explicit(&b->refused, 1, memory_order_relaxed);
            return shop_error_set(SHOP_EUNAVAILABLE, "bulkhead %s is full (%u calls in flight)",
                                  b->name, (unsigned)n);
        }
    } while (!atomic_compare_exchange_weak_explicit(&b->in_flight, &n, n + 1, memory_order_acquire,
                                                    memory_order_relaxed));
    atomic_fetch_add_explicit(&b->admitted, 1, memory_order_relaxed);
    return 0;
}

void bulkhead_leave(struct bulkhead *b)
{
    atomic_fetch_sub_explicit(&b->in_flight, 1, memory_order_release);
}

void bulkhead_metrics(struct bulkhead *b, struct bulkhead_metrics *out)
{
    out->name = b->name;
    out->in_flight = atomic_load(&b->in_flight);
    out->max_calls = b->max_calls;
    out->admitted_total = atomic_load(&b->admitted);
    out->refused_total = atomic_load(&b->refused);
}
