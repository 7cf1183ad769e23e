/*
 * infrastructure/postgres/migration_files.h — the migrations shipped with shop, read
 * from a directory of files named NNNN_what_it_does.sql (installed by `make install`
 * into $(pkgdatadir)/migrations).  Each gets a SHA-256 checksum so that an applied
 * migration that was later edited is noticed.
 * Read next: application/operations/migrate.c (what is done with them).
 */
#ifndef SHOP_INFRASTRUCTURE_POSTGRES_MIGRATION_FILES_H
#define SHOP_INFRASTRUCTURE_POSTGRES_MIGRATION_FILES_H

#include "application/operations/migration.h"

#include <stddef.h>

struct migration_set {
    struct migration *items; /* sorted by version */
    size_t count;
    char *dir;
};

/*
 * Where the migrations are: $SHOP_MIGRATIONS_DIR if set; else, for the installed shop,
 * the installed directory, and for an uninstalled build, the source tree it was built
 * from (each falling back to the other).  SHOP_ENOTFOUND when none exists.
 */
int migration_dir_find(const char **out);

/* Reads every NNNN_*.sql of dir; other files are ignored.  Free with _dispose. */
int migration_set_load(struct migration_set *out, const char *dir);

/* The migrations this shop ships: migration_dir_find, then migration_set_load. */
int migration_set_load_shipped(struct migration_set *out);
void migration_set_dispose(struct migration_set *set);

#endif
