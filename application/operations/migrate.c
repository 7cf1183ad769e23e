/*
 * application/operations/migrate.c — the migrate service: plan, check, apply.
 *
 * Pattern: an application service that talks to the outside world only through a port
 * (struct migration_store), so the same code runs against PostgreSQL and against the
 * in-memory store in tests/unit/migrate_service_test.c.
 * Read next: infrastructure/postgres/migration_store_pg.c (the adapter that does the I/O)
 */
#include "application/operations/migrate.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"

#include <stdlib.h>
#include <string.h>

static const struct migration *find_shipped(const struct migration *shipped, size_t n, int version)
{
    for (size_t i = 0; i < n; i++)
        if (shipped[i].version == version)
            return &shipped[i];
    return NULL;
}

static bool is_recorded(const struct applied_migration *applied, size_t n, int version)
{
    for (size_t i = 0; i < n; i++)
        if (applied[i].version == version)
            return true;
    return false;
}

static int check_shipped_set(const struct migration *shipped, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (shipped[i].version <= 0)
            return shop_error_set(SHOP_EREFUSED, "migration %s has no positive version number",
                                  shipped[i].name);
        if (i > 0 && shipped[i].version <= shipped[i - 1].version)
            return shop_error_set(SHOP_EREFUSED,
                                  "migrations %s and %s are out of order or share a version",
                                  shipped[i - 1].name, shipped[i].name);
    }
    return 0;
}

/* History may only grow: what was applied must still be shipped, byte for byte. */
static int check_history(const struct migration *shipped, size_t n,
                         const struct applied_migration *applied, size_t n_applied)
{
    for (size_t i = 0; i < n_applied; i++) {
        const struct migration *m = find_shipped(shipped, n, applied[i].version);
        if (!m)
            return shop_error_set(SHOP_EREFUSED,
                                  "the database has migration %s, which this shop does not ship "
                                  "(was it migrated by a newer version?)",
                                  applied[i].name);
        if (strcmp(m->checksum, applied[i].checksum) != 0)
            return shop_error_set(SHOP_EREFUSED,
                                  "migration %s was changed after it was applied (checksum "
                                  "differs); add a new migration instead of editing this one",
                                  m->name);
    }
    return 0;
}

int migrate_run(struct migrate_report *out, struct migration_store *store,
                const struct migration *shipped, size_t shipped_count, bool dry_run,
                migrate_progress_fn *on_applied, void *ctx)
{
    struct applied_migration *applied = NULL;
    size_t n_applied = 0;
    int rc;

    memset(out, 0, sizeof *out);
    if (shipped_count > 0)
        out->latest_shipped = shipped[shipped_count - 1].version;

    if ((rc = check_shipped_set(shipped, shipped_count)) < 0)
        goto done;
    if (!dry_run && (rc = migration_store_lock(store)) < 0)
        goto done;
    if ((rc = migration_store_applied(store, &applied, &n_applied)) < 0)
        goto done;
    for (size_t i = 0; i < n_applied; i++)
        if (applied[i].version > out->version_before)
            out->version_before = applied[i].version;
    out->version_after = out->version_before;

    if ((rc = check_history(shipped, shipped_count, applied, n_applied)) < 0)
        goto done;

    out->pending = shop_xcalloc(shipped_count, sizeof *out->pending);
    for (size_t i = 0; i < shipped_count; i++) {
        if (is_recorded(applied, n_applied, shipped[i].version))
            continue;
        if (shipped[i].version < out->version_before) {
            rc = shop_error_set(SHOP_EREFUSED,
                                "migration %s was never applied but the database is already at "
                                "version %d; migrations must be applied in order",
                                shipped[i].name, out->version_before);
            goto done;
        }
        out->pending[out->pending_count++] = &shipped[i];
    }

    if (dry_run)
        goto done;

    for (size_t i = 0; i < out->pending_count; i++) {
        const struct migration *m = out->pending[i];
        if ((rc = migration_store_apply(store, m)) < 0)
            goto done;
        out->applied_count++;
        out->version_after = m->version;
        if (on_applied)
            on_applied(m, i, out->pending_count, ctx);
    }
    rc = 0;

done:
    free(applied);
    return rc;
}

void migrate_report_dispose(struct migrate_report *report)
{
    if (!report)
        return;
    free(report->pending);
    report->pending = NULL;
    report->pending_count = report->applied_count = 0;
}
