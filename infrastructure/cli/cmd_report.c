/*
 * infrastructure/cli/cmd_report.c — `shop report sales [--day YYYY-MM-DD]`: units and
 * revenue of confirmed orders per SKU per day, from Reporting's read model
 * (GET /reports/sales, docs/api/reporting.md).
 *
 * A domain query, so a client of the Reporting service's API like `shop order list`:
 * the day is checked here for its shape only (exit 2 naming --day), the answer printed
 * as it came, one line per SKU and day.
 * Read next: infrastructure/reporting/read_models.c
 */
#include "domain/shared/error.h"
#include "domain/shared/text.h"
#include "infrastructure/cli/cli.h"

#include <stdio.h>
#include <string.h>

enum { OPT_DAY = 0x200 };

static void on_option(void *ctx, int opt, const char *arg)
{
    if (opt == OPT_DAY)
        *(const char **)ctx = arg;
}

static const char *string_of(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static double number_of(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

int cmd_report_sales(struct cli *cli, int argc, char **argv)
{
    static const struct option own[] = {{"day", required_argument, NULL, OPT_DAY}, {0}};
    const char *day = NULL;
    char path[64], quoted[TEXT_QUOTE_SIZE];
    int status =
        cli_parse(cli, cli_find_command("report sales"), argc, argv, own, on_option, &day, 0, NULL);
    if (status >= 0)
        return status;
    if (day &&
        (strlen(day) != 10 || strspn(day, "0123456789-") != 10 || day[4] != '-' || day[7] != '-'))
        return cli_usage_error(cli, "--day %s: a date YYYY-MM-DD", text_quote(quoted, day));
    snprintf(path, sizeof path, "/reports/sales%s%s", day ? "?day=" : "", day ? day : "");
    cJSON *reply = NULL;
    if ((status = cli_call(cli, &reply, "reporting", "GET", path, NULL)) != 0)
        return status;
    if (cli->json) {
        cli_print_json(reply ? reply : cJSON_CreateArray());
        return 0;
    }
    if (cJSON_GetArraySize(reply) == 0)
        printf("No sales%s%s.\n", day ? " on " : "", day ? day : "");
    const cJSON *item;
    cJSON_ArrayForEach(item, reply)
    {
        printf("%s  %-32s %6.0f units  %14s  %4.0f order%s\n", string_of(item, "day"),
               string_of(item, "sku"), number_of(item, "quantity"), string_of(item, "revenue"),
               number_of(item, "orders"), number_of(item, "orders") == 1 ? "" : "s");
    }
    cJSON_Delete(reply);
    return 0;
}
