/*
 * infrastructure/system/malloc_policy.c — keep freed memory for the next query.
 *
 * By default glibc's malloc gives memory back to the kernel as soon as more than 128 KiB
 * is free at the top of the heap, and serves blocks of 128 KiB or more with mmap.  A
 * process that reads events in batches allocates and frees a few hundred KiB per query
 * (libpq's result, then the decoded events), so by default every query faults its pages
 * in again and the kernel clears each one: a fifth of the time of reading a 1,000-event
 * stream went there (perf, bench/event-store).  Keeping up to 64 MiB of freed heap, and
 * allocating from the heap up to 32 MiB, lets the next query reuse those pages.
 * docs/performance.md gives the figures with and without it.
 *
 * Under the sanitizers malloc is theirs and mallopt() changes nothing, which is fine.
 * Read next: infrastructure/cli/main.c (where shop applies it)
 */
#include "infrastructure/system/malloc_policy.h"

#include <malloc.h>

void malloc_policy_apply(void)
{
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
}
