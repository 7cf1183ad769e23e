/*
 * infrastructure/cli/cli.h — what every `shop` command shares: global options, the
 * exit-status contract of docs/cli.md (0 done, 1 refused/not found, 2 bad usage, 3 dependency
 * unavailable), one-line errors, JSON output, and the database connection.
 *
 * The command line is a driving adapter (hexagonal architecture): it turns argv into
 * calls of application services and their results into text or JSON.
 * Read next: main.c (dispatch), cmd_db.c (a command).
 */
#ifndef SHOP_INFRASTRUCTURE_CLI_CLI_H
#define SHOP_INFRASTRUCTURE_CLI_CLI_H

#include <cjson/cJSON.h>
#include <getopt.h>
#include <libpq-fe.h>
#include <stdbool.h>

enum cli_exit {
    CLI_EXIT_OK = 0,
    CLI_EXIT_REFUSED = 1,    /* business rule, or not found */
    CLI_EXIT_USAGE = 2,      /* bad usage or invalid input */
    CLI_EXIT_UNAVAILABLE = 3 /* a dependency is unavailable: safe to retry */
};

struct cli {
    bool json;           /* --json: one JSON document on stdout */
    bool verbose;        /* --verbose: detail on stderr */
    const char *db;      /* --db CONNINFO, NULL for SHOP_DATABASE_URL / libpq environment */
    const char *api;     /* --api URL, NULL for SHOP_API_URL / the default (service.h) */
    const char *command; /* "db migrate", for messages */
};

struct cli_command {
    const char *name;    /* "db migrate" */
    const char *args;    /* "[--dry-run]" */
    const char *summary; /* one line for `shop --help` */
    const char *help;    /* the rest of `shop db migrate --help` */
    int (*run)(struct cli *cli, int argc, char **argv);
};

/* The command table (main.c). */
extern const struct cli_command cli_commands[];
extern const size_t cli_command_count;

/* SHOP_E* → exit status, the one mapping of docs/cli.md's table. */
int cli_exit_status(int error_code);

/* Prints "shop: <last error message>" on stderr and returns the exit status for code. */
int cli_fail(const struct cli *cli, int error_code);

