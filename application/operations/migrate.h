/*
 * application/operations/migrate.h — the "migrate the database" application service.
 *
 * Given the migrations shipped with this version of shop and a migration store (the
 * port in migration.h), it works out what is pending, refuses when history was
 * rewritten, and applies the rest in order, each one wholly or not at all.
 * Read next: migrate.c, then infrastructure/postgres/migration_store_pg.c
 */
#ifndef SHOP_APPLICATION_OPERATIONS_MIGRATE_H
#define SHOP_APPLICATION_OPERATIONS_MIGRATE_H

#include "application/operations/migration.h"

#include <stdbool.h>
#include <stddef.h>

struct migrate_report {
    int version_before;               /* highest recorded version before; 0 for none */
    int version_after;                /* highest recorded version after */
    int latest_shipped;               /* highest version this shop ships */
    const struct migration **pending; /* borrowed from the shipped set */
    size_t pending_count;             /* what was (or, in a dry run, would be) applied */
    size_t applied_count;             /* what this run applied: a prefix of pending */
};

typedef void migrate_progress_fn(const struct migration *m, size_t index, size_t total, void *ctx);

/*
 * Applies every pending migration of `shipped` (sorted by version, as
 * migration_set_load returns them) to `store`.  With dry_run, applies nothing and
 * only reports.  on_applied (may be NULL) is called after each migration commits.
 *
 * Refuses (SHOP_EREFUSED, nothing applied) when: two shipped migrations share a
 * version; the store records a version this shop does not ship (a newer shop migrated
 * it); a recorded migration's checksum differs from the shipped script (someone edited
 * an applied migration); or a pending migration is older than the newest recorded one.
 *
 * The report is filled even on failure, as far as the run got; dispose it with
 * migrate_report_dispose().
 */
int migrate_run(struct migrate_report *out, struct migration_store *store,
                const struct migration *shipped, size_t shipped_count, bool dry_run,
                migrate_progress_fn *on_applied, void *ctx);

void migrate_report_dispose(struct migrate_report *report);

#endif
