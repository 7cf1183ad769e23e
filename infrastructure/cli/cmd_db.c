/*
 * infrastructure/cli/cmd_db.c — `shop db migrate` and `shop db status`.
 *
 * The command line side of migrations: it connects, loads the shipped migration files,
 * and calls the application service migrate_run() with the PostgreSQL store.  It adds
 * nothing to the rules; those are in application/operations/migrate.c.
 * Read next: application/operations/migrate.c
 */
#include "infrastructure/cli/cmd_db.h"

#include "application/operations/migrate.h"
#include "domain/shared/error.h"
#include "infrastructure/postgres/connection.h"
#include "infrastructure/postgres/migration_files.h"
#include "infrastructure/postgres/migration_store_pg.h"
#include "infrastructure/postgres/system_status.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct progress {
    const struct cli *cli;
    const char *indent;
};

static void print_applied(const struct migration *m, size_t index, size_t total, void *ctx)
{
    struct progress *p = ctx;
    if (!p->cli->json)
        printf("%s  applied %s (%zu/%zu)\n", p->indent, m->name, index + 1, total);
}

static cJSON *migration_json(const struct migration *m)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "version", m->version);
    cJSON_AddStringToObject(o, "name", m->name);
    return o;
}

int cli_load_migrations(const struct cli *cli, struct migration_set *out)
{
    int rc = migration_set_load_shipped(out);
    return rc < 0 ? cli_fail(cli, rc) : CLI_EXIT_OK;
}

int cli_db_migrate(const struct cli *cli, PGconn *conn, const struct migration_set *shipped,
                   bool dry_run, const char *indent, cJSON **json_out)
{
    struct migration_store *store = NULL;
    struct migrate_report report = {0};
    char target[512];
    int rc, status = CLI_EXIT_OK;

    migration_store_pg_new(&store, conn);

    if (!cli->json)
        printf("%s%s database %s on %s\n", indent, dry_run ? "Checking" : "Migrating", PQdb(conn),
               pg_describe_target(conn, target, sizeof target));

    struct progress progress = {cli, indent};
    rc = migrate_run(&report, store, shipped->items, shipped->count, dry_run, print_applied,
                     &progress);
    if (rc < 0) {
        if (report.applied_count > 0) {
            char message[SHOP_ERROR_MESSAGE_MAX];
            snprintf(message, sizeof message, "%s", shop_error_message());
            shop_error_set(rc,
                           "%s (the %zu migration(s) before it were applied: the database is "
                           "at version %d)",
                           message, report.applied_count, report.version_after);
        }
        status = cli_fail(cli, rc);
        goto done;
    }

    if (json_out) {
        cJSON *doc = cJSON_CreateObject();
        cJSON_AddStringToObject(doc, "database", PQdb(conn));
        cJSON_AddNumberToObject(doc, "version_before", report.version_before);
        cJSON_AddNumberToObject(doc, "version_after", report.version_after);
        cJSON_AddNumberToObject(doc, "latest", report.latest_shipped);
        cJSON_AddBoolToObject(doc, "dry_run", dry_run);
        cJSON *list = cJSON_AddArrayToObject(doc, dry_run ? "pending" : "applied");
        size_t n = dry_run ? report.pending_count : report.applied_count;
        for (size_t i = 0; i < n; i++)
            cJSON_AddItemToArray(list, migration_json(report.pending[i]));
        *json_out = doc;
    }
    if (!cli->json) {
        if (dry_run && report.pending_count == 0)
            printf("%sDatabase is at version %d; nothing to migrate.\n", indent,
                   report.version_after);
        else if (dry_run) {
            for (size_t i = 0; i < report.pending_count; i++)
                printf("%s  would apply %s\n", indent, report.pending[i]->name);
            printf("%sDatabase is at version %d; %zu migration(s) pending.\n", indent,
                   report.version_after, report.pending_count);
        } else if (report.applied_count == 0)
            printf("%sDatabase is already at version %d; nothing to migrate.\n", indent,
                   report.version_after);
        else
            printf("%sDatabase is at version %d (%zu migration(s) applied).\n", indent,
                   report.version_after, report.applied_count);
    }

done:
    migrate_report_dispose(&report);
    migration_store_free(store);
    return status;
}

static void set_dry_run(void *ctx, int opt, const char *arg)
{
    (void)opt;
    (void)arg;
    *(bool *)ctx = true;
}

int cmd_db_migrate(struct cli *cli, int argc, char **argv)
{
    static const struct option own[] = {{"dry-run", no_argument, NULL, 'n'}, {NULL, 0, NULL, 0}};
    bool dry_run = false;
    int status = cli_parse(cli, cli_find_command("db migrate"), argc, argv, own, set_dry_run,
                           &dry_run, 0, NULL);
    if (status >= 0)
        return status;

    struct migration_set shipped;
    PGconn *conn = NULL;
    cJSON *doc = NULL;
    if ((status = cli_load_migrations(cli, &shipped)) == 0 &&
        (status = cli_connect(cli, &conn)) == 0)
        status = cli_db_migrate(cli, conn, &shipped, dry_run, "", cli->json ? &doc : NULL);
    if (doc)
        cli_print_json(doc);
    if (conn)
        PQfinish(conn);
    migration_set_dispose(&shipped);
    return status;
}

