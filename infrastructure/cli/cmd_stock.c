/*
 * infrastructure/cli/cmd_stock.c — `shop stock receive SKU QTY`, `shop stock list`,
 * `shop stock show SKU`.
 *
 * Domain commands are clients of the contexts' HTTP APIs (docs/cli.md): the arguments are
 * checked here only for their shape (so a typo is exit 2 naming the argument, without a
 * round trip), and everything else — the rules, the refusals, the exit status — is what
 * the service answered.
 *
 * CQRS: `stock receive` is a command, answered by Inventory (the write side,
 * infrastructure/inventory/inventory_api.c) with the stock as it is after the receipt;
 * `stock show` and `stock list` are queries, answered by Reporting's read model of the
 * stock levels (infrastructure/reporting/read_models.c), which follows Inventory's
 * events on the bus and may be a moment behind (docs/patterns/cqrs.md).
 * Read next: infrastructure/cli/cli_http.c, docs/api/inventory.md, docs/api/reporting.md
 */
#include "domain/shared/error.h"
#include "domain/shared/quantity.h"
#include "domain/shared/sku.h"
#include "domain/shared/text.h"
#include "infrastructure/cli/cli.h"

#include <stdio.h>

/* The SKU argument, upper-cased; a usage error naming it if it is not a SKU. */
static int sku_argument(struct cli *cli, sku *out, int argc, char **argv, int at)
{
    if (at >= argc)
        return cli_usage_error(cli, "SKU is missing");
    if (sku_parse(out, argv[at]) < 0)
        return cli_usage_error(cli, "%s", shop_error_message());
    return -1;
}

static double number(const cJSON *o, const char *field)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, field);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

/* One SKU's stock, for people. */
static void print_stock(const cJSON *o)
{
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(o, "sku");
    printf("%-32s on hand %6.0f  reserved %6.0f  available %6.0f\n",
           cJSON_IsString(s) ? s->valuestring : "?", number(o, "on_hand"), number(o, "reserved"),
           number(o, "available"));
}

/* A reply that is one stock object: printed, or as JSON with --json. */
static int show(const struct cli *cli, cJSON *doc)
{
    if (!cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        return cli_fail(cli, shop_error_set(SHOP_EINTERNAL, "the service answered something "
                                                            "that is not stock"));
    }
    if (cli->json) {
        cli_print_json(doc);
        return CLI_EXIT_OK;
    }
    print_stock(doc);
    cJSON_Delete(doc);
    return CLI_EXIT_OK;
}

int cmd_stock_receive(struct cli *cli, int argc, char **argv)
{
    char path[64], quoted[TEXT_QUOTE_SIZE];
    cJSON *reply = NULL, *body;
    quantity q;
    sku s;
    int first, status = cli_parse(cli, cli_find_command("stock receive"), argc, argv, NULL, NULL,
                                  NULL, 2, &first);
    if (status >= 0 || (status = sku_argument(cli, &s, argc, argv, first)) >= 0)
        return status;
    if (first + 1 >= argc)
        return cli_usage_error(cli, "QTY is missing");
    if (quantity_parse(&q, argv[first + 1]) < 0)
        return cli_usage_error(cli, "QTY %s: must be an integer from %d to %d",
                               text_quote(quoted, argv[first + 1]), QUANTITY_MIN, QUANTITY_MAX);

    snprintf(path, sizeof path, "/stock/%s/receipts", s.code);
    body = cJSON_CreateObject();
    cJSON_AddNumberToObject(body, "quantity", q.value);
    status = cli_call(cli, &reply, "inventory", "POST", path, body);
    cJSON_Delete(body);
    if (status != 0)
        return status;
    return show(cli, reply);
}

int cmd_stock_show(struct cli *cli, int argc, char **argv)
{
    char path[64];
    cJSON *reply = NULL;
    sku s;
    int first, status = cli_parse(cli, cli_find_command("stock show"), argc, argv, NULL, NULL, NULL,
                                  1, &first);
    if (status >= 0 || (status = sku_argument(cli, &s, argc, argv, first)) >= 0)
        return status;
    snprintf(path, sizeof path, "/stock/%s", s.code);
    if ((status = cli_call(cli, &reply, "reporting", "GET", path, NULL)) != 0)
        return status;
    return show(cli, reply);
}

int cmd_stock_list(struct cli *cli, int argc, char **argv)
{
    cJSON *reply = NULL;
    const cJSON *item;
    int status =
        cli_parse(cli, cli_find_command("stock list"), argc, argv, NULL, NULL, NULL, 0, NULL);
    if (status >= 0 || (status = cli_call(cli, &reply, "reporting", "GET", "/stock", NULL)) != 0)
        return status;
    if (!cJSON_IsArray(reply)) {
        cJSON_Delete(reply);
        return cli_fail(cli, shop_error_set(SHOP_EINTERNAL, "the reporting service answered "
                                                            "something that is not a list"));
    }
    if (cli->json) {
        cli_print_json(reply);
        return CLI_EXIT_OK;
    }
    if (cJSON_GetArraySize(reply) == 0)
        printf("No stock recorded yet (shop stock receive SKU QTY).\n");
    cJSON_ArrayForEach(item, reply) print_stock(item);
    cJSON_Delete(reply);
    return CLI_EXIT_OK;
}
