/*
 * infrastructure/resilience/deadline.h — a deadline: the moment by which a call must be
 * over, passed down so every layer knows how much time is left.
 *
 * Pattern: deadline propagation (gRPC's deadlines, Go's context.WithDeadline).  A timeout
 * says "this step may take 2 s"; a deadline says "all of this must be over at 12:00:02".
 * Handing the deadline down, rather than a timeout per layer, keeps the layers from adding
 * up to more than the caller can wait: a retry sees how much is left before it sleeps, an
 * HTTP client gives its request only the remaining time.
 *
 *     struct deadline d = deadline_after(clock, 2 * 1000000);
 *     ... deadline_remaining_us(&d) ... deadline_expired(&d) ...
 *
 * Time comes from the clock port (application/shared/clock.h), so tests move it by hand.
 * A deadline is a value: copy it freely; it borrows its clock.
 * Read next: infrastructure/resilience/retry.h
 */
#ifndef SHOP_INFRASTRUCTURE_RESILIENCE_DEADLINE_H
#define SHOP_INFRASTRUCTURE_RESILIENCE_DEADLINE_H

#include "application/shared/clock.h"

#include <stdbool.h>
#include <stdint.h>

struct deadline {
    struct shop_clock *clock; /* borrowed */
    int64_t at_us;            /* the clock's time; INT64_MAX: never */
};

/* now + timeout_us (a timeout <= 0 is already over; saturates instead of overflowing). */
static inline struct deadline deadline_after(struct shop_clock *clock, int64_t timeout_us)
{
    int64_t now = shop_clock_now_us(clock);
    struct deadline d = {clock, INT64_MAX};
    if (timeout_us <= 0)
        d.at_us = now;
    else if (now < INT64_MAX - timeout_us)
        d.at_us = now + timeout_us;
    return d;
}

/* A deadline that never comes. */
static inline struct deadline deadline_never(struct shop_clock *clock)
{
    struct deadline d = {clock, INT64_MAX};
    return d;
}

/* Time left, 0 once it has passed. */
static inline int64_t deadline_remaining_us(const struct deadline *d)
{
    if (d->at_us == INT64_MAX)
        return INT64_MAX;
    int64_t left = d->at_us - shop_clock_now_us(d->clock);
    return left > 0 ? left : 0;
}

static inline bool deadline_expired(const struct deadline *d)
{
    return d->at_us != INT64_MAX && shop_clock_now_us(d->clock) >= d->at_us;
}

/* The earlier of d and now + timeout_us: a step's own timeout inside the caller's
 * deadline. */
static inline struct deadline deadline_within(const struct deadline *d, int64_t timeout_us)
{
    struct deadline own = deadline_after(d->clock, timeout_us);
    return own.at_us < d->at_us ? own : *d;
}

#endif
