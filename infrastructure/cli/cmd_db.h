/*
 * infrastructure/cli/cmd_db.h — `shop db ...`, shared with `shop demo`, which migrates
 * first as `shop db migrate` does.
 */
#ifndef SHOP_INFRASTRUCTURE_CLI_CMD_DB_H
#define SHOP_INFRASTRUCTURE_CLI_CMD_DB_H

#include "infrastructure/cli/cli.h"
#include "infrastructure/postgres/migration_files.h"

#include <libpq-fe.h>
#include <stdbool.h>

/*
 * Loads the migrations this shop ships, before any connection is made: a broken
 * installation is reported as such, not as an unreachable database.  Exit status.
 */
int cli_load_migrations(const struct cli *cli, struct migration_set *out);

/*
 * Applies the pending migrations of `shipped` on conn, printing progress for people (each line
 * starting with indent; nothing with --json); fills *json_out (may be NULL) with the
 * run as JSON.  Returns an exit status.
 */
int cli_db_migrate(const struct cli *cli, PGconn *conn, const struct migration_set *shipped,
                   bool dry_run, const char *indent, cJSON **json_out);

#endif
