/*
 * infrastructure/cli/cmd_order_api.c — `shop order place | show | list | cancel`: the
 * command line as a client of the Ordering service's HTTP API (docs/api/ordering.md).
 *
 * Pattern: a driving adapter on another driving adapter's contract.  These commands
 * check what they can check alone — the syntax of each argument, with the shared
 * kernel's value objects, so that a mistake is named by its option and nothing is sent —
 * then make one request through cli_call() and print the answer.  Every business rule is
 * the service's: what it refuses is printed as it said it, with the exit status of
 * docs/cli.md (400 → 2, 404 and 422 → 1, 503 or no answer → 3).
 * Read next: infrastructure/cli/cli_http.c, infrastructure/ordering/order_api.c
 */
#include "domain/ordering/order.h"
#include "domain/shared/error.h"
#include "domain/shared/text.h"
#include "infrastructure/cli/cli.h"
#include "infrastructure/http/http_client.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Long options only: values above any character and above the common options' (cli.h,
 * CLI_OPT_API and its neighbours), so none collides with either. */
enum {
    OPT_CUSTOMER = 0x200,
    OPT_LINE,
    OPT_SHIP_TO,
    OPT_POSTCODE,
    OPT_CARD,
    OPT_WAIT,
    OPT_AS_OF,
    OPT_STATUS,
    OPT_REASON,
};

#define PLACE_MAX_LINES ORDER_MAX_REQUESTED_LINES

struct order_options {
    const char *customer, *ship_to, *postcode, *card, *as_of, *status, *reason;
    const char *lines[PLACE_MAX_LINES];
    int line_count; /* may exceed PLACE_MAX_LINES: refused after parsing */
    bool wait;
};

static void on_option(void *ctx, int opt, const char *arg)
{
    struct order_options *o = ctx;
    switch (opt) {
    case OPT_CUSTOMER: o->customer = arg; break;
    case OPT_LINE:
        if (o->line_count < PLACE_MAX_LINES)
            o->lines[o->line_count] = arg;
        o->line_count++;
        break;
    case OPT_SHIP_TO: o->ship_to = arg; break;
    case OPT_POSTCODE: o->postcode = arg; break;
    case OPT_CARD: o->card = arg; break;
    case OPT_WAIT: o->wait = true; break;
    case OPT_AS_OF: o->as_of = arg; break;
    case OPT_STATUS: o->status = arg; break;
    case OPT_REASON: o->reason = arg; break;
    }
}

/* ORDER_ID as typed: a UUID, or exit 2 naming the argument. */
static int read_order_id(const struct cli *cli, char out[UUID_STRING_SIZE], int argc, char **argv,
                         int first)
{
    order_id id;
    if (first >= argc)
        return cli_usage_error(cli, "ORDER_ID is missing");
    if (order_id_parse(&id, argv[first]) < 0)
        return cli_usage_error(cli, "ORDER_ID: %s", shop_error_message());
    uuid_format(out, id.uuid);
    return 0;
}

/* A required option's value, checked by a value object's parser; exit 2 if wrong. */
static int require(const struct cli *cli, const char *option, const char *value,
                   int (*check)(const char *))
{
    if (!value)
        return cli_usage_error(cli, "%s is missing", option);
    if (check && check(value) < 0)
        return cli_usage_error(cli, "%s: %s", option, shop_error_message());
    return 0;
}

static int check_customer(const char *text)
{
    customer_id c;
    return customer_id_parse(&c, text);
}

static int check_ship_to(const char *text)
{
    ship_to s;
    return ship_to_parse(&s, text);
}

static int check_postcode(const char *text)
{
    postcode p;
    return postcode_parse(&p, text);
}

/* --line SKU:QTY → {"sku", "quantity"}; exit 2 naming the line if it is not that. */
static int add_line(const struct cli *cli, cJSON *lines, const char *text)
{
    char quoted[TEXT_QUOTE_SIZE], code[64];
    const char *colon = strrchr(text, ':');
    sku s;
    quantity q;
    if (!colon)
        return cli_usage_error(cli, "--line %s: must be SKU:QTY, e.g. MUG-RED:2",
                               text_quote(quoted, text));
    size_t n = (size_t)(colon - text);
    if (n >= sizeof code)
        n = sizeof code - 1; /* too long for a SKU anyway: sku_parse says so */
    memcpy(code, text, n);
    code[n] = '\0';
    if (sku_parse(&s, code) < 0)
        return cli_usage_error(cli, "--line %s: %s", text_quote(quoted, text),
                               shop_error_message());
    if (quantity_parse(&q, colon + 1) < 0)
        return cli_usage_error(cli, "--line %s: %s", text_quote(quoted, text),
                               shop_error_message());
    cJSON *line = cJSON_CreateObject();
    cJSON_AddStringToObject(line, "sku", s.code);
    cJSON_AddNumberToObject(line, "quantity", q.value);
    cJSON_AddItemToArray(lines, line);
    return 0;
}

