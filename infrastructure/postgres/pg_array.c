/*
 * infrastructure/postgres/pg_array.c — see pg_array.h.
 * The rules are PostgreSQL's "Array Value Input" (docs, section 8.15.2).
 */
#include "infrastructure/postgres/pg_array.h"

#include "domain/shared/memory.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void reserve(struct pg_array *a, size_t more)
{
    if (a->len + more + 1 <= a->cap)
        return;
    size_t cap = a->cap ? a->cap : 64;
    while (cap < a->len + more + 1)
        cap *= 2;
    a->text = shop_xrealloc(a->text, cap);
    a->cap = cap;
}

void pg_array_init(struct pg_array *a)
{
    memset(a, 0, sizeof *a);
    reserve(a, 2);
    memcpy(a->text, "{}", 3);
    a->len = 2;
}

void pg_array_dispose(struct pg_array *a)
{
    free(a->text);
    memset(a, 0, sizeof *a);
}

void pg_array_add(struct pg_array *a, const char *element)
{
    size_t n = strlen(element);
    /* Worst case: every byte escaped, two quotes, a comma, the closing brace. */
    reserve(a, 2 * n + 4);
    a->len--; /* over-write the closing brace */
    if (a->count > 0)
        a->text[a->len++] = ',';
    a->text[a->len++] = '"';
    for (size_t i = 0; i < n; i++) {
        if (element[i] == '"' || element[i] == '\\')
            a->text[a->len++] = '\\';
        a->text[a->len++] = element[i];
    }
    a->text[a->len++] = '"';
    a->text[a->len++] = '}';
    a->text[a->len] = '\0';
    a->count++;
}

void pg_array_add_int64(struct pg_array *a, int64_t value)
{
    char digits[24];
    snprintf(digits, sizeof digits, "%" PRId64, value);
    pg_array_add(a, digits);
}

void pg_array_add_null(struct pg_array *a)
{
    reserve(a, 8);
    a->len--; /* over-write the closing brace */
    if (a->count > 0)
        a->text[a->len++] = ',';
    memcpy(a->text + a->len, "NULL}", 6);
    a->len += 5;
    a->count++;
}

const char *pg_array_text(const struct pg_array *a)
{
    return a->text;
}
