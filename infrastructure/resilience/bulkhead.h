/*
 * infrastructure/resilience/bulkhead.h — a bound on the calls in flight to one dependency.
 *
 * Pattern: bulkhead (Nygard, "Release It!"; resilience4j's SemaphoreBulkhead with a
 * maximum wait of zero).  A ship's bulkheads keep one flooded compartment from sinking
 * the ship; here a slow carrier may hold at most `max_calls` of the service's threads,
 * and the call after that is refused at once, so the rest of the service (and its calls
 * to the payment gateway) keeps its threads.  Refusing at once, rather than queueing,
 * is the point: a queue in front of a slow dependency only makes callers wait longer for
 * the same refusal.
 *
 *     if (bulkhead_try_enter(carrier) < 0)
 *         return rc;   // SHOP_EUNAVAILABLE "bulkhead carrier is full (8 calls in flight)"
 *     rc = carrier_book(...);
 *     bulkhead_leave(carrier);
 *
 * Thread safety: any number of threads; one atomic compare-and-swap to enter, one atomic
 * subtraction to leave, no lock.
 * Read next: infrastructure/resilience/bulkhead.c, tests/unit/bulkhead_test.c
 */
#ifndef SHOP_INFRASTRUCTURE_RESILIENCE_BULKHEAD_H
#define SHOP_INFRASTRUCTURE_RESILIENCE_BULKHEAD_H

#include <stdint.h>

struct bulkhead;

/* A bulkhead named `name` ("carrier", 1-63 characters) admitting max_calls (>= 1) at once.
 * SHOP_EINVALID otherwise. */
int bulkhead_new(struct bulkhead **out, const char *name, uint32_t max_calls);
void bulkhead_free(struct bulkhead *b);

/* 0: admitted, and bulkhead_leave must follow; or SHOP_EUNAVAILABLE when full. */
int bulkhead_try_enter(struct bulkhead *b);
void bulkhead_leave(struct bulkhead *b);

struct bulkhead_metrics {
    const char *name; /* borrowed */
    uint32_t in_flight, max_calls;
    uint64_t admitted_total, refused_total;
};
void bulkhead_metrics(struct bulkhead *b, struct bulkhead_metrics *out);

#endif
