/*
 * infrastructure/cli/cmd_catalog.c — `shop catalog add | price | list`.
 *
 * Pattern: a driving adapter that is a client of another driving adapter.  The domain
 * commands do not open the database: they call the Catalog service's HTTP API
 * (infrastructure/catalog/catalog_api.c, docs/api/catalog.md) through cli_call, so the
 * rules a user meets on the command line are exactly the rules the service applies.
 * This file checks only what is plain syntax — an argument present or not — and sends
 * the rest as typed: the service's one-line refusal is printed, and its status becomes
 * the exit status (400: 2; 404, 409, 422: 1; no answer: 3).
 *
 *     shop catalog add ABC-1 --name "Mug" --price 12.50           {"price": "12.50 EUR"}
 *     shop catalog price ABC-1 13.00 --currency usd               {"price": "13.00 USD"}
 *     shop catalog list --json
 * A change also names the correlation id the service gave it (the body's
 * "correlation_id"), so the reader can follow the change with `shop trace`:
 *     ABC-1 "Mug" now costs 13.00 USD
 *     trace: shop trace 0190a1b2-...
 * Read next: infrastructure/cli/cli_http.c, infrastructure/catalog/catalog_api.c
 */
#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "domain/shared/text.h"
#include "infrastructure/cli/cli.h"
#include "infrastructure/http/http_client.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_CURRENCY "EUR"

struct catalog_options {
    const char *name;
    const char *price;
    const char *currency;
};

static void on_option(void *ctx, int opt, const char *arg)
{
    struct catalog_options *o = ctx;
    switch (opt) {
    case 'n': o->name = arg; break;
    case 'p': o->price = arg; break;
    case 'c': o->currency = arg; break;
    }
}

/* "12.50" and "usd" → "12.50 USD": the price as the API takes it (allocated). */
static char *price_text(const char *amount, const char *currency)
{
    size_t size = strlen(amount) + 1 + strlen(currency) + 1;
    char *text = shop_xmalloc(size);
    snprintf(text, size, "%s %s", amount, currency);
    for (char *c = text + strlen(amount) + 1; *c; c++)
        *c = text_ascii_to_upper(*c);
    return text;
}

/* A string member of a product the service sent ("" if it is missing). */
static const char *member(const cJSON *product, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(product, name);
    return cJSON_IsString(v) ? v->valuestring : "";
}

/* The second line of a change's human output: how to follow it (nothing if the service
 * sent no correlation id). */
static void print_trace_hint(const cJSON *product)
{
    const char *correlation = member(product, "correlation_id");
    if (*correlation)
        printf("trace: shop trace %s\n", correlation);
}

/* "/products/ABC-1/price": the SKU escaped as a path segment, as typed (allocated). */
static char *product_path(const char *sku, const char *suffix)
{
    char *escaped = http_escape(sku);
    size_t size = strlen("/products/") + strlen(escaped) + strlen(suffix) + 1;
    char *path = shop_xmalloc(size);
    snprintf(path, size, "/products/%s%s", escaped, suffix);
    free(escaped);
    return path;
}

int cmd_catalog_add(struct cli *cli, int argc, char **argv)
{
    static const struct option own[] = {{"name", required_argument, NULL, 'n'},
                                        {"price", required_argument, NULL, 'p'},
                                        {"currency", required_argument, NULL, 'c'},
                                        {0}};
    struct catalog_options opts = {.currency = DEFAULT_CURRENCY};
    int first;
    int status = cli_parse(cli, cli_find_command("catalog add"), argc, argv, own, on_option, &opts,
                           1, &first);
    if (status >= 0)
        return status;
    if (first >= argc)
        return cli_usage_error(cli, "SKU is missing");
    if (!opts.name)
        return cli_usage_error(cli, "--name is missing");
    if (!opts.price)
        return cli_usage_error(cli, "--price is missing");

    char *price = price_text(opts.price, opts.currency);
    cJSON *body = cJSON_CreateObject(), *product = NULL;
    cJSON_AddStringToObject(body, "sku", argv[first]);
    cJSON_AddStringToObject(body, "name", opts.name);
    cJSON_AddStringToObject(body, "price", price);
    free(price);
    status = cli_call(cli, &product, "catalog", "POST", "/products", body);
    cJSON_Delete(body);
    if (status != 0)
        return status;
    if (cli->json) {
        cli_print_json(product);
        return CLI_EXIT_OK;
    }
    printf("Added %s \"%s\" at %s\n", member(product, "sku"), member(product, "name"),
           member(product, "price"));
    print_trace_hint(product);
    cJSON_Delete(product);
    return CLI_EXIT_OK;
}

int cmd_catalog_price(struct cli *cli, int argc, char **argv)
{
    static const struct option own[] = {{"currency", required_argument, NULL, 'c'}, {0}};
    struct catalog_options opts = {.currency = DEFAULT_CURRENCY};
    int first;
    int status = cli_parse(cli, cli_find_command("catalog price"), argc, argv, own, on_option,
                           &opts, 2, &first);
    if (status >= 0)
        return status;
    if (first >= argc)
        return cli_usage_error(cli, "SKU is missing");
    if (first + 1 >= argc)
        return cli_usage_error(cli, "AMOUNT is missing");

    char *price = price_text(argv[first + 1], opts.currency);
    char *path = product_path(argv[first], "/price");
    cJSON *body = cJSON_CreateObject(), *product = NULL;
    cJSON_AddStringToObject(body, "price", price);
    free(price);
    status = cli_call(cli, &product, "catalog", "PUT", path, body);
    cJSON_Delete(body);
    free(path);
    if (status != 0)
        return status;
    if (cli->json) {
        cli_print_json(product);
        return CLI_EXIT_OK;
    }
    printf("%s \"%s\" now costs %s\n", member(product, "sku"), member(product, "name"),
           member(product, "price"));
    print_trace_hint(product);
    cJSON_Delete(product);
    return CLI_EXIT_OK;
}

int cmd_catalog_list(struct cli *cli, int argc, char **argv)
{
    int status =
        cli_parse(cli, cli_find_command("catalog list"), argc, argv, NULL, NULL, NULL, 0, NULL);
    if (status >= 0)
        return status;

    cJSON *products = NULL;
    if ((status = cli_call(cli, &products, "catalog", "GET", "/products", NULL)) != 0)
        return status;
    if (!cJSON_IsArray(products)) {
        cJSON_Delete(products);
        return cli_fail(cli, shop_error_set(SHOP_EINTERNAL,
                                            "the catalog answered something other than a list"));
    }
    if (cli->json) {
        cli_print_json(products);
        return CLI_EXIT_OK;
    }
    if (cJSON_GetArraySize(products) == 0) {
        printf("No products yet; add one with 'shop catalog add'.\n");
        cJSON_Delete(products);
        return CLI_EXIT_OK;
    }
    /* Columns as wide as their longest value; the name last: it is UTF-8, and printf's
     * padding counts bytes, not characters. */
    int sku_width = 3, price_width = 5;
    const cJSON *p;
    cJSON_ArrayForEach(p, products)
    {
        int w = (int)strlen(member(p, "sku"));
        sku_width = w > sku_width ? w : sku_width;
        w = (int)strlen(member(p, "price"));
        price_width = w > price_width ? w : price_width;
    }
    printf("%-*s  %*s  %s\n", sku_width, "SKU", price_width, "PRICE", "NAME");
    cJSON_ArrayForEach(p, products)
    {
        printf("%-*s  %*s  %s\n", sku_width, member(p, "sku"), price_width, member(p, "price"),
               member(p, "name"));
    }
    cJSON_Delete(products);
    return CLI_EXIT_OK;
}
