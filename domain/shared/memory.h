/*
 * domain/shared/memory.h — the out-of-memory policy, written down once.
 *
 * Policy: running out of memory is not a business outcome a caller can handle
 * sensibly, so every heap allocation in ddd-shop goes through these wrappers, which
 * abort() when the allocator fails, as git's xmalloc and PostgreSQL's palloc stop the
 * program; without a message, since the domain does no I/O.  Callers therefore never
 * check for NULL after shop_xmalloc.
 * Aggregates avoid the heap altogether where sizes are bounded.
 * Read next: docs/adr/0002-error-convention.md
 */
#ifndef SHOP_DOMAIN_SHARED_MEMORY_H
#define SHOP_DOMAIN_SHARED_MEMORY_H

#include <stddef.h>

void *shop_xmalloc(size_t size);
void *shop_xcalloc(size_t count, size_t size);
void *shop_xrealloc(void *ptr, size_t size);
/* reallocarray: fails (aborts) on count * size overflow as well. */
void *shop_xreallocarray(void *ptr, size_t count, size_t size);
char *shop_xstrdup(const char *s);
char *shop_xstrndup(const char *s, size_t n);
/* The same policy for allocations made by a library's own allocator (libevent's
 * evbuffer_new, cJSON's printers): call when one of them returns NULL.  Never returns. */
_Noreturn void shop_out_of_memory(void);

#endif
