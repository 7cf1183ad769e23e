/*
 * application/shared/clock.h — the clock port.
 *
 * Application services ask this port for the time instead of calling clock_gettime(), so
 * tests can set the time exactly.  Adapters: infrastructure/system/clock_system.c (the
 * real clock) and infrastructure/memory/clock_manual.c (a clock tests move by hand).
 * Read next: application/shared/id_generator.h
 */
#ifndef SHOP_APPLICATION_SHARED_CLOCK_H
#define SHOP_APPLICATION_SHARED_CLOCK_H

#include <stdint.h>

#define SHOP_CLOCK_VERSION 1

struct shop_clock {
    unsigned version; /* SHOP_CLOCK_VERSION */
    /* Wall-clock time in microseconds since 1970-01-01T00:00:00Z. */
    int64_t (*now_us)(struct shop_clock *self);
    void (*free)(struct shop_clock *self);
};

static inline int64_t shop_clock_now_us(struct shop_clock *c)
{
    return c->now_us(c);
}

static inline void shop_clock_free(struct shop_clock *c)
{
    if (c)
        c->free(c);
}

#endif
