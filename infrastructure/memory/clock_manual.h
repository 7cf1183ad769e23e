/*
 * infrastructure/memory/clock_manual.h — a clock that tests move by hand.
 *
 * Pattern: an adapter of the clock port (application/shared/clock.h) for tests.  It
 * reads the same time until the test sets or advances it, so a test knows exactly which
 * time a handler stamps on its events.
 * Read next: infrastructure/memory/id_generator_sequence.h
 */
#ifndef SHOP_INFRASTRUCTURE_MEMORY_CLOCK_MANUAL_H
#define SHOP_INFRASTRUCTURE_MEMORY_CLOCK_MANUAL_H

#include "application/shared/clock.h"

#include <stdint.h>

/* A clock reading start_us until moved.  Free it with shop_clock_free. */
int clock_manual_new(struct shop_clock **out, int64_t start_us);

/* clock must come from clock_manual_new. */
void clock_manual_set(struct shop_clock *clock, int64_t now_us);
void clock_manual_advance(struct shop_clock *clock, int64_t delta_us);

#endif
