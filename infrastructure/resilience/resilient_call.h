/*
 * infrastructure/resilience/resilient_call.h — one call to another system through the
 * bulkhead, the circuit breaker, the retry and the deadline, in that order.
 *
 * Pattern: the composition of docs/patterns/circuit-breaker.md.  A client of another
 * system (the payment gateway, the carrier) keeps one struct resilience per dependency
 * and makes every call with resilient_call:
 *
 *     int rc = resilient_call(&gateway_resilience, RETRY_IDEMPOTENT, &saga_deadline,
 *                             charge_attempt, &request);
 *
 *   1. the call's deadline: the caller's, shortened to the dependency's own timeout;
 *   2. the bulkhead: refused at once when full, nothing else counted;
 *   3. the breaker: refused at once while open (the bulkhead's place is given back);
 *   4. the retry, inside one breaker permit: the breaker counts the logical call, timed
 *      from its first attempt to its last;
 *   5. each attempt receives the deadline, to pass to its HTTP request.
 * Every piece is optional (NULL), so a dependency can do without a bulkhead, say.
 * Read next: infrastructure/resilience/resilient_call.c, tests/unit/resilient_call_test.c
 */
#ifndef SHOP_INFRASTRUCTURE_RESILIENCE_RESILIENT_CALL_H
#define SHOP_INFRASTRUCTURE_RESILIENCE_RESILIENT_CALL_H

#include "infrastructure/resilience/breaker.h"
#include "infrastructure/resilience/bulkhead.h"
#include "infrastructure/resilience/deadline.h"
#include "infrastructure/resilience/retry.h"

/* What protects one dependency; every pointer borrowed, any of the three may be NULL. */
struct resilience {
    struct bulkhead *bulkhead;
    struct breaker *breaker;
    struct retry *retry;      /* NULL: one attempt */
    struct shop_clock *clock; /* required: deadlines and the breaker's timing */
    int64_t timeout_us;       /* the dependency's own bound; 0: the caller's deadline only */
};

/* Runs op under r.  caller may be NULL (no deadline but the timeout).  Returns op's last
 * code, or SHOP_EUNAVAILABLE when a piece refused the call (the message says which:
 * "bulkhead carrier is full (8 calls in flight)", "circuit breaker carrier is open",
 * "deadline passed before the call": then nothing else is asked or counted). */
int resilient_call(const struct resilience *r, enum retry_idempotence idempotence,
                   const struct deadline *caller, retry_operation *op, void *ctx);

#endif
