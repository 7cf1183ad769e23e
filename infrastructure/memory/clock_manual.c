/*
 * infrastructure/memory/clock_manual.c — see clock_manual.h.
 */
#include "infrastructure/memory/clock_manual.h"

#include "domain/shared/memory.h"

#include <stdlib.h>

struct clock_manual {
    struct shop_clock base; /* first: the port */
    int64_t now_us;
};

static int64_t manual_now_us(struct shop_clock *self)
{
    return ((struct clock_manual *)self)->now_us;
}

static void manual_free(struct shop_clock *self)
{
    free(self);
}

int clock_manual_new(struct shop_clock **out, int64_t start_us)
{
    struct clock_manual *c = shop_xcalloc(1, sizeof *c);
    c->base.version = SHOP_CLOCK_VERSION;
    c->base.now_us = manual_now_us;
    c->base.free = manual_free;
    c->now_us = start_us;
    *out = &c->base;
    return 0;
}

void clock_manual_set(struct shop_clock *clock, int64_t now_us)
{
    ((struct clock_manual *)clock)->now_us = now_us;
}

void clock_manual_advance(struct shop_clock *clock, int64_t delta_us)
{
    ((struct clock_manual *)clock)->now_us += delta_us;
}
