/*
 * application/shared/backoff.h — how long to wait before trying again: exponential
 * backoff with full jitter.
 *
 * Attempt n (1, 2, 3...) waits a random time between 0 and min(cap, base × 2^(n-1)).
 * The exponent spreads retries of a failing dependency further and further apart; the
 * jitter ("full": anywhere from 0 up to the bound) keeps many clients that failed at the
 * same moment from coming back at the same moment, a thundering herd (AWS Architecture
 * Blog, "Exponential Backoff And Jitter").  Pure: the random draw comes from the caller's
 * seeded state, so tests and simulations repeat exactly.  Used by the bus consumer's
 * retries (infrastructure/messaging/consumer.c) and by the retries of calls to other
 * services (infrastructure/resilience/retry.c).
 * Read next: backoff.c, tests/unit/backoff_test.c
 */
#ifndef SHOP_APPLICATION_SHARED_BACKOFF_H
#define SHOP_APPLICATION_SHARED_BACKOFF_H

#include <stdint.h>

/* In the caller's unit: milliseconds for the bus consumer's retries, microseconds for
 * the resilience retries (infrastructure/resilience/retry.c). */
struct backoff {
    int64_t base; /* the bound of the first attempt, >= 1 */
    int64_t cap;  /* the largest bound, >= base */
};

/* The upper bound of attempt's wait: min(cap, base × 2^(attempt-1)); attempt < 1 counts
 * as 1.  Never overflows, whatever the attempt. */
int64_t backoff_bound(const struct backoff *b, int attempt);

/* A random wait in [0, backoff_bound(b, attempt)], drawn from *seed (advanced; any
 * start value, 0 included). */
int64_t backoff_delay(const struct backoff *b, int attempt, uint64_t *seed);

#endif
