/*
 * infrastructure/resilience/window.h — sliding windows of outcomes with running totals.
 *
 * The two windows a circuit breaker decides on (docs/patterns/circuit-breaker.md), as
 * resilience4j keeps them:
 *   - a COUNT window: the outcomes of the last N calls, a ring of N one-byte slots;
 *   - a TIME window: N one-second buckets, each with its counters, a ring as well.
 * Both keep the totals of what they hold, so recording an outcome and reading the totals
 * cost O(1): the slot or bucket that falls out is subtracted as the new one is added,
 * never summed again.  (Moving a time window forward by a gap of g seconds clears
 * min(g, N) buckets: each bucket is cleared at most once per second of time, so the cost
 * per call stays O(1) on average.)
 *
 * A time window has three counters per bucket; what they count is up to its user (the
 * breaker: calls, failures, slow calls; the retry budget: requests, retries).
 * Neither window locks: its owner does (breaker.c, retry.c).
 * Read next: infrastructure/resilience/breaker.h
 */
#ifndef SHOP_INFRASTRUCTURE_RESILIENCE_WINDOW_H
#define SHOP_INFRASTRUCTURE_RESILIENCE_WINDOW_H

#include <stdint.h>

#define WINDOW_COUNTERS 3

/* What a window holds: the totals of its slots or buckets. */
struct window_totals {
    uint32_t n[WINDOW_COUNTERS];
};

/* ---- count window: the last `size` calls, each with up to 8 flag bits ---------------- */
struct count_window {
    uint8_t *slots;              /* size slots; bit i set = counter i+1 counts this call */
    uint32_t size;               /* N */
    uint32_t head;               /* the next slot to write */
    uint32_t filled;             /* calls held, <= size */
    struct window_totals totals; /* n[0] = calls held, n[1..] = the flag counts */
};

void count_window_init(struct count_window *w, uint32_t size);
void count_window_dispose(struct count_window *w);
void count_window_clear(struct count_window *w);
/* Records one call whose flags are `flags` (bit 0 -> n[1], bit 1 -> n[2]).  Inline: it is
 * on the path of every call through a closed breaker. */
static inline void count_window_record(struct count_window *w, unsigned flags)
{
    uint8_t *slot = &w->slots[w->head];
    if (w->filled == w->size) { /* the oldest call falls out */
        w->totals.n[1] -= *slot & 1u;
        w->totals.n[2] -= (*slot >> 1) & 1u;
    } else {
        w->filled++;
        w->totals.n[0]++;
    }
    *slot = (uint8_t)flags;
    w->totals.n[1] += flags & 1u;
    w->totals.n[2] += (flags >> 1) & 1u;
    if (++w->head == w->size)
        w->head = 0;
}

/* ---- time window: the last `size` seconds, one bucket of counters per second --------- */
struct time_bucket {
    int64_t second; /* which second of the clock this bucket holds */
    uint32_t n[WINDOW_COUNTERS];
};

struct time_window {
    struct time_bucket *buckets; /* size buckets */
    uint32_t size;               /* N seconds */
    uint32_t head;               /* the bucket of head_second */
    int64_t head_second;
    struct window_totals totals;
};

void time_window_init(struct time_window *w, uint32_t size, int64_t now_us);
void time_window_dispose(struct time_window *w);
void time_window_clear(struct time_window *w, int64_t now_us);
/* Moves the window to now_us: buckets older than `size` seconds drop out of the totals.
 * A clock that went back leaves the window where it is. */
void time_window_advance(struct time_window *w, int64_t now_us);
/* Advances to now_us and adds `add` to the current second's counters. */
void time_window_add(struct time_window *w, int64_t now_us, const uint32_t add[WINDOW_COUNTERS]);

#endif