static const char *yes_no(bool b)
{
    return b ? "yes" : "no";
}

static void print_status_text(const struct system_status *st, const struct migration_set *set,
                              const struct applied_migration *applied, size_t n_applied,
                              int version)
{
    printf("server     PostgreSQL %s\n", st->server_version);
    printf("database   %s (as %s)\n", st->database, st->user);
    printf("version    %d of %d\n", version, set->count ? set->items[set->count - 1].version : 0);
    printf("\nmigrations\n");
    for (size_t i = 0; i < set->count; i++) {
        const char *when = NULL;
        for (size_t k = 0; k < n_applied; k++)
            if (applied[k].version == set->items[i].version)
                when = applied[k].applied_at;
        printf("  %-40s %s%s\n", set->items[i].name, when ? "applied " : "pending",
               when ? when : "");
    }
    printf("\n%-14s %-7s %-20s %-12s %s\n", "context", "schema", "role", "own schema",
           "other schemas");
    for (int i = 0; i < SYSTEM_CONTEXT_COUNT; i++) {
        const struct context_status *c = &st->contexts[i];
        printf("%-14s %-7s %-20s %-12s %d\n", c->name, yes_no(c->schema_exists),
               c->role_exists ? c->role : "(missing)", yes_no(c->role_uses_own),
               c->foreign_schemas);
    }
}

static cJSON *status_json(const struct system_status *st, const struct migration_set *set,
                          const struct applied_migration *applied, size_t n_applied, int version)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "server_version", st->server_version);
    cJSON_AddStringToObject(doc, "database", st->database);
    cJSON_AddStringToObject(doc, "user", st->user);
    cJSON_AddNumberToObject(doc, "version", version);
    cJSON_AddNumberToObject(doc, "latest", set->count ? set->items[set->count - 1].version : 0);
    cJSON *list = cJSON_AddArrayToObject(doc, "migrations");
    for (size_t i = 0; i < set->count; i++) {
        cJSON *m = migration_json(&set->items[i]);
        const char *when = NULL;
        for (size_t k = 0; k < n_applied; k++)
            if (applied[k].version == set->items[i].version)
                when = applied[k].applied_at;
        cJSON_AddStringToObject(m, "state", when ? "applied" : "pending");
        if (when)
            cJSON_AddStringToObject(m, "applied_at", when);
        else
            cJSON_AddNullToObject(m, "applied_at");
        cJSON_AddItemToArray(list, m);
    }
    cJSON *contexts = cJSON_AddArrayToObject(doc, "contexts");
    for (int i = 0; i < SYSTEM_CONTEXT_COUNT; i++) {
        const struct context_status *c = &st->contexts[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", c->name);
        cJSON_AddStringToObject(o, "role", c->role);
        cJSON_AddBoolToObject(o, "schema", c->schema_exists);
        cJSON_AddBoolToObject(o, "role_exists", c->role_exists);
        cJSON_AddBoolToObject(o, "uses_own_schema", c->role_uses_own);
        cJSON_AddNumberToObject(o, "other_schemas", c->foreign_schemas);
        cJSON_AddItemToArray(contexts, o);
    }
    return doc;
}

int cmd_db_status(struct cli *cli, int argc, char **argv)
{
    int status =
        cli_parse(cli, cli_find_command("db status"), argc, argv, NULL, NULL, NULL, 0, NULL);
    if (status >= 0)
        return status;

    struct migration_set set = {0};
    struct migration_store *store = NULL;
    struct applied_migration *applied = NULL;
    size_t n_applied = 0;
    struct system_status st;
    PGconn *conn = NULL;
    int rc;

    if ((status = cli_load_migrations(cli, &set)) != 0 || (status = cli_connect(cli, &conn)) != 0)
        goto done;
    migration_store_pg_new(&store, conn);
    if ((rc = migration_store_applied(store, &applied, &n_applied)) < 0 ||
        (rc = system_status_read(&st, conn)) < 0) {
        status = cli_fail(cli, rc);
        goto done;
    }
    int version = 0;
    for (size_t i = 0; i < n_applied; i++)
        if (applied[i].version > version)
            version = applied[i].version;

    if (cli->json)
        cli_print_json(status_json(&st, &set, applied, n_applied, version));
    else
        print_status_text(&st, &set, applied, n_applied, version);
    status = CLI_EXIT_OK;

done:
    free(applied);
    migration_store_free(store);
    if (conn)
        PQfinish(conn);
    migration_set_dispose(&set);
    return status;
}
