/*
 * infrastructure/catalog/catalog_api.c — Catalog's HTTP API (a driving adapter: HTTP
 * requests in, application-service calls out).
 *
 *   POST /products              {"sku", "name", "price": "12.50 EUR"}  201 the product
 *   PUT  /products/{sku}/price  {"price": "13.00 EUR"}                 200 the product
 *   GET  /products                                                    200 [products], by SKU
 *   GET  /products/{sku}                                              200 the product
 * A product is {"sku", "name", "price"}, money as a string; the replies of the two
 * commands also carry "correlation_id" (and an X-Correlation-Id header): the conversation
 * the change's integration event belongs to, what `shop trace` follows.  Every refusal is
 * application/problem+json naming the field and the rule (400 for input, 404 "unknown
 * SKU ...", 422 "product ... already exists"); see docs/api/catalog.md.
 *
 * Each handler only translates: JSON fields into value objects (sku_parse,
 * product_name_parse, money_parse, which state the rules), one call of the application
 * service (application/catalog/catalog_service.h), and the result into JSON.  No rule is
 * decided here.  Each command request gets its message ids (request_meta): a new message
 * id, the correlation id of the request's X-Correlation-Id header (a UUID) or else a new
 * one, and the request's traceparent.  open() wires the PostgreSQL repository (with its
 * outbox), the system clock and UUIDs to the service on the connection the service runs
 * with (role shop_catalog).
 * Read next: application/catalog/catalog_service.c, tests/integration/catalog_api_test.c
 */
#include "infrastructure/catalog/catalog_api.h"

#include "application/catalog/catalog_service.h"
#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "infrastructure/catalog/product_repository_pg.h"
#include "infrastructure/http/http_problem.h"
#include "infrastructure/messaging/observers.h"
#include "infrastructure/system/clock_system.h"
#include "infrastructure/system/id_generator_uuid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct catalog_api {
    PGconn *db; /* borrowed from the service's environment */
    struct product_repository *products;
    struct shop_clock *clock;
    struct id_generator *ids;
    struct catalog_service service;
};

/* ------------------------------------------------------------------ JSON */

static cJSON *product_json(const product *p)
{
    char price[MONEY_FORMAT_MAX];
    cJSON *doc = cJSON_CreateObject();
    money_format(price, sizeof price, p->price);
    cJSON_AddStringToObject(doc, "sku", p->sku.code);
    cJSON_AddStringToObject(doc, "name", p->name.text);
    cJSON_AddStringToObject(doc, "price", price);
    return doc;
}

/*
 * Replies 400 for a value that breaks its rule: the value object's message, which names
 * the field ("SKU must be ...", "name must be ..."), or prefixed with the field when it
 * does not (money_parse speaks of "amount").
 */
static void refuse_field(struct http_exchange *x, const char *field, int rc)
{
    char detail[SHOP_ERROR_MESSAGE_MAX + 32];
    const char *msg = shop_error_message();
    if (strncasecmp(msg, field, strlen(field)) == 0)
        snprintf(detail, sizeof detail, "%s", msg);
    else
        snprintf(detail, sizeof detail, "%s: %s", field, msg);
    http_reply_problem(x, http_problem_status(rc), "invalid-input", detail);
}

/* The "price" field: a string "12.50 EUR" with its currency code. */
static int read_price(struct http_exchange *x, const cJSON *body, money *out)
{
    const char *text;
    int rc;
    if ((rc = http_field_string(x, body, "price", &text)) < 0)
        return rc;
    if ((rc = money_parse(out, text, NULL)) < 0) {
        refuse_field(x, "price", rc);
        return rc;
    }
    return 0;
}

/* The {sku} of the path. */
static int read_path_sku(struct http_exchange *x, sku *out)
{
    int rc = sku_parse(out, http_param(x, "sku"));
    if (rc < 0)
        refuse_field(x, "sku", rc);
    return rc;
}

/*
 * The ids of a command's message: a new message id, the correlation id of the
 * X-Correlation-Id header when it is a UUID (a client continuing its conversation), else
 * the message id; the request's traceparent.  A header that is not a UUID is refused (400)
 * rather than ignored: a client that sends one means to be traced.
 */
static int request_meta(struct http_exchange *x, struct catalog_api *api, struct message_meta *out)
{
    const char *header = http_header(x, "X-Correlation-Id");
    int rc;

    memset(out, 0, sizeof *out);
    if (header && uuid_parse(&out->correlation_id, header) < 0) {
        refuse_field(x, "X-Correlation-Id", SHOP_EINVALID);
        return SHOP_EINVALID;
    }
    if ((rc = id_generator_next(api->ids, &out->message_id)) < 0) {
        http_reply_error(x, rc);
        return rc;
    }
    if (uuid_is_nil(out->correlation_id))
        out->correlation_id = out->message_id;
    http_traceparent(x, out->traceparent);
    return 0;
}

