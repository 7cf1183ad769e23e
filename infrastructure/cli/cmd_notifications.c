/*
 * infrastructure/cli/cmd_notifications.c — `shop notifications list [--customer ID]
 * [--order ID] [--limit N]`.
 *
 * A domain command: an HTTP client of the Notifications service
 * (infrastructure/notifications/notifications_api.c, docs/api/notifications.md) through
 * cli_call, like `shop catalog list`.  The filters are sent as typed, escaped into the
 * query string; the service checks them, and its one-line refusal (400) is exit 2.
 *
 *     shop notifications list --customer c-42
 *     shop notifications list --order 0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90 --json
 * Read next: infrastructure/cli/cli_http.c, infrastructure/notifications/notifications_api.c
 */
#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "infrastructure/cli/cli.h"
#include "infrastructure/http/http_client.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct list_options {
    const char *customer;
    const char *order;
    const char *limit;
};

static void on_option(void *ctx, int opt, const char *arg)
{
    struct list_options *o = ctx;
    switch (opt) {
    case 'c': o->customer = arg; break;
    case 'o': o->order = arg; break;
    case 'l': o->limit = arg; break;
    }
}

/* Appends "&name=<value escaped>" (or "?name=..." first) to path (reallocated). */
static char *add_query(char *path, const char *name, const char *value)
{
    if (!value)
        return path;
    char *escaped = http_escape(value);
    size_t size = strlen(path) + 1 + strlen(name) + 1 + strlen(escaped) + 1;
    char *longer = shop_xmalloc(size);
    snprintf(longer, size, "%s%c%s=%s", path, strchr(path, '?') ? '&' : '?', name, escaped);
    free(escaped);
    free(path);
    return longer;
}

static const char *member(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : "";
}

int cmd_notifications_list(struct cli *cli, int argc, char **argv)
{
    static const struct option own[] = {{"customer", required_argument, NULL, 'c'},
                                        {"order", required_argument, NULL, 'o'},
                                        {"limit", required_argument, NULL, 'l'},
                                        {0}};
    struct list_options opts = {0};
    int status = cli_parse(cli, cli_find_command("notifications list"), argc, argv, own, on_option,
                           &opts, 0, NULL);
    if (status >= 0)
        return status;

    char *path = shop_xstrdup("/notifications");
    path = add_query(path, "customer", opts.customer);
    path = add_query(path, "order", opts.order);
    path = add_query(path, "limit", opts.limit);
    cJSON *list = NULL;
    status = cli_call(cli, &list, "notifications", "GET", path, NULL);
    free(path);
    if (status != 0)
        return status;
    if (!cJSON_IsArray(list)) {
        cJSON_Delete(list);
        return cli_fail(cli, shop_error_set(SHOP_EINTERNAL,
                                            "the notifications service answered something other "
                                            "than a list"));
    }
    if (cli->json) {
        cli_print_json(list);
        return CLI_EXIT_OK;
    }
    if (cJSON_GetArraySize(list) == 0)
        printf("No notifications%s.\n", opts.customer || opts.order ? " match" : " yet");
    const cJSON *n;
    cJSON_ArrayForEach(n, list)
    {
        printf("%s  %-15s  %s  %s\n", member(n, "recorded_at"), member(n, "kind"),
               member(n, "customer"), member(n, "text"));
    }
    cJSON_Delete(list);
    return CLI_EXIT_OK;
}
