/*
 * infrastructure/cli/cmd_up.c — `shop up [--monolith] [--no-mesh] [--only NAME,...]`: the
 * whole system in the foreground, until Ctrl-C, SIGTERM or SIGHUP (then exit 0).
 *
 * Pattern: microservices and their process layouts (docs/patterns/microservices.md).
 *   - default: one process per service.  Each is this same program run as `shop serve
 *     NAME` (with the same --db, --api and --verbose), supervised by supervisor.c:
 *     output prefixed with the service's name, restarts with backoff, orderly stop.
 *   - --monolith: every bounded context in this process, a thread each (monolith.c), at
 *     the same addresses as its own process would use.  The simulated external systems
 *     (payment gateway, carrier) are not part of the shop, so they still run as
 *     supervised processes of their own.
 * Before anything starts, the database must be reachable (else exit 3) and migrated
 * (else exit 1): a service that cannot start would only be restarted again and again.
 * Read next: infrastructure/service/supervisor.c, infrastructure/service/monolith.c.
 */
#include "infrastructure/cli/cli.h"

#include "application/operations/migrate.h"
#include "domain/shared/error.h"
#include "domain/shared/text.h"
#include "infrastructure/cli/cmd_db.h"
#include "infrastructure/postgres/migration_store_pg.h"
#include "infrastructure/service/monolith.h"
#include "infrastructure/service/service.h"
#include "infrastructure/service/supervisor.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SELF_EXE "/proc/self/exe"

struct up_args {
    bool monolith;
    bool no_mesh;
    const char *only; /* "catalog,carrier" or NULL for every service */
};

static void on_option(void *ctx, int opt, const char *arg)
{
    struct up_args *a = ctx;
    switch (opt) {
    case 'm': a->monolith = true; break;
    case 'n': a->no_mesh = true; break;
    case 'o': a->only = arg; break;
    }
}

/* Exit status 3 if the database cannot be reached, 1 if migrations are pending. */
static int check_database(struct cli *cli)
{
    struct migration_set shipped = {0};
    struct migration_store *store = NULL;
    struct migrate_report report = {0};
    PGconn *conn = NULL;
    int status;
    if ((status = cli_load_migrations(cli, &shipped)) != 0 ||
        (status = cli_connect(cli, &conn)) != 0)
        goto done;
    int rc = migration_store_pg_new(&store, conn);
    if (rc == 0)
        rc = migrate_run(&report, store, shipped.items, shipped.count, true, NULL, NULL);
    if (rc < 0) {
        status = cli_fail(cli, rc);
        goto done;
    }
    if (report.pending_count > 0) {
        fprintf(stderr,
                "shop up: the database is at version %d, this shop needs %d: run 'shop db "
                "migrate'\n",
                report.version_before, report.latest_shipped);
        status = CLI_EXIT_REFUSED;
    }
done:
    migrate_report_dispose(&report);
    migration_store_free(store);
    if (conn)
        PQfinish(conn);
    migration_set_dispose(&shipped);
    return status;
}

/* argv of `shop [--db X] [--api Y] [--verbose] serve NAME` for a child */
static void child_argv(const struct cli *cli, const char *name, const char *argv[10])
{
    int n = 0;
    argv[n++] = "shop";
    if (cli->db) {
        argv[n++] = "--db";
        argv[n++] = cli->db;
    }
    if (cli->api) {
        argv[n++] = "--api";
        argv[n++] = cli->api;
    }
    if (cli->verbose)
        argv[n++] = "--verbose";
    argv[n++] = "serve";
    argv[n++] = name;
    argv[n] = NULL;
}

struct monolith_run {
    struct supervisor *sup;
    struct monolith *monolith;
};

static void on_thread_started(void *ctx, struct served *s)
{
    struct monolith_run *run = ctx;
    supervisor_say(run->sup, serve_name(s), "listening on http://%s:%u (in this process, pid %ld)",
                   serve_host(s), (unsigned)serve_port(s), (long)getpid());
}

static void on_stop(void *ctx)
{
    struct monolith_run *run = ctx;
    monolith_stop(run->monolith);
}

int cmd_up(struct cli *cli, int argc, char **argv)
{
    static const struct option own[] = {{"monolith", no_argument, NULL, 'm'},
                                        {"no-mesh", no_argument, NULL, 'n'},
                                        {"only", required_argument, NULL, 'o'},
                                        CLI_COMMON_LONG_OPTIONS,
                                        {NULL, 0, NULL, 0}};
    struct up_args a = {0};
    int status = cli_parse(cli, cli_find_command("up"), argc, argv, own, on_option, &a, 0, NULL);
    if (status >= 0)
        return status;
    const struct service_def *defs[SERVICE_MAX];
    int n = service_select(defs, a.only);
    if (n < 0)
        return cli_usage_error(cli, "--only: %s", shop_error_message());
    char url[SERVICE_URL_MAX];
    for (int i = 0; i < n; i++)
        if (service_url(url, defs[i]->name, cli->api) < 0)
            return cli_usage_error(cli, "%s", shop_error_message());

    bool any_context = false;
    for (int i = 0; i < n; i++)
        any_context = any_context || defs[i]->db_role != NULL;
    if (any_context && (status = check_database(cli)) != 0)
        return status;

    signal(SIGPIPE, SIG_IGN);
    struct monolith_run run = {0};
    struct supervisor_options options = {.own_name = "shop up"};
    if (a.monolith) {
        options.on_stop = on_stop;
        options.on_stop_ctx = &run;
    }
    run.sup = supervisor_new(&options);
    for (int i = 0; i < n; i++)
        supervisor_reserve_name(run.sup, defs[i]->name);
    supervisor_say(run.sup, "shop up", "%s, pid %ld; Ctrl-C stops every service",
                   a.monolith ? "modular monolith: every context in this process"
                              : "one process per service",
                   (long)getpid());

    const struct service_def *contexts[16];
    int n_contexts = 0;
    for (int i = 0; i < n; i++) {
        if (a.monolith && !defs[i]->external) {
            contexts[n_contexts++] = defs[i];
            continue;
        }
        const char *child[10];
        child_argv(cli, defs[i]->name, child);
        supervisor_add(run.sup, defs[i]->name, SELF_EXE, child);
    }
    if (a.monolith) {
        struct serve_options serve = {
            .conninfo = cli->db, .port = -1, .api_url = cli->api, .verbose = cli->verbose};
        int rc = monolith_start(&run.monolith, contexts, (size_t)n_contexts, &serve,
                                on_thread_started, &run);
        if (rc < 0) {
            supervisor_free(run.sup);
            return cli_fail(cli, rc);
        }
    }
    int rc = supervisor_run(run.sup);
    monolith_stop(run.monolith); /* already, unless the loop failed */
    monolith_free(run.monolith);
    supervisor_say(run.sup, "shop up", "stopped");
    supervisor_free(run.sup);
    return rc < 0 ? cli_fail(cli, rc) : CLI_EXIT_OK;
}
