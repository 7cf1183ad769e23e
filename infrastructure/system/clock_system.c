/*
 * infrastructure/system/clock_system.c — the clock port on clock_gettime(CLOCK_REALTIME).
 *
 * The wall clock can step backwards (NTP, an operator); callers that need order use the
 * store's positions, not these times.  Read next: infrastructure/memory/clock_manual.c
 */
#include "infrastructure/system/clock_system.h"

#include "domain/shared/memory.h"

#include <stdlib.h>
#include <time.h>

static int64_t system_now_us(struct shop_clock *self)
{
    (void)self;
    struct timespec ts;
    /* Cannot fail with CLOCK_REALTIME and a valid pointer (POSIX). */
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void system_free(struct shop_clock *self)
{
    free(self);
}

int clock_system_new(struct shop_clock **out)
{
    struct shop_clock *c = shop_xcalloc(1, sizeof *c);
    c->version = SHOP_CLOCK_VERSION;
    c->now_us = system_now_us;
    c->free = system_free;
    *out = c;
    return 0;
}
