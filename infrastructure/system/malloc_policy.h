/*
 * infrastructure/system/malloc_policy.h — how a shop process asks glibc's malloc to keep
 * freed memory.  Read next: infrastructure/system/malloc_policy.c
 */
#ifndef SHOP_INFRASTRUCTURE_SYSTEM_MALLOC_POLICY_H
#define SHOP_INFRASTRUCTURE_SYSTEM_MALLOC_POLICY_H

/* Call once, first thing in main(): before any allocation that should follow it. */
void malloc_policy_apply(void);

#endif
