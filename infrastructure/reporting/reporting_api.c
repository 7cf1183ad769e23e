/*
 * infrastructure/reporting/reporting_api.c — the Reporting context's HTTP API (a driving
 * adapter: HTTP requests in, read-model queries out; see reporting_api.h and
 * docs/api/reporting.md).
 *
 * Every input is checked with the shared kernel's value objects before a query runs: a
 * malformed id, customer, status, SKU or day is 400 naming it; a row the read model does
 * not have is 404 (for an order, saying how many of its messages wait, when some do).
 * Read next: read_models.c, tests/integration/reporting_api_test.c
 */
#include "infrastructure/reporting/reporting_api.h"

#include "domain/shared/customer_id.h"
#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "domain/shared/sku.h"
#include "domain/shared/uuid.h"
#include "infrastructure/http/http_problem.h"
#include "infrastructure/reporting/read_models.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ORDERS_LIST_MAX 1000

struct reporting_api {
    PGconn *db; /* borrowed: the service's connection, role shop_reporting */
};

static void refuse_field(struct http_exchange *x, const char *field, const char *why)
{
    char detail[SHOP_ERROR_MESSAGE_MAX + 64];
    snprintf(detail, sizeof detail, "%s: %s", field, why);
    http_reply_problem(x, 400, "invalid-input", detail);
}

static void reply(struct http_exchange *x, int rc, cJSON *doc)
{
    if (rc < 0)
        http_reply_error(x, rc);
    else
        http_reply_json(x, 200, doc);
}

static void show_order(struct http_exchange *x, void *ctx)
{
    struct reporting_api *api = ctx;
    shop_uuid id;
    char text[UUID_STRING_SIZE];
    cJSON *doc = NULL;
    if (uuid_parse(&id, http_param(x, "id")) < 0) {
        refuse_field(x, "id", shop_error_message());
        return;
    }
    int rc = read_model_order(&doc, NULL, api->db, uuid_format(text, id));
    reply(x, rc, doc);
}

static void list_orders(struct http_exchange *x, void *ctx)
{
    struct reporting_api *api = ctx;
    const char *customer = http_query(x, "customer"), *status = http_query(x, "status");
    customer_id c;
    cJSON *doc = NULL;
    if (customer && customer_id_parse(&c, customer) < 0) {
        refuse_field(x, "customer", shop_error_message());
        return;
    }
    if (status && strcmp(status, "placed") != 0 && strcmp(status, "confirmed") != 0 &&
        strcmp(status, "cancelled") != 0) {
        refuse_field(x, "status", "must be placed, confirmed or cancelled");
        return;
    }
    int rc = read_model_orders(&doc, api->db, customer ? c.text : NULL, status, ORDERS_LIST_MAX);
    reply(x, rc, doc);
}

static void list_stock(struct http_exchange *x, void *ctx)
{
    struct reporting_api *api = ctx;
    cJSON *doc = NULL;
    int rc = read_model_stock(&doc, api->db, NULL);
    reply(x, rc, doc);
}

static void show_stock(struct http_exchange *x, void *ctx)
{
    struct reporting_api *api = ctx;
    cJSON *doc = NULL;
    sku s;
    if (sku_parse(&s, http_param(x, "sku")) < 0) {
        refuse_field(x, "sku", shop_error_message());
        return;
    }
    int rc = read_model_stock(&doc, api->db, s.code);
    reply(x, rc, doc);
}

/* YYYY-MM-DD with a month 01-12 and a day 01-31 (the database refuses 2024-02-30). */
static bool day_shaped(const char *t)
{
    if (strlen(t) != 10 || t[4] != '-' || t[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (t[i] < '0' || t[i] > '9'))
            return false;
    int month = (t[5] - '0') * 10 + (t[6] - '0'), day = (t[8] - '0') * 10 + (t[9] - '0');
    return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

static void sales_report(struct http_exchange *x, void *ctx)
{
    struct reporting_api *api = ctx;
    const char *day = http_query(x, "day");
    cJSON *doc = NULL;
    if (day && !day_shaped(day)) {
        refuse_field(x, "day", "must be a date YYYY-MM-DD");
        return;
    }
    int rc = read_model_sales(&doc, api->db, day);
    if (rc == SHOP_EINVALID || rc == SHOP_EOVERFLOW) {
        refuse_field(x, "day", "must be a date YYYY-MM-DD");
        return;
    }
    reply(x, rc, doc);
}

static void list_projections(struct http_exchange *x, void *ctx)
{
    struct reporting_api *api = ctx;
    cJSON *doc = NULL;
    int rc = read_model_projections(&doc, api->db);
    reply(x, rc, doc);
}

static const struct http_route routes[] = {
    {"GET", "/orders/{id}", show_order},     {"GET", "/orders", list_orders},
    {"GET", "/stock", list_stock},           {"GET", "/stock/{sku}", show_stock},
    {"GET", "/reports/sales", sales_report}, {"GET", "/projections", list_projections},
};

int reporting_api_open(struct service_instance *out, struct service_env *env)
{
    struct reporting_api *api = shop_xcalloc(1, sizeof *api);
    api->db = env->db;
    *out = (struct service_instance){
        .routes = routes, .route_count = sizeof routes / sizeof routes[0], .ctx = api};
    return 0;
}

void reporting_api_close(void *ctx)
{
    free(ctx);
}