/* The reply to a command: the product, its correlation id in the body and the header. */
static void reply_changed(struct http_exchange *x, int status, const product *p,
                          const struct message_meta *meta)
{
    char id[UUID_STRING_SIZE];
    cJSON *doc = product_json(p);
    uuid_format(id, meta->correlation_id);
    cJSON_AddBoolToObject(doc, "changed", true);
    cJSON_AddStringToObject(doc, "correlation_id", id);
    http_reply_header(x, "X-Correlation-Id", id);
    http_reply_json(x, status, doc);
}

/* ------------------------------------------------------------------ handlers */

static void add_product_handler(struct http_exchange *x, void *ctx)
{
    struct catalog_api *api = ctx;
    const cJSON *body;
    const char *sku_text, *name_text;
    sku s;
    product_name name;
    money price;
    product saved;
    struct message_meta meta;
    int rc;

    if (http_json_body(x, &body) < 0 || http_field_string(x, body, "sku", &sku_text) < 0 ||
        http_field_string(x, body, "name", &name_text) < 0 || read_price(x, body, &price) < 0)
        return;
    if ((rc = sku_parse(&s, sku_text)) < 0) {
        refuse_field(x, "sku", rc);
        return;
    }
    if ((rc = product_name_parse(&name, name_text)) < 0) {
        refuse_field(x, "name", rc);
        return;
    }
    if (request_meta(x, api, &meta) < 0)
        return;
    if ((rc = catalog_service_add(&saved, &api->service, &s, &name, price, &meta)) < 0) {
        http_reply_error(x, rc);
        return;
    }
    char location[64];
    snprintf(location, sizeof location, "/products/%s", saved.sku.code);
    http_reply_header(x, "Location", location);
    reply_changed(x, 201, &saved, &meta);
}

static void change_price_handler(struct http_exchange *x, void *ctx)
{
    struct catalog_api *api = ctx;
    const cJSON *body;
    sku s;
    money price;
    product changed;
    struct message_meta meta;
    int rc;

    if (read_path_sku(x, &s) < 0 || http_json_body(x, &body) < 0 ||
        read_price(x, body, &price) < 0 || request_meta(x, api, &meta) < 0)
        return;
    /* The price it had, to tell whether anything changed: a request for the price a
     * product already has records nothing, so it answers no correlation id to trace. */
    product before;
    bool had_that_price =
        catalog_service_get(&before, &api->service, &s) == 0 && money_equal(before.price, price);
    if ((rc = catalog_service_change_price(&changed, &api->service, &s, price, &meta)) < 0) {
        http_reply_error(x, rc);
        return;
    }
    if (had_that_price) {
        cJSON *doc = product_json(&changed);
        cJSON_AddBoolToObject(doc, "changed", false);
        http_reply_json(x, 200, doc);
        return;
    }
    reply_changed(x, 200, &changed, &meta);
}

static void get_product_handler(struct http_exchange *x, void *ctx)
{
    struct catalog_api *api = ctx;
    sku s;
    product p;
    int rc;

    if (read_path_sku(x, &s) < 0)
        return;
    if ((rc = catalog_service_get(&p, &api->service, &s)) < 0) {
        http_reply_error(x, rc);
        return;
    }
    http_reply_json(x, 200, product_json(&p));
}

static void list_products_handler(struct http_exchange *x, void *ctx)
{
    struct catalog_api *api = ctx;
    struct product_list list;
    int rc = catalog_service_list(&list, &api->service);

    if (rc < 0) {
        http_reply_error(x, rc);
        return;
    }
    cJSON *doc = cJSON_CreateArray();
    for (size_t i = 0; i < list.count; i++)
        cJSON_AddItemToArray(doc, product_json(&list.items[i]));
    product_list_dispose(&list);
    http_reply_json(x, 200, doc);
}

static const struct http_route routes[] = {
    {"POST", "/products", add_product_handler},
    {"GET", "/products", list_products_handler},
    {"GET", "/products/{sku}", get_product_handler},
    {"PUT", "/products/{sku}/price", change_price_handler},
};

/* ------------------------------------------------------------------ the service */

int catalog_api_open(struct service_instance *out, struct service_env *env)
{
    struct catalog_api *api = shop_xcalloc(1, sizeof *api);
    int rc;

    api->db = env->db;
    if ((rc = product_repository_pg_new(&api->products, env->db)) < 0 ||
        (rc = clock_system_new(&api->clock)) < 0 || (rc = id_generator_uuid_new(&api->ids)) < 0) {
        catalog_api_close(api);
        return rc;
    }
    api->service =
        (struct catalog_service){.products = api->products, .clock = api->clock, .ids = api->ids};
    *out = (struct service_instance){
        .routes = routes, .route_count = sizeof routes / sizeof routes[0], .ctx = api};
    /* the observers of Catalog's events: a log line each, counted at GET /metrics */
    api->service.observers = event_observers("catalog");
    out->metrics = event_counters_print;
    return 0;
}

void catalog_api_close(void *ctx)
{
    struct catalog_api *api = ctx;
    if (!api)
        return;
    product_repository_free(api->products);
    shop_clock_free(api->clock);
    id_generator_free(api->ids);
    free(api);
}
