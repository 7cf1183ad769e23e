/*
 * domain/shared/memory.c — allocation wrappers that abort on exhaustion.
 * The policy and its reasons are in memory.h.
 */
#include "domain/shared/memory.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * The domain does no I/O, so there is no message here: the process ends with SIGABRT,
 * which the shell reports and a debugger or core dump explains.  `size` is kept in
 * the frame for that debugger.
 */
static void *out_of_memory(size_t size)
{
    (void)size;
    abort();
}

void shop_out_of_memory(void)
{
    abort();
}

void *shop_xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    return p ? p : out_of_memory(size);
}

void *shop_xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    return p ? p : out_of_memory(count * size);
}

void *shop_xrealloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);
    return p ? p : out_of_memory(size);
}

void *shop_xreallocarray(void *ptr, size_t count, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(count, size, &total))
        return out_of_memory(SIZE_MAX);
    return shop_xrealloc(ptr, total);
}

char *shop_xstrdup(const char *s)
{
    return shop_xstrndup(s, strlen(s));
}

char *shop_xstrndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *p = shop_xmalloc(len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}
