/*
 * application/shared/backoff.c — see backoff.h.
 *
 * The random numbers come from splitmix64 on the caller's state: a few lines, good
 * enough spread for jitter, and the same sequence for the same seed on every platform
 * (rand_r's is not fixed).  The draw is reduced to the range by a modulo on 64 bits;
 * its bias, for bounds of seconds in microseconds against 2^64, is far below anything a retry
 * schedule could notice.
 */
#include "application/shared/backoff.h"

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

int64_t backoff_bound(const struct backoff *b, int attempt)
{
    int64_t base = b->base < 1 ? 1 : b->base;
    int64_t cap = b->cap < base ? base : b->cap;
    int64_t bound = base;
    /* Doubling stops at the cap, so a large attempt never overflows. */
    for (int n = 1; n < attempt && bound < cap; n++)
        bound = bound > cap / 2 ? cap : bound * 2;
    return bound < cap ? bound : cap;
}

int64_t backoff_delay(const struct backoff *b, int attempt, uint64_t *seed)
{
    uint64_t bound = (uint64_t)backoff_bound(b, attempt);
    return (int64_t)(splitmix64(seed) % (bound + 1));
}
