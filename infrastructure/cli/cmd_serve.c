/*
 * infrastructure/cli/cmd_serve.c — `shop serve SERVICE`: one service in the
 * foreground, until Ctrl-C or SIGTERM (then it finishes the request in hand, closes
 * its database connection and exits 0).
 *
 * Pattern: microservices — one process per bounded context.  `shop up` starts these.
 * Read next: infrastructure/service/serve.c, infrastructure/service/services.c.
 */
#include "infrastructure/cli/cli.h"

#include "domain/shared/error.h"
#include "domain/shared/text.h"
#include "infrastructure/service/serve.h"

#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct serve_args {
    struct serve_options options;
    const char *listen;
    const char *bad; /* first bad option value, for the usage error */
    const char *bad_option;
};

static int parse_number(const char *text, double min, double max, double *out)
{
    char *end;
    double v = strtod(text, &end);
    if (end == text || *end || v != v || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

/* "127.0.0.1:8081" or "localhost:0" (0: the kernel chooses a free port) */
static int parse_listen(const char *text, char *host, size_t host_size, int *port)
{
    const char *colon = strrchr(text, ':');
    double v;
    if (!colon || colon == text || (size_t)(colon - text) >= host_size ||
        strspn(colon + 1, "0123456789") != strlen(colon + 1) ||
        parse_number(colon + 1, 0, 65535, &v) < 0)
        return -1;
    snprintf(host, host_size, "%.*s", (int)(colon - text), text);
    *port = (int)v;
    return 0;
}

static void on_option(void *ctx, int opt, const char *arg)
{
    struct serve_args *a = ctx;
    double v, until;
    const char *colon;
    switch (opt) {
    case 'l': a->listen = arg; return;
    case 'L':
        if (parse_number(arg, 0, 600000, &v) == 0) {
            a->options.faults.latency_ms = (int)v;
            return;
        }
        break;
    case 'e':
        if (parse_number(arg, 0, 1, &v) == 0) {
            a->options.faults.error_rate = v;
            return;
        }
        break;
    case 'o':
        colon = strchr(arg, ':');
        if (colon) {
            char from[32];
            snprintf(from, sizeof from, "%.*s", (int)(colon - arg), arg);
            if (parse_number(from, 0, 1e9, &v) == 0 &&
                parse_number(colon + 1, 0, 1e9, &until) == 0 && until > v) {
                a->options.faults.outage_from_s = v;
                a->options.faults.outage_until_s = until;
                return;
            }
        }
        break;
    case 's':
        if (parse_number(arg, 0, 4294967295.0, &v) == 0 && v == (double)(unsigned long)v) {
            a->options.faults.seed = (unsigned long)v;
            a->options.faults.seeded = true;
            return;
        }
        break;
    case 'r': a->options.log_requests = true; return;
    }
    if (!a->bad) {
        a->bad = arg;
        a->bad_option = opt == 'L'   ? "--latency-ms: a number of milliseconds 0-600000"
                        : opt == 'e' ? "--error-rate: a number 0-1"
                        : opt == 'o' ? "--outage: FROM:UNTIL, seconds after start, FROM < UNTIL"
                                     : "--seed: an integer 0-4294967295";
    }
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    (void)what;
    fprintf(stderr, "%s: %s received, stopping\n", serve_name(arg),
            sig == SIGINT ? "SIGINT" : "SIGTERM");
    serve_stop(arg);
}

static void list_services(char *buf, size_t size)
{
    buf[0] = '\0';
    for (size_t i = 0; i < service_def_count; i++) {
        size_t used = strlen(buf);
        snprintf(buf + used, size - used, "%s%s", i ? ", " : "", service_defs[i].name);
    }
}

int cmd_serve(struct cli *cli, int argc, char **argv)
{
    static const struct option own[] = {{"listen", required_argument, NULL, 'l'},
                                        {"latency-ms", required_argument, NULL, 'L'},
                                        {"error-rate", required_argument, NULL, 'e'},
                                        {"outage", required_argument, NULL, 'o'},
                                        {"seed", required_argument, NULL, 's'},
                                        {"log-requests", no_argument, NULL, 'r'},
                                        CLI_COMMON_LONG_OPTIONS,
                                        {NULL, 0, NULL, 0}};
    struct serve_args a = {.options = {.port = -1}};
    int first;
    int status =
        cli_parse(cli, cli_find_command("serve"), argc, argv, own, on_option, &a, 1, &first);
    if (status >= 0)
        return status;
    char quoted[TEXT_QUOTE_SIZE], names[256];
    list_services(names, sizeof names);
    if (a.bad)
        return cli_usage_error(cli, "'%s' is not allowed for %s", text_quote(quoted, a.bad),
                               a.bad_option);
    if (first >= argc)
        return cli_usage_error(cli, "missing SERVICE; expected one of: %s", names);
    const struct service_def *def = service_find(argv[first]);
    if (!def)
        return cli_usage_error(cli, "no service '%s'; expected one of: %s",
                               text_quote(quoted, argv[first]), names);
    char host[128];
    if (a.listen) {
        int port;
        if (parse_listen(a.listen, host, sizeof host, &port) < 0)
            return cli_usage_error(cli, "--listen '%s' is not HOST:PORT (PORT 0-65535)",
                                   text_quote(quoted, a.listen));
        a.options.host = host;
        a.options.port = port;
    }
    a.options.conninfo = cli->db;
    a.options.api_url = cli->api;
    a.options.verbose = cli->verbose;

    struct served *s;
    int rc = serve_open(&s, def, &a.options);
    if (rc < 0)
        return cli_fail(cli, rc);
    struct event *sigint = evsignal_new(serve_base(s), SIGINT, on_signal, s);
    struct event *sigterm = evsignal_new(serve_base(s), SIGTERM, on_signal, s);
    evsignal_add(sigint, NULL);
    evsignal_add(sigterm, NULL);
    signal(SIGPIPE, SIG_IGN);
    fprintf(stderr, "%s: listening on http://%s:%u (pid %ld)\n", def->name, serve_host(s),
            (unsigned)serve_port(s), (long)getpid());
    rc = serve_run(s);
    event_free(sigint);
    event_free(sigterm);
    serve_close(s);
    if (rc < 0)
        return cli_fail(cli, rc);
    fprintf(stderr, "%s: stopped\n", def->name);
    return CLI_EXIT_OK;
}
