/*
 * infrastructure/cli/cmd_order_api.c — `shop order place | show | list | cancel`: the
 * command line as a client of the Ordering service's HTTP API (docs/api/ordering.md) for
 * the commands, and of the Reporting service's (docs/api/reporting.md) for the queries.
 *
 * CQRS at the command line (docs/patterns/cqrs.md): `place` and `cancel` change the
 * Order aggregate through Ordering; `show` and `list` read Reporting's read model, which
 * follows the bus a little behind.  `show` says so when it is ("read model 2 messages
 * behind"); `show --as-of VERSION` still reads Ordering's event-sourced write side, the
 * only place that knows every version of an order.  `place --wait [SECONDS]` watches the
 * read model until the fulfilment saga has confirmed or cancelled the order.
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

#include "infrastructure/service/service.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WAIT_DEFAULT_SECONDS 30
#define WAIT_MAX_SECONDS     3600
#define WAIT_POLL_MS         200

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
    const char *wait_seconds; /* --wait=SECONDS; NULL: the default or a positional */
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
    case OPT_WAIT:
        o->wait = true;
        o->wait_seconds = arg;
        break;
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

/* --wait, --wait=SECONDS or --wait SECONDS (the one positional argument place takes):
 * a whole number 1-3600, WAIT_DEFAULT_SECONDS when none is given. */
static int wait_argument(const struct cli *cli, const struct order_options *o, int argc,
                         char **argv, int first, long *out)
{
    char quoted[TEXT_QUOTE_SIZE];
    const char *text = o->wait_seconds;
    if (first < argc) {
        if (!o->wait || text)
            return cli_usage_error(cli, "unexpected argument %s", text_quote(quoted, argv[first]));
        text = argv[first];
    }
    *out = WAIT_DEFAULT_SECONDS;
    if (!text)
        return 0;
    int64_t v;
    if (strspn(text, "0123456789") != strlen(text) || text_parse_int64(&v, text) < 0 || v < 1 ||
        v > WAIT_MAX_SECONDS)
        return cli_usage_error(cli, "--wait %s: seconds, a whole number from 1 to %d",
                               text_quote(quoted, text), WAIT_MAX_SECONDS);
    *out = (long)v;
    return 0;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/*
 * `place --wait`: asks Reporting for the order (GET /orders/{id}) until the read model
 * has it confirmed or cancelled, or the time is up.  Exit 0 confirmed; 1 cancelled, the
 * reason on stderr (the rule that refused it); 3 no outcome in time (still placed, or
 * Reporting not answering).  Prints the outcome, or with --json {order_id, status,
 * reason}.
 */
static int wait_for_outcome(const struct cli *cli, const char *id_text, long seconds)
{
    char url[SERVICE_URL_MAX], path[64 + UUID_STRING_SIZE];
    int rc = service_url(url, "reporting", cli->api);
    if (rc < 0)
        return cli_fail(cli, rc);
    snprintf(path, sizeof path, "/orders/%s", id_text);
    struct http_request req = {
        .service = "reporting", .base_url = url, .method = "GET", .path = path};
    double deadline = now_s() + (double)seconds;
    char status[16] = "placed", reason[SHOP_ERROR_MESSAGE_MAX] = "";
    int last_rc = 0;
    for (;;) {
        cJSON *doc = NULL;
        last_rc = http_call(&doc, &req);
        if (last_rc == 0) {
            const cJSON *st = cJSON_GetObjectItemCaseSensitive(doc, "status");
            const cJSON *why = cJSON_GetObjectItemCaseSensitive(doc, "reason");
            snprintf(status, sizeof status, "%s", cJSON_IsString(st) ? st->valuestring : "placed");
            snprintf(reason, sizeof reason, "%s", cJSON_IsString(why) ? why->valuestring : "");
        }
        cJSON_Delete(doc);
        if (strcmp(status, "placed") != 0 || now_s() >= deadline)
            break;
        struct timespec pause = {0, WAIT_POLL_MS * 1000000L};
        nanosleep(&pause, NULL);
    }
    bool decided = strcmp(status, "placed") != 0;
    if (cli->json) {
        cJSON *doc = cJSON_CreateObject();
        cJSON_AddStringToObject(doc, "order_id", id_text);
        cJSON_AddStringToObject(doc, "status", status);
        if (reason[0])
            cJSON_AddStringToObject(doc, "reason", reason);
        else
            cJSON_AddNullToObject(doc, "reason");
        cli_print_json(doc);
    } else {
        printf("%s\n", id_text);
        if (decided)
            printf("%s%s%s\n", status, reason[0] ? ": " : "", reason);
    }
    if (strcmp(status, "confirmed") == 0)
        return CLI_EXIT_OK;
    if (decided) {
        fprintf(stderr, "shop: order %s %s%s%s\n", id_text, status, reason[0] ? ": " : "", reason);
        return CLI_EXIT_REFUSED;
    }
    if (last_rc == SHOP_EUNAVAILABLE)
        fprintf(stderr, "shop: no outcome after %ld s: Reporting does not answer (%s)\n", seconds,
                shop_error_message());
    else
        fprintf(stderr, "shop: no outcome after %ld s: the order is still placed\n", seconds);
    return CLI_EXIT_UNAVAILABLE;
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
    int first;
    int status =
        cli_parse(cli, cli_find_command("order place"), argc, argv, own, on_option, &o, 1, &first);
    if (status >= 0)
        return status;
    long wait_s = 0;
    if ((status = wait_argument(cli, &o, argc, argv, first, &wait_s)) != 0)
        return status;
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
    if (o.wait) {
        status = wait_for_outcome(cli, id->valuestring, wait_s);
    } else if (cli->json) {
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

    /* Now: Reporting's read model.  As of a version: Ordering's event store. */
    cJSON *reply = NULL;
    if ((status = cli_call(cli, &reply, o.as_of ? "ordering" : "reporting", "GET", path, NULL)) !=
        0)
        return status;
    if (cli->json) {
        cli_print_json(reply);
        return 0;
    }
    print_order(reply);
    double lag = number_of(reply, "lag");
    if (lag > 0)
        printf("  (read model %.0f message%s behind)\n", lag, lag == 1 ? "" : "s");
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
    if ((status = cli_call(cli, &reply, "reporting", "GET", path, NULL)) != 0)
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
