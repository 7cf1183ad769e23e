/*
 * infrastructure/resilience/resilient_call.c — see resilient_call.h.
 *
 * One exit holds the resources: the bulkhead's place is given back on every path after
 * it was taken, and every breaker permit is followed by exactly one result.
 */
#include "infrastructure/resilience/resilient_call.h"

#include "domain/shared/error.h"

int resilient_call(const struct resilience *r, enum retry_idempotence idempotence,
                   const struct deadline *caller, retry_operation *op, void *ctx)
{
    struct deadline d;
    if (caller)
        d = r->timeout_us > 0 ? deadline_within(caller, r->timeout_us) : *caller;
    else
        d = r->timeout_us > 0 ? deadline_after(r->clock, r->timeout_us) : deadline_never(r->clock);

    if (deadline_expired(&d)) /* not the dependency's fault: the breaker does not hear of it */
        return shop_error_set(SHOP_EUNAVAILABLE, "deadline passed before the call");
    if (r->bulkhead) {
        int full = bulkhead_try_enter(r->bulkhead);
        if (full < 0)
            return full;
    }
    struct breaker_permit permit = {0};
    int rc = 0;
    if (r->breaker && (rc = breaker_try_acquire(r->breaker, &permit)) < 0)
        goto done;

    int64_t t0 = r->breaker ? shop_clock_now_us(r->clock) : 0;
    if (r->retry)
        rc = retry_run(r->retry, idempotence, &d, op, ctx, NULL);
    else
        rc = op(ctx, &d);
    if (r->breaker)
        breaker_on_result(r->breaker, permit, rc, shop_clock_now_us(r->clock) - t0);
done:
    if (r->bulkhead)
        bulkhead_leave(r->bulkhead);
    return rc;
}