int cmd_order_place(struct cli *cli, int argc, char **argv)
{
    static const struct option own[] = {{"customer", required_argument, NULL, OPT_CUSTOMER},
                                        {"line", required_argument, NULL, OPT_LINE},
                                        {"ship-to", required_argument, NULL, OPT_SHIP_TO},
                                        {"postcode", required_argument, NULL, OPT_POSTCODE},
                                        {"card", required_argument, NULL, OPT_CARD},
                                        {"wait", optional_argument, NULL, OPT_WAIT},
                                        {0}};
    struct order_options o = {0};
    int status =
        cli_parse(cli, cli_find_command("order place"), argc, argv, own, on_option, &o, 0, NULL);
    if (status >= 0)
        return status;
    if (o.wait) /* docs/cli.md's --wait waits for the saga's outcome; there is no saga yet */
        return cli_usage_error(cli, "--wait: not available until the fulfilment saga exists");
    cJSON *body = cJSON_CreateObject(), *reply = NULL;
    if ((status = require(cli, "--customer", o.customer, check_customer)) != 0)
        goto done;
    cJSON_AddStringToObject(body, "customer", o.customer);
    if (o.line_count == 0) {
        status = cli_usage_error(cli, "--line is missing (one --line SKU:QTY per product)");
        goto done;
    }
    if (o.line_count > PLACE_MAX_LINES) {
        status = cli_usage_error(cli, "--line: at most %d, got %d", PLACE_MAX_LINES, o.line_count);
        goto done;
    }
    cJSON *lines = cJSON_AddArrayToObject(body, "lines");
    for (int i = 0; i < o.line_count; i++)
        if ((status = add_line(cli, lines, o.lines[i])) != 0)
            goto done;
    if ((status = require(cli, "--ship-to", o.ship_to, check_ship_to)) != 0 ||
        (status = require(cli, "--postcode", o.postcode, check_postcode)) != 0)
        goto done;
    if (o.card && !o.card[0]) {
        status = cli_usage_error(cli, "--card: must not be empty (leave it out for tok_visa)");
        goto done;
    }
    cJSON_AddStringToObject(body, "ship_to", o.ship_to);
    cJSON_AddStringToObject(body, "postcode", o.postcode);
    if (o.card)
        cJSON_AddStringToObject(body, "card", o.card);

    if ((status = cli_call(cli, &reply, "ordering", "POST", "/orders", body)) != 0)
        goto done;
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(reply, "order_id");
    if (!cJSON_IsString(id)) {
        status = cli_fail(cli, shop_error_set(SHOP_EINTERNAL, "ordering answered without an id"));
        goto done;
    }
    if (cli->json) {
        cJSON *doc = cJSON_CreateObject();
        cJSON_AddStringToObject(doc, "order_id", id->valuestring);
        cli_print_json(doc);
    } else {
        printf("%s\n", id->valuestring);
    }

done:
    cJSON_Delete(body);
    cJSON_Delete(reply);
    return status;
}

static const char *string_of(const cJSON *doc, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, name);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static double number_of(const cJSON *doc, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, name);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static void print_order(const cJSON *o)
{
    const char *reason = string_of(o, "reason");
    printf("Order %s (version %.0f)\n", string_of(o, "order_id"), number_of(o, "version"));
    printf("  customer  %s\n", string_of(o, "customer"));
    printf("  status    %s%s%s%s\n", string_of(o, "status"), *reason ? " (" : "", reason,
           *reason ? ")" : "");
    printf("  ship to   %s, %s\n", string_of(o, "ship_to"), string_of(o, "postcode"));
    printf("  placed    %s\n", string_of(o, "placed_at"));
    const cJSON *lines = cJSON_GetObjectItemCaseSensitive(o, "lines"), *line;
    cJSON_ArrayForEach(line, lines)
    {
        printf("    %-32s %3.0f x %12s = %s\n", string_of(line, "sku"), number_of(line, "quantity"),
               string_of(line, "unit_price"), string_of(line, "line_total"));
    }
    printf("  total     %s\n", string_of(o, "total"));
}

