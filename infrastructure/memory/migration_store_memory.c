/*
 * infrastructure/memory/migration_store_memory.c — see migration_store_memory.h.
 */
#include "infrastructure/memory/migration_store_memory.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct migration_store_memory {
    struct migration_store base; /* first: the port */
    struct applied_migration *rows;
    size_t count, cap;
    int fail_on;
};

static int memory_lock(struct migration_store *self)
{
    (void)self;
    return 0;
}

static int memory_applied(struct migration_store *self, struct applied_migration **out,
                          size_t *out_count)
{
    struct migration_store_memory *s = (struct migration_store_memory *)self;
    *out = NULL;
    *out_count = s->count;
    if (s->count == 0)
        return 0;
    *out = shop_xcalloc(s->count, sizeof **out);
    memcpy(*out, s->rows, s->count * sizeof **out);
    return 0;
}

static int memory_apply(struct migration_store *self, const struct migration *m)
{
    struct migration_store_memory *s = (struct migration_store_memory *)self;
    for (size_t i = 0; i < s->count; i++)
        if (s->rows[i].version == m->version)
            return shop_error_set(SHOP_ECONFLICT, "migration %s: version %d is already recorded",
                                  m->name, m->version);
    if (m->version == s->fail_on) {
        s->fail_on = 0;
        return shop_error_set(SHOP_EREFUSED, "migration %s: the script failed", m->name);
    }
    if (s->count == s->cap)
        s->rows = shop_xreallocarray(s->rows, s->cap = s->cap ? 2 * s->cap : 8, sizeof *s->rows);

    /* Keep the rows in version order, as the PostgreSQL store returns them. */
    size_t at = s->count;
    while (at > 0 && s->rows[at - 1].version > m->version)
        at--;
    memmove(&s->rows[at + 1], &s->rows[at], (s->count - at) * sizeof *s->rows);
    struct applied_migration *a = &s->rows[at];
    memset(a, 0, sizeof *a);
    a->version = m->version;
    snprintf(a->name, sizeof a->name, "%s", m->name);
    snprintf(a->checksum, sizeof a->checksum, "%s", m->checksum);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(a->applied_at, sizeof a->applied_at, "%Y-%m-%dT%H:%M:%SZ", &tm);
    s->count++;
    return 0;
}

static void memory_free(struct migration_store *self)
{
    struct migration_store_memory *s = (struct migration_store_memory *)self;
    free(s->rows);
    free(s);
}

int migration_store_memory_new(struct migration_store **out)
{
    struct migration_store_memory *s = shop_xcalloc(1, sizeof *s);
    s->base.version = MIGRATION_STORE_VERSION;
    s->base.lock = memory_lock;
    s->base.applied = memory_applied;
    s->base.apply = memory_apply;
    s->base.free = memory_free;
    *out = &s->base;
    return 0;
}

void migration_store_memory_fail_on(struct migration_store *store, int version)
{
    ((struct migration_store_memory *)store)->fail_on = version;
}
