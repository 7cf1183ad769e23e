/*
 * infrastructure/cli/cmd_breaker.c — `shop breaker status [--only SERVICE,...]`: the
 * circuit breakers of the running services, as they are now.
 *
 * A client of the services' GET /breakers (infrastructure/resilience/dependency.h): each
 * service that calls another system keeps one breaker per dependency in its process —
 * Payments the "payment-gateway", Shipping the "carrier" — and answers with their state
 * and window.  The breakers live in the services, not in a database, so there is nothing
 * to read when a service is down: its breakers are shown as "unknown" and the command
 * ends with exit 3 (a dependency unavailable), after printing what the others said.
 *
 *     $ shop breaker status
 *     NAME             STATE      FAILURE  SLOW    CALLS  SINCE
 *     payment-gateway  OPEN       100.0%   0.0%    4      2024-06-10T06:13:20.512301Z
 *     carrier          CLOSED     -        -       0      2024-06-10T06:13:02.104220Z
 *
 * A rate is "-" below the breaker's minimum number of calls (no decision yet).
 * Read next: docs/patterns/circuit-breaker.md ("How to watch it live")
 */
#include "domain/shared/error.h"
#include "infrastructure/cli/cli.h"
#include "infrastructure/http/http_client.h"
#include "infrastructure/service/service.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The services that have breakers, and the dependency each one protects itself from. */
static const struct {
    const char *service;
    const char *dependency;
} guarded[] = {{"payments", "payment-gateway"}, {"shipping", "carrier"}};
#define GUARDED_COUNT (sizeof guarded / sizeof guarded[0])

#define BREAKER_STATUS_TIMEOUT_MS 2000

static void set_only(void *ctx, int opt, const char *arg)
{
    if (opt == 'o')
        *(const char **)ctx = arg;
}

/* Marks in asked[] the services of a comma-separated list; SHOP_EINVALID for another. */
static int select_services(bool asked[GUARDED_COUNT], const char *only)
{
    for (size_t i = 0; i < GUARDED_COUNT; i++)
        asked[i] = only == NULL;
    if (!only)
        return 0;
    const char *p = only;
    while (1) {
        size_t len = strcspn(p, ",");
        size_t i = 0;
        while (i < GUARDED_COUNT &&
               !(strlen(guarded[i].service) == len && strncmp(guarded[i].service, p, len) == 0))
            i++;
        if (i == GUARDED_COUNT)
            return shop_error_set(SHOP_EINVALID,
                                  "no service '%.*s' with breakers; expected names from: "
                                  "payments, shipping",
                                  (int)len, p);
        asked[i] = true;
        if (!p[len])
            return 0;
        p += len + 1;
    }
}

/* GET /breakers of a service: 0 and the array, or the failure with its message. */
static int ask(cJSON **out, const struct cli *cli, const char *service)
{
    char url[SERVICE_URL_MAX];
    *out = NULL;
    int rc = service_url(url, service, cli->api);
    if (rc < 0)
        return rc;
    struct http_request req = {.service = service,
                               .base_url = url,
                               .method = "GET",
                               .path = "/breakers",
                               .timeout_ms = BREAKER_STATUS_TIMEOUT_MS};
    if (cli->verbose)
        fprintf(stderr, "shop: GET %s/breakers\n", url);
    if ((rc = http_call(out, &req)) < 0)
        return rc;
    if (!cJSON_IsArray(*out)) {
        cJSON_Delete(*out);
        *out = NULL;
        return shop_error_set(SHOP_EINTERNAL,
                              "%s answered GET /breakers with something other "
                              "than a list",
                              service);
    }
    return 0;
}

/* What is shown for a breaker whose service did not answer. */
static cJSON *unknown_breaker(const char *name, const char *service)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", name);
    cJSON_AddStringToObject(o, "state", "unknown");
    cJSON_AddNullToObject(o, "failure_rate");
    cJSON_AddNullToObject(o, "slow_call_rate");
    cJSON_AddNullToObject(o, "calls");
    cJSON_AddNullToObject(o, "since");
    cJSON_AddStringToObject(o, "service", service);
    return o;
}

