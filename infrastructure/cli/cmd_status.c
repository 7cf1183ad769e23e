/*
 * infrastructure/cli/cmd_status.c — `shop status [--only NAME,...]`: every service of the
 * table, asked at its address (--api / SHOP_API_URL / SHOP_<NAME>_URL) for GET /health:
 * up or down, address, pid, version, database role.
 *
 * Pattern: health checks of microservices.  The answer comes from the running services
 * themselves, not from a list of what was started: a service that is up at its address
 * is up, whichever layout (`shop up`, `shop up --monolith`, `shop serve`) started it.
 * Exit status: 0 when every service asked about is up, 3 (a dependency is unavailable,
 * safe to retry) when one or more is down, after printing the whole table all the same,
 * so that a script can wait with `until shop status >/dev/null; do sleep 1; done`.
 * Read next: infrastructure/http/http_server.c (serve_health), cmd_up.c.
 */
#include "infrastructure/cli/cli.h"

#include "domain/shared/error.h"
#include "domain/shared/text.h"
#include "infrastructure/http/http_client.h"
#include "infrastructure/service/service.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define STATUS_TIMEOUT_MS 1000

struct health {
    bool up;
    char address[SERVICE_URL_MAX];
    long pid; /* 0: unknown */
    char version[32];
    char db_role[64];
    char reason[160]; /* why down */
};

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void copy_string(char *dst, size_t size, const cJSON *doc, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, key);
    snprintf(dst, size, "%s", cJSON_IsString(v) ? v->valuestring : "");
}

static void ask(struct health *h, const struct cli *cli, const char *name)
{
    memset(h, 0, sizeof *h);
    if (service_url(h->address, name, cli->api) < 0) {
        snprintf(h->reason, sizeof h->reason, "%s", shop_error_message());
        return;
    }
    struct http_request req = {.service = name,
                               .base_url = h->address,
                               .method = "GET",
                               .path = "/health",
                               .timeout_ms = STATUS_TIMEOUT_MS};
    struct http_reply reply;
    double started = now_ms();
    if (http_send(&reply, &req) < 0) {
        /* "catalog at 127.0.0.1:8081: no reply within 1000 ms": keep what follows the
         * address, except that a refused connection fails at once, whatever it is called */
        const char *m = shop_error_message();
        const char *colon = strstr(m, ": ");
        if (now_ms() - started < STATUS_TIMEOUT_MS / 2)
            snprintf(h->reason, sizeof h->reason, "cannot connect: nothing listens there");
        else
            snprintf(h->reason, sizeof h->reason, "%s", colon ? colon + 2 : m);
        return;
    }
    cJSON *doc = reply.body ? cJSON_Parse(reply.body) : NULL;
    const cJSON *pid = cJSON_GetObjectItemCaseSensitive(doc, "pid");
    const cJSON *state = cJSON_GetObjectItemCaseSensitive(doc, "status");
    const cJSON *service = cJSON_GetObjectItemCaseSensitive(doc, "service");
    if (cJSON_IsNumber(pid))
        h->pid = (long)pid->valuedouble;
    copy_string(h->version, sizeof h->version, doc, "version");
    copy_string(h->db_role, sizeof h->db_role, doc, "db_role");
    if (!cJSON_IsObject(doc))
        snprintf(h->reason, sizeof h->reason, "HTTP %d, not a health report", reply.status);
    else if (!cJSON_IsString(service) || strcmp(service->valuestring, name) != 0)
        snprintf(h->reason, sizeof h->reason, "another service answers there (%s)",
                 cJSON_IsString(service) ? service->valuestring : "unnamed");
    else if (reply.status != 200 || !cJSON_IsString(state) || strcmp(state->valuestring, "up"))
        snprintf(h->reason, sizeof h->reason, "reports itself down (HTTP %d)", reply.status);
    else
        h->up = true;
    cJSON_Delete(doc);
    http_reply_dispose(&reply);
}

static cJSON *health_json(const char *name, const struct health *h)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", name);
    cJSON_AddStringToObject(o, "state", h->up ? "up" : "down");
    cJSON_AddStringToObject(o, "address", h->address);
    if (h->pid)
        cJSON_AddNumberToObject(o, "pid", (double)h->pid);
    else
        cJSON_AddNullToObject(o, "pid");
    if (h->version[0])
        cJSON_AddStringToObject(o, "version", h->version);
    else
        cJSON_AddNullToObject(o, "version");
    if (h->db_role[0])
        cJSON_AddStringToObject(o, "db_role", h->db_role);
    if (!h->up)
        cJSON_AddStringToObject(o, "reason", h->reason);
    return o;
}

static void print_row(const char *name, const struct health *h)
{
    char pid[24] = "-";
    if (h->pid)
        snprintf(pid, sizeof pid, "%ld", h->pid);
    printf("%-16s %-5s %-24s %-8s %-8s %s\n", name, h->up ? "up" : "down", h->address, pid,
           h->version[0] ? h->version : "-", h->up ? h->db_role : h->reason);
}

static void set_only(void *ctx, int opt, const char *arg)
{
    (void)opt;
    *(const char **)ctx = arg;
}

int cmd_status(struct cli *cli, int argc, char **argv)
{
    static const struct option own[] = {
        {"only", required_argument, NULL, 'o'}, CLI_COMMON_LONG_OPTIONS, {NULL, 0, NULL, 0}};
    const char *only = NULL;
    int status =
        cli_parse(cli, cli_find_command("status"), argc, argv, own, set_only, &only, 0, NULL);
    if (status >= 0)
        return status;
    const struct service_def *defs[SERVICE_MAX];
    int n = service_select(defs, only);
    if (n < 0)
        return cli_usage_error(cli, "--only: %s", shop_error_message());

    cJSON *list = cli->json ? cJSON_CreateArray() : NULL;
    size_t down = 0;
    char down_names[256] = "";
    if (!list)
        printf("%-16s %-5s %-24s %-8s %-8s %s\n", "SERVICE", "STATE", "ADDRESS", "PID", "VERSION",
               "ROLE OR WHY DOWN");
    for (int i = 0; i < n; i++) {
        const char *name = defs[i]->name;
        struct health h;
        ask(&h, cli, name);
        if (!h.up) {
            size_t used = strlen(down_names);
            snprintf(down_names + used, sizeof down_names - used, "%s%s", down ? ", " : "", name);
            down++;
        }
        if (list)
            cJSON_AddItemToArray(list, health_json(name, &h));
        else
            print_row(name, &h);
    }
    if (list)
        cli_print_json(list);
    if (down == 0)
        return CLI_EXIT_OK;
    fprintf(stderr, "shop status: %zu of %zu services down: %s\n", down, (size_t)n, down_names);
    return CLI_EXIT_UNAVAILABLE;
}