/* Prints "shop <command>: <message>; see 'shop <command> --help'" and returns 2. */
int cli_usage_error(const struct cli *cli, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * The options every command accepts, to append to a command's own getopt_long table,
 * and their handling: returns 1 if `opt` was a common option (handled), 0 if not.
 */
/* Long-only common options get values outside the range of characters, so that no
 * command's own short option letter can collide with them. */
#define CLI_OPT_API 0x101
#define CLI_COMMON_LONG_OPTIONS                                                                    \
    {"json", no_argument, NULL, 'j'}, {"verbose", no_argument, NULL, 'v'},                         \
        {"db", required_argument, NULL, 'd'}, {"api", required_argument, NULL, CLI_OPT_API},               \
    {                                                                                              \
        "help", no_argument, NULL, 'h'                                                             \
    }
#define CLI_COMMON_SHORT_OPTIONS "+:vh"
/* A command's own arguments: options may also follow its positional arguments. */
#define CLI_COMMAND_SHORT_OPTIONS ":vh"
int cli_common_option(struct cli *cli, int opt, const char *arg);

/* Called for each of a command's own options (getopt_long's val and optarg). */
typedef void cli_option_fn(void *ctx, int opt, const char *arg);

/*
 * Parses a command's argv (argv[0] is the command's last word): the common options,
 * the command's own long options `own` (terminated by a zero entry; NULL for none),
 * each handed to on_option, and at most max_positional arguments, the first at
 * argv[*out_first_positional].  Returns -1 to go on, or the exit status to end with
 * (after --help, or a one-line usage error).
 */
int cli_parse(struct cli *cli, const struct cli_command *cmd, int argc, char **argv,
              const struct option *own, cli_option_fn *on_option, void *ctx, int max_positional,
              int *out_first_positional);

/* Handles getopt_long's '?', ':' and 'h' results uniformly; returns an exit status. */
int cli_option_error(struct cli *cli, const struct cli_command *cmd, int opt, char **argv);

void cli_print_command_help(const struct cli_command *cmd);
const struct cli_command *cli_find_command(const char *name);

/* Connects as the CLI does (--db, SHOP_DATABASE_URL, libpq env); exit status on failure. */
int cli_connect(const struct cli *cli, PGconn **out);

/*
 * Calls a service's HTTP API as the domain commands do (the CLI is one more driving
 * adapter of each context): the service's address from --api / SHOP_API_URL /
 * SHOP_<NAME>_URL, body (may be NULL) sent as JSON.  Returns 0 with the reply's JSON
 * in *out (caller frees; NULL for an empty body), or prints the one-line refusal the
 * service gave (or "catalog at ...: connection refused — is `shop up` running?") and
 * returns the exit status for it.  Implemented in cli_http.c.
 */
int cli_call(const struct cli *cli, cJSON **out, const char *service, const char *method,
             const char *path, const cJSON *body);

/* Prints doc as one JSON document on stdout and frees it. */
void cli_print_json(cJSON *doc);

/* The commands, one cmd_*.c file each; argv[0] is the command's last word. */
int cmd_db_migrate(struct cli *cli, int argc, char **argv);
int cmd_db_status(struct cli *cli, int argc, char **argv);
int cmd_demo(struct cli *cli, int argc, char **argv);
int cmd_order_history(struct cli *cli, int argc, char **argv);
int cmd_events_tail(struct cli *cli, int argc, char **argv);
int cmd_trace(struct cli *cli, int argc, char **argv); /* cmd_trace.c */
/* Prints a collected trace as `shop trace` does (the causal tree, for people). */
struct trace;
void cli_print_trace(const struct trace *t); /* cmd_trace.c */
/* the services and the domain commands (HTTP clients of the services' APIs) */
int cmd_serve(struct cli *cli, int argc, char **argv);         /* cmd_serve.c */
int cmd_up(struct cli *cli, int argc, char **argv);            /* cmd_up.c */
int cmd_status(struct cli *cli, int argc, char **argv);        /* cmd_status.c */
int cmd_catalog_add(struct cli *cli, int argc, char **argv);   /* cmd_catalog.c */
int cmd_catalog_price(struct cli *cli, int argc, char **argv);
int cmd_catalog_list(struct cli *cli, int argc, char **argv);
int cmd_stock_receive(struct cli *cli, int argc, char **argv); /* cmd_stock.c */
int cmd_stock_list(struct cli *cli, int argc, char **argv);
int cmd_stock_show(struct cli *cli, int argc, char **argv);
int cmd_order_place(struct cli *cli, int argc, char **argv);   /* cmd_order_api.c */
int cmd_order_show(struct cli *cli, int argc, char **argv);
int cmd_order_list(struct cli *cli, int argc, char **argv);
int cmd_order_cancel(struct cli *cli, int argc, char **argv);
int cmd_notifications_list(struct cli *cli, int argc, char **argv); /* cmd_notifications.c */
/* operations: the fulfilment sagas (cmd_saga.c, reads PostgreSQL) */
int cmd_saga_list(struct cli *cli, int argc, char **argv);
int cmd_saga_show(struct cli *cli, int argc, char **argv);
int cmd_report_sales(struct cli *cli, int argc, char **argv);       /* cmd_report.c */
/* operations: dead letters of the subscribers (cmd_dlq.c, reads PostgreSQL) */
int cmd_dlq_list(struct cli *cli, int argc, char **argv);
int cmd_dlq_show(struct cli *cli, int argc, char **argv);
int cmd_dlq_replay(struct cli *cli, int argc, char **argv);
int cmd_dlq_discard(struct cli *cli, int argc, char **argv);
/* operations: Reporting's projections (cmd_projection.c, reads PostgreSQL) */
int cmd_projection_list(struct cli *cli, int argc, char **argv);
int cmd_projection_rebuild(struct cli *cli, int argc, char **argv);
/* operations: the circuit breakers of the running services (cmd_breaker.c, over HTTP) */
int cmd_breaker_status(struct cli *cli, int argc, char **argv);

#endif
