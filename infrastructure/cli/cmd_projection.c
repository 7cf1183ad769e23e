/*
 * infrastructure/cli/cmd_projection.c — `shop projection list` and `shop projection
 * rebuild NAME`: Reporting's projections (the read side of CQRS, docs/patterns/cqrs.md).
 *
 * Operations commands: they read and change PostgreSQL directly, connected with --db /
 * SHOP_DATABASE_URL as the operator (the database's owner or a superuser, who may act
 * as shop_owner: a rebuild creates, drops and renames Reporting's tables).
 *
 *   list     each projection: its checkpoint on the bus, its lag (messages of its types
 *            after the checkpoint), how many it applied, when it was last updated
 *   rebuild  projector_rebuild (infrastructure/reporting/projector.h): new tables from
 *            position zero while the old ones keep serving, then the swap in one
 *            transaction.  On a terminal a progress bar (messages done / total, rate);
 *            otherwise a plain line per step; --json: one final document.  SIGINT or
 *            SIGTERM stops it between batches: the old tables keep serving, the new
 *            ones are dropped, exit 1.
 * Exit status: 1 an unknown projection (the message lists the names) or an interrupted
 * rebuild; 2 bad usage; 3 the database cannot be reached.
 * Read next: infrastructure/reporting/projector.c
 */
#include "domain/shared/error.h"
#include "domain/shared/text.h"
#include "infrastructure/cli/cli.h"
#include "infrastructure/reporting/projector.h"
#include "infrastructure/reporting/read_models.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *string_of(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : "-";
}

static double number_of(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

int cmd_projection_list(struct cli *cli, int argc, char **argv)
{
    PGconn *conn = NULL;
    cJSON *doc = NULL;
    int status =
        cli_parse(cli, cli_find_command("projection list"), argc, argv, NULL, NULL, NULL, 0, NULL);
    if (status >= 0)
        return status;
    if ((status = cli_connect(cli, &conn)) != 0)
        return status;
    int rc = read_model_projections(&doc, conn);
    PQfinish(conn);
    if (rc < 0)
        return cli_fail(cli, rc);
    if (cli->json) {
        cli_print_json(doc);
        return 0;
    }
    printf("%-14s  %-24s  %8s  %10s  %s\n", "PROJECTION", "CHECKPOINT (XID/POSITION)", "LAG",
           "HANDLED", "UPDATED");
    const cJSON *p;
    cJSON_ArrayForEach(p, doc)
    {
        const cJSON *cp = cJSON_GetObjectItemCaseSensitive(p, "checkpoint");
        char where[64];
        snprintf(where, sizeof where, "%s/%s", string_of(cp, "transaction_id"),
                 string_of(cp, "position"));
        printf("%-14s  %-24s  %8.0f  %10.0f  %s\n", string_of(p, "name"), where,
               number_of(p, "lag"), number_of(p, "handled"), string_of(p, "updated_at"));
    }
    cJSON_Delete(doc);
    return 0;
}

/* ------------------------------------------------------------------ rebuild */

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int signo)
{
    (void)signo;
    stop_requested = 1;
}

struct progress_view {
    const struct cli *cli;
    const char *name;
    bool terminal;
    struct timespec started;
    long last_printed;
};

static double seconds_since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static void show_progress(void *ctx, const struct rebuild_progress *p)
{
    struct progress_view *v = ctx;
    if (v->cli->json)
        return;
    double elapsed = seconds_since(&v->started);
    double rate = elapsed > 0 ? (double)p->done / elapsed : 0;
    if (v->terminal) {
        enum { WIDTH = 30 };
        int filled = p->total > 0 ? (int)((double)p->done * WIDTH / (double)p->total) : WIDTH;
        char bar[WIDTH + 1];
        for (int i = 0; i < WIDTH; i++)
            bar[i] = i < filled ? '#' : '.';
        bar[WIDTH] = '\0';
        fprintf(stderr, "\r%s [%s] %ld/%ld messages, %.0f/s%s", v->name, bar, p->done, p->total,
                rate, p->final ? "\n" : "");
        fflush(stderr);
    } else if (p->final || p->done != v->last_printed) {
        fprintf(stderr, "%s: %ld/%ld messages, %.0f/s%s\n", v->name, p->done, p->total, rate,
                p->final ? ", swapped" : "");
        v->last_printed = p->done;
    }
}

int cmd_projection_rebuild(struct cli *cli, int argc, char **argv)
{
    int first;
    int status = cli_parse(cli, cli_find_command("projection rebuild"), argc, argv, NULL, NULL,
                           NULL, 1, &first);
    if (status >= 0)
        return status;
    if (first >= argc)
        return cli_usage_error(cli, "NAME is missing");
    const struct projection *p = projection_find(argv[first]);
    if (!p) {
        char names[256], quoted[TEXT_QUOTE_SIZE];
        projection_names(names, sizeof names);
        return cli_fail(cli,
                        shop_error_set(SHOP_ENOTFOUND, "no projection '%s'; the projections: %s",
                                       text_quote(quoted, argv[first]), names));
    }
    PGconn *conn = NULL;
    if ((status = cli_connect(cli, &conn)) != 0)
        return status;

    struct progress_view view = {.cli = cli, .name = p->name, .terminal = isatty(STDERR_FILENO)};
    clock_gettime(CLOCK_MONOTONIC, &view.started);
    struct sigaction on_stop = {.sa_handler = on_stop_signal}, old_int, old_term;
    sigemptyset(&on_stop.sa_mask);
    stop_requested = 0;
    sigaction(SIGINT, &on_stop, &old_int);
    sigaction(SIGTERM, &on_stop, &old_term);
    int rc = projector_rebuild(conn, p, 0, &stop_requested, show_progress, &view);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    if (view.terminal && rc < 0 && !cli->json)
        fputc('\n', stderr);
    if (rc < 0) {
        PQfinish(conn);
        return cli_fail(cli, rc);
    }
    cJSON *all = NULL, *mine = NULL;
    rc = read_model_projections(&all, conn);
    PQfinish(conn);
    if (rc < 0)
        return cli_fail(cli, rc);
    const cJSON *item;
    cJSON_ArrayForEach(item, all) if (strcmp(string_of(item, "name"), p->name) == 0) mine =
        cJSON_Duplicate(item, 1);
    cJSON_Delete(all);
    if (!mine)
        return cli_fail(cli, shop_error_set(SHOP_EINTERNAL, "projection %s vanished", p->name));
    cJSON_AddNumberToObject(mine, "seconds", seconds_since(&view.started));
    if (cli->json) {
        cli_print_json(mine);
        return 0;
    }
    printf("Projection %s rebuilt: %.0f messages applied, checkpoint %s/%s.\n", p->name,
           number_of(mine, "handled"),
           string_of(cJSON_GetObjectItemCaseSensitive(mine, "checkpoint"), "transaction_id"),
           string_of(cJSON_GetObjectItemCaseSensitive(mine, "checkpoint"), "position"));
    cJSON_Delete(mine);
    return 0;
}