static const char *text_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) && *v->valuestring ? v->valuestring : "-";
}

/* "12.5%", or "-" for null (below the minimum number of calls) or a missing rate. */
static const char *rate_of(char out[16], const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(v))
        return "-";
    snprintf(out, 16, "%.1f%%", v->valuedouble);
    return out;
}

static void print_table(const cJSON *list)
{
    printf("%-16s %-12s %-8s %-7s %-6s %s\n", "NAME", "STATE", "FAILURE", "SLOW", "CALLS", "SINCE");
    const cJSON *b;
    cJSON_ArrayForEach(b, list)
    {
        char state[24], failure[16], slow[16], calls[16] = "-";
        snprintf(state, sizeof state, "%s", text_of(b, "state"));
        for (char *p = state; *p; p++)
            if (*p >= 'a' && *p <= 'z')
                *p = (char)(*p - 'a' + 'A');
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(b, "calls");
        if (cJSON_IsNumber(n))
            snprintf(calls, sizeof calls, "%.0f", n->valuedouble);
        printf("%-16s %-12s %-8s %-7s %-6s %s", text_of(b, "name"), state,
               rate_of(failure, b, "failure_rate"), rate_of(slow, b, "slow_call_rate"), calls,
               text_of(b, "since"));
        if (strcmp(state, "UNKNOWN") == 0)
            printf("  (%s did not answer)", text_of(b, "service"));
        printf("\n");
    }
}

int cmd_breaker_status(struct cli *cli, int argc, char **argv)
{
    static const struct option own[] = {{"only", required_argument, NULL, 'o'}, {0}};
    const char *only = NULL;
    int status = cli_parse(cli, cli_find_command("breaker status"), argc, argv, own, set_only,
                           &only, 0, NULL);
    if (status >= 0)
        return status;
    bool asked[GUARDED_COUNT];
    if (select_services(asked, only) < 0)
        return cli_usage_error(cli, "--only: %s", shop_error_message());

    cJSON *all = cJSON_CreateArray();
    char down[128] = "", first_error[SHOP_ERROR_MESSAGE_MAX] = "";
    int failures = 0, first_rc = 0;
    for (size_t i = 0; i < GUARDED_COUNT; i++) {
        if (!asked[i])
            continue;
        cJSON *list;
        int rc = ask(&list, cli, guarded[i].service);
        if (rc < 0) {
            if (failures++ == 0) {
                first_rc = rc;
                snprintf(first_error, sizeof first_error, "%s", shop_error_message());
            }
            size_t len = strlen(down);
            snprintf(down + len, sizeof down - len, "%s%s", len ? ", " : "", guarded[i].service);
            cJSON_AddItemToArray(all, unknown_breaker(guarded[i].dependency, guarded[i].service));
            continue;
        }
        cJSON *b;
        while ((b = cJSON_DetachItemFromArray(list, 0)) != NULL) {
            cJSON_AddItemToObject(b, "service", cJSON_CreateString(guarded[i].service));
            cJSON_AddItemToArray(all, b);
        }
        cJSON_Delete(list);
    }

    if (cli->json)
        cli_print_json(all);
    else {
        print_table(all);
        cJSON_Delete(all);
    }
    if (!failures)
        return CLI_EXIT_OK;
    fflush(stdout);
    /* no answer: 3; an answer outside the contract keeps its own code */
    int code = first_rc == SHOP_EUNAVAILABLE ? SHOP_EUNAVAILABLE : first_rc;
    shop_error_set(code, "breaker status: %s did not answer, its breakers are unknown (%s)%s", down,
                   first_error,
                   code == SHOP_EUNAVAILABLE ? "; is the system running (shop up)?" : "");
    return cli_fail(cli, code);
}
