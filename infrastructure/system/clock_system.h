/*
 * infrastructure/system/clock_system.h — the clock port on the system's wall clock.
 *
 * Pattern: an adapter of a port (application/shared/clock.h).  The service uses this
 * one; tests use infrastructure/memory/clock_manual.h, which they move by hand.
 * Read next: infrastructure/system/clock_system.c
 */
#ifndef SHOP_INFRASTRUCTURE_SYSTEM_CLOCK_SYSTEM_H
#define SHOP_INFRASTRUCTURE_SYSTEM_CLOCK_SYSTEM_H

#include "application/shared/clock.h"

/* CLOCK_REALTIME, in microseconds.  Free it with shop_clock_free. */
int clock_system_new(struct shop_clock **out);

#endif