int cmd_order_show(struct cli *cli, int argc, char **argv)
{
    static const struct option own[] = {{"as-of", required_argument, NULL, OPT_AS_OF}, {0}};
    struct order_options o = {0};
    char id[UUID_STRING_SIZE], path[64 + UUID_STRING_SIZE], quoted[TEXT_QUOTE_SIZE];
    int first;
    int status =
        cli_parse(cli, cli_find_command("order show"), argc, argv, own, on_option, &o, 1, &first);
    if (status >= 0)
        return status;
    if ((status = read_order_id(cli, id, argc, argv, first)) != 0)
        return status;
    int n = snprintf(path, sizeof path, "/orders/%s", id);
    if (o.as_of) {
        int64_t v;
        if (strspn(o.as_of, "0123456789") != strlen(o.as_of) || text_parse_int64(&v, o.as_of) < 0 ||
            v < 1)
            return cli_usage_error(cli, "--as-of %s: a version is an integer of 1 or more",
                                   text_quote(quoted, o.as_of));
        snprintf(path + n, sizeof path - (size_t)n, "?as_of=%lld", (long long)v);
    }

    cJSON *reply = NULL;
    if ((status = cli_call(cli, &reply, "ordering", "GET", path, NULL)) != 0)
        return status;
    if (cli->json) {
        cli_print_json(reply);
        return 0;
    }
    print_order(reply);
    cJSON_Delete(reply);
    return 0;
}

int cmd_order_list(struct cli *cli, int argc, char **argv)
{
    static const struct option own[] = {{"customer", required_argument, NULL, OPT_CUSTOMER},
                                        {"status", required_argument, NULL, OPT_STATUS},
                                        {0}};
    struct order_options o = {0};
    char path[512], quoted[TEXT_QUOTE_SIZE];
    int status =
        cli_parse(cli, cli_find_command("order list"), argc, argv, own, on_option, &o, 0, NULL);
    if (status >= 0)
        return status;
    if (o.customer && (status = require(cli, "--customer", o.customer, check_customer)) != 0)
        return status;
    if (o.status && strcmp(o.status, "placed") != 0 && strcmp(o.status, "confirmed") != 0 &&
        strcmp(o.status, "cancelled") != 0)
        return cli_usage_error(cli, "--status %s: must be placed, confirmed or cancelled",
                               text_quote(quoted, o.status));

    size_t n = (size_t)snprintf(path, sizeof path, "/orders");
    const char *sep = "?";
    if (o.customer) {
        char *escaped = http_escape(o.customer);
        n += (size_t)snprintf(path + n, sizeof path - n, "%scustomer=%s", sep, escaped);
        free(escaped);
        sep = "&";
    }
    if (o.status)
        snprintf(path + n, sizeof path - n, "%sstatus=%s", sep, o.status);

    cJSON *reply = NULL;
    if ((status = cli_call(cli, &reply, "ordering", "GET", path, NULL)) != 0)
        return status;
    if (cli->json) {
        cli_print_json(reply ? reply : cJSON_CreateArray());
        return 0;
    }
    const cJSON *item;
    if (cJSON_GetArraySize(reply) == 0)
        printf("No orders.\n");
    cJSON_ArrayForEach(item, reply)
    {
        printf("%s  %-9s  %14s  %s  %s\n", string_of(item, "order_id"), string_of(item, "status"),
               string_of(item, "total"), string_of(item, "placed_at"), string_of(item, "customer"));
    }
    cJSON_Delete(reply);
    return 0;
}

int cmd_order_cancel(struct cli *cli, int argc, char **argv)
{
    static const struct option own[] = {{"reason", required_argument, NULL, OPT_REASON}, {0}};
    struct order_options o = {0};
    char id[UUID_STRING_SIZE], path[64 + UUID_STRING_SIZE];
    int first;
    int status =
        cli_parse(cli, cli_find_command("order cancel"), argc, argv, own, on_option, &o, 1, &first);
    if (status >= 0)
        return status;
    if ((status = read_order_id(cli, id, argc, argv, first)) != 0)
        return status;
    if (o.reason && !o.reason[0])
        return cli_usage_error(cli, "--reason: must not be empty");
    snprintf(path, sizeof path, "/orders/%s/cancel", id);

    cJSON *body = cJSON_CreateObject(), *reply = NULL;
    if (o.reason)
        cJSON_AddStringToObject(body, "reason", o.reason);
    status = cli_call(cli, &reply, "ordering", "POST", path, body);
    cJSON_Delete(body);
    if (status != 0)
        return status;
    if (cli->json) {
        cli_print_json(reply);
        return 0;
    }
    printf("Order %s cancelled.\n", id);
    cJSON_Delete(reply);
    return 0;
}
