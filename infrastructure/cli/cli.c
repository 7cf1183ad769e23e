/*
 * infrastructure/cli/cli.c — shared plumbing of the `shop` command line; see cli.h.
 */
#include "infrastructure/cli/cli.h"

#include "domain/shared/error.h"
#include "domain/shared/text.h"
#include "infrastructure/postgres/connection.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_exit_status(int error_code)
{
    switch (error_code) {
    case SHOP_OK: return CLI_EXIT_OK;
    case SHOP_EREFUSED:
    case SHOP_ENOTFOUND:
    case SHOP_ECONFLICT: return CLI_EXIT_REFUSED;
    case SHOP_EINVALID:
    case SHOP_EOVERFLOW: return CLI_EXIT_USAGE;
    case SHOP_EUNAVAILABLE:
    case SHOP_EIO:
    case SHOP_EINTERNAL:
    default: return CLI_EXIT_UNAVAILABLE;
    }
}

int cli_fail(const struct cli *cli, int error_code)
{
    const char *msg = shop_error_message();
    fprintf(stderr, "shop: %s\n", *msg ? msg : shop_error_name(error_code));
    if (cli && cli->verbose)
        fprintf(stderr, "shop: (%s, exit status %d)\n", shop_error_name(error_code),
                cli_exit_status(error_code));
    return cli_exit_status(error_code);
}

int cli_usage_error(const struct cli *cli, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const char *cmd = cli && cli->command ? cli->command : NULL;
    if (cmd)
        fprintf(stderr, "shop %s: %s; see 'shop %s --help'\n", cmd, msg, cmd);
    else
        fprintf(stderr, "shop: %s; see 'shop --help'\n", msg);
    return CLI_EXIT_USAGE;
}

int cli_common_option(struct cli *cli, int opt, const char *arg)
{
    switch (opt) {
    case 'j': cli->json = true; return 1;
    case 'v': cli->verbose = true; return 1;
    case 'd': cli->db = arg; return 1;
    case CLI_OPT_API: cli->api = arg; return 1;
    }
    return 0;
}

void cli_print_command_help(const struct cli_command *cmd)
{
    printf("Usage: shop %s%s%s\n\n%s\n", cmd->name, *cmd->args ? " " : "", cmd->args, cmd->summary);
    if (cmd->help && *cmd->help)
        printf("\n%s", cmd->help);
    printf("\nCommon options:\n"
           "      --json          print one JSON document instead of text\n"
           "  -v, --verbose       print detail on stderr\n"
           "      --db CONNINFO   database connection string or URI (default:\n"
           "                      $SHOP_DATABASE_URL, then PGHOST, PGPORT, PGDATABASE, ...)\n"
           "      --api URL       where the services listen (default: $SHOP_API_URL, then\n"
           "                      http://127.0.0.1:8080; each service at its own port above)\n"
           "  -h, --help          print this help\n"
           "\nExit status: 0 done, 1 refused or not found, 2 bad usage, 3 a dependency is\n"
           "unavailable (safe to retry).\n");
}

int cli_option_error(struct cli *cli, const struct cli_command *cmd, int opt, char **argv)
{
    char quoted[TEXT_QUOTE_SIZE];

    if (opt == 'h' && cmd) {
        cli_print_command_help(cmd);
        return CLI_EXIT_OK;
    }
    /*
     * getopt_long leaves optind after the word it last finished, so for a long option
     * argv[optind - 1] is that option; inside a cluster of short ones ("-xv") it is
     * not, and optopt names the letter instead.
     */
    const char *word = optind > 0 ? argv[optind - 1] : NULL;
    if (word && strncmp(word, "--", 2) == 0 && word[2]) {
        char name[TEXT_QUOTE_SIZE];
        snprintf(name, sizeof name, "%.*s", (int)strcspn(word, "="), word);
        text_quote(quoted, name);
        if (opt == ':')
            return cli_usage_error(cli, "option %s needs a value", quoted);
        if (optopt != 0 && strchr(word, '='))
            return cli_usage_error(cli, "option %s takes no value", quoted);
        return cli_usage_error(cli, "unknown option %s", quoted);
    }
    if (optopt > ' ' && optopt < 127) {
        if (opt == ':')
            return cli_usage_error(cli, "option -%c needs a value", optopt);
        return cli_usage_error(cli, "unknown option -%c", optopt);
    }
    return cli_usage_error(cli, "unknown option %s", text_quote(quoted, word ? word : "?"));
}

int cli_parse(struct cli *cli, const struct cli_command *cmd, int argc, char **argv,
              const struct option *own, cli_option_fn *on_option, void *ctx, int max_positional,
              int *out_first_positional)
{
    static const struct option common[] = {CLI_COMMON_LONG_OPTIONS};
    enum { MAX_OPTIONS = 32 };
    struct option options[MAX_OPTIONS + 1];
    size_t n = 0;
    int opt;

    for (; own && own[n].name && n < MAX_OPTIONS - 4; n++)
        options[n] = own[n];
    for (size_t i = 0; i < sizeof common / sizeof common[0]; i++)
        options[n++] = common[i];
    options[n] = (struct option){NULL, 0, NULL, 0};

    optind = 0; /* 0, not 1: glibc's getopt then forgets main()'s "+" (stop at the first
                   argument) and lets options follow this command's positional arguments */
    opterr = 0;
    while ((opt = getopt_long(argc, argv, CLI_COMMAND_SHORT_OPTIONS, options, NULL)) != -1) {
        if (cli_common_option(cli, opt, optarg))
            continue;
        if (on_option && opt != 'h' && opt != '?' && opt != ':') {
            on_option(ctx, opt, optarg);
            continue;
        }
        return cli_option_error(cli, cmd, opt, argv);
    }
    if (argc - optind > max_positional) {
        char quoted[TEXT_QUOTE_SIZE];
        if (max_positional == 0)
            return cli_usage_error(cli, "unexpected argument '%s' (this command takes none)",
                                   text_quote(quoted, argv[optind]));
        return cli_usage_error(cli, "unexpected argument '%s'",
                               text_quote(quoted, argv[optind + max_positional]));
    }
    if (out_first_positional)
        *out_first_positional = optind;
    return -1;
}

const struct cli_command *cli_find_command(const char *name)
{
    for (size_t i = 0; i < cli_command_count; i++)
        if (strcmp(cli_commands[i].name, name) == 0)
            return &cli_commands[i];
    return NULL;
}

int cli_connect(const struct cli *cli, PGconn **out)
{
    int rc = pg_connect(out, pg_conninfo_choose(cli->db), "shop", cli->verbose);
    return rc < 0 ? cli_fail(cli, rc) : 0;
}

void cli_print_json(cJSON *doc)
{
    char *text = cJSON_Print(doc);
    if (text) {
        fputs(text, stdout);
        fputc('\n', stdout);
        cJSON_free(text);
    }
    cJSON_Delete(doc);
}
