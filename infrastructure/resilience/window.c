/*
 * infrastructure/resilience/window.c — see window.h.
 *
 * Rings with running totals.  The one subtle line is in time_window_advance: a gap of a
 * whole window or more clears everything at once, so a breaker idle for a day does not
 * walk 86,400 seconds of buckets on its next call.
 */
#include "infrastructure/resilience/window.h"

#include "domain/shared/memory.h"

#include <stdlib.h>
#include <string.h>

void count_window_init(struct count_window *w, uint32_t size)
{
    memset(w, 0, sizeof *w);
    w->slots = shop_xcalloc(size, 1);
    w->size = size;
}

void count_window_dispose(struct count_window *w)
{
    free(w->slots);
    w->slots = NULL;
}

void count_window_clear(struct count_window *w)
{
    memset(w->slots, 0, w->size);
    w->head = 0;
    w->filled = 0;
    memset(&w->totals, 0, sizeof w->totals);
}

static int64_t second_of(int64_t us)
{
    /* floor division: a clock before 1970 still falls in the right second */
    return us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
}

void time_window_init(struct time_window *w, uint32_t size, int64_t now_us)
{
    memset(w, 0, sizeof *w);
    w->buckets = shop_xcalloc(size, sizeof *w->buckets);
    w->size = size;
    time_window_clear(w, now_us);
}

void time_window_dispose(struct time_window *w)
{
    free(w->buckets);
    w->buckets = NULL;
}

void time_window_clear(struct time_window *w, int64_t now_us)
{
    memset(w->buckets, 0, w->size * sizeof *w->buckets);
    memset(&w->totals, 0, sizeof w->totals);
    w->head = 0;
    w->head_second = second_of(now_us);
    w->buckets[0].second = w->head_second;
}

void time_window_advance(struct time_window *w, int64_t now_us)
{
    int64_t now = second_of(now_us);
    if (now <= w->head_second)
        return;
    if (now - w->head_second >= w->size) {
        time_window_clear(w, now_us);
        return;
    }
    while (w->head_second < now) {
        if (++w->head == w->size)
            w->head = 0;
        w->head_second++;
        struct time_bucket *b = &w->buckets[w->head];
        for (int i = 0; i < WINDOW_COUNTERS; i++)
            w->totals.n[i] -= b->n[i];
        memset(b, 0, sizeof *b);
        b->second = w->head_second;
    }
}

void time_window_add(struct time_window *w, int64_t now_us, const uint32_t add[WINDOW_COUNTERS])
{
    time_window_advance(w, now_us);
    struct time_bucket *b = &w->buckets[w->head];
    for (int i = 0; i < WINDOW_COUNTERS; i++) {
        b->n[i] += add[i];
        w->totals.n[i] += add[i];
    }
}
