/*
 * application/operations/migration.h — the schema-migration port (hexagonal architecture).
 *
 * A migration is a numbered SQL script; the store is wherever they are applied and
 * recorded.  The application service (migrate.c) decides WHAT to apply; an adapter
 * decides HOW: infrastructure/postgres/migration_store_pg.c runs each script and its
 * record in one PostgreSQL transaction, infrastructure/memory/migration_store_memory.c
 * only records them, for fast tests.  One contract suite
 * (tests/contract/migration_store_contract.c) runs against both.
 *
 * The shape of every port in ddd-shop (docs/style.md §Ports): a versioned struct of function
 * pointers taking `self`; an adapter embeds it as its first member; callers go through
 * the inline wrappers below.  Read next: application/operations/migrate.c
 */
#ifndef SHOP_APPLICATION_OPERATIONS_MIGRATION_H
#define SHOP_APPLICATION_OPERATIONS_MIGRATION_H

#include <stddef.h>

#define MIGRATION_NAME_MAX      128
#define MIGRATION_CHECKSUM_SIZE 65 /* SHA-256 in hex, NUL-terminated */

/* One migration script, as shipped with this version of shop. */
struct migration {
    int version;                   /* 1, 2, 3, ... from the file name 0001_... */
    char name[MIGRATION_NAME_MAX]; /* "0001_contexts_schemas_and_roles" */
    char checksum[MIGRATION_CHECKSUM_SIZE];
    char *sql; /* owned by the migration set */
};

/* One migration as the store has recorded it. */
struct applied_migration {
    int version;
    char name[MIGRATION_NAME_MAX];
    char checksum[MIGRATION_CHECKSUM_SIZE];
    char applied_at[40]; /* ISO 8601, as the store reports it */
};

#define MIGRATION_STORE_VERSION 1

struct migration_store {
    unsigned version; /* MIGRATION_STORE_VERSION */

    /*
     * Takes the store's migration lock for as long as the store lives, so that two
     * migrators never interleave.  SHOP_EUNAVAILABLE when the store is unreachable.
     */
    int (*lock)(struct migration_store *self);

    /*
     * Everything recorded so far, in version order.  *out is an array the caller frees
     * with free(); *out_count may be 0 (and *out NULL) for a new store.
     */
    int (*applied)(struct migration_store *self, struct applied_migration **out, size_t *out_count);

    /*
     * Runs the migration and records it, both or neither; lock() comes first.  SHOP_ECONFLICT when
     * the version is already recorded; SHOP_EREFUSED (with the store's message) when the script
     * itself fails, in which case nothing of it remains.
     */
    int (*apply)(struct migration_store *self, const struct migration *m);

    void (*free)(struct migration_store *self);
};

static inline int migration_store_lock(struct migration_store *s)
{
    return s->lock(s);
}

static inline int migration_store_applied(struct migration_store *s, struct applied_migration **out,
                                          size_t *out_count)
{
    return s->applied(s, out, out_count);
}

static inline int migration_store_apply(struct migration_store *s, const struct migration *m)
{
    return s->apply(s, m);
}

static inline void migration_store_free(struct migration_store *s)
{
    if (s)
        s->free(s);
}

#endif
