/*
 * infrastructure/payments/payment_api.c — Payments' HTTP API (see payment_api.h).
 *
 * Pattern: a driving adapter and the composition root of the Payments service.  open()
 * wires the adapters to the application service: the payment store on the PostgreSQL
 * event store of the payments schema (env->db runs as shop_payments), the payment gateway
 * over HTTP (service_url("payment-gateway"), with a timeout), the system clock and UUID v7
 * ids.  Each handler reads its input strictly (a wrong field is 400 naming it), calls one
 * handler of application/payments/payment_service.c, and writes the payment as JSON or
 * the refusal as problem+json (http_reply_error maps the SHOP_E* code).
 * Read next: application/payments/payment_service.c, docs/api/payments.md
 */
#include "infrastructure/payments/payment_api.h"

#include "application/payments/payment_service.h"
#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "infrastructure/messaging/observers.h"
#include "infrastructure/payments/payment_gateway_http.h"
#include "infrastructure/payments/payment_store_es.h"
#include "infrastructure/postgres/event_store_pg.h"
#include "infrastructure/resilience/dependency.h"
#include "infrastructure/system/clock_system.h"
#include "infrastructure/system/id_generator_uuid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct payment_api {
    PGconn *db; /* borrowed from the service */
    struct event_store *events;
    struct payment_store *payments;
    struct payment_gateway *gateway;
    struct shop_clock *clock;
    struct id_generator *ids;
    struct payment_service service;
};

/* ---- JSON ---- */

static void add_money(cJSON *doc, const char *key, money m)
{
    char text[MONEY_FORMAT_MAX];
    if (money_format(text, sizeof text, m) < 0)
        text[0] = '\0';
    cJSON_AddStringToObject(doc, key, text);
}

static cJSON *payment_json(const payment *p, int64_t version)
{
    char id[UUID_STRING_SIZE], order[UUID_STRING_SIZE];
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "payment_id", uuid_format(id, p->id.uuid));
    cJSON_AddStringToObject(doc, "order_id", uuid_format(order, p->order_id));
    cJSON_AddStringToObject(doc, "status", payment_status_name(p->status));
    add_money(doc, "amount", p->amount);
    add_money(doc, "captured", p->captured);
    add_money(doc, "refunded", p->refunded);
    cJSON_AddStringToObject(doc, "charge_id", p->charge_id);
    cJSON_AddStringToObject(doc, "reason", p->decline_reason);
    cJSON_AddNumberToObject(doc, "version", (double)version);
    return doc;
}

/* The payment after a command, 200. */
static void reply_payment(struct http_exchange *x, struct payment_api *api, const payment_id *id)
{
    payment p;
    int64_t version;
    int rc = payment_service_get(&p, &version, &api->service, id);
    if (rc < 0)
        http_reply_error(x, rc);
    else
        http_reply_json(x, 200, payment_json(&p, version));
}

/* ---- reading input ---- */

static int refuse(struct http_exchange *x, const char *field)
{
    char detail[SHOP_ERROR_MESSAGE_MAX + 64];
    snprintf(detail, sizeof detail, "%s: %s", field, shop_error_message());
    http_reply_problem(x, 400, "invalid-input", detail);
    return SHOP_EINVALID;
}

/* "37.50 EUR": the currency is part of money in JSON. */
static int read_amount(struct http_exchange *x, const cJSON *body, money *out)
{
    const char *text;
    if (http_field_string(x, body, "amount", &text) < 0)
        return SHOP_EINVALID;
    if (money_parse(out, text, NULL) < 0)
        return refuse(x, "amount");
    if (!money_is_positive(*out)) {
        shop_error_set(SHOP_EINVALID, "must be above 0, got %s", text);
        return refuse(x, "amount");
    }
    return 0;
}

/* The {id} of the path; 400 when it is not a UUID. */
static int read_id(struct http_exchange *x, payment_id *out)
{
    if (payment_id_parse(out, http_param(x, "id")) < 0) {
        http_reply_error(x, SHOP_EINVALID);
        return SHOP_EINVALID;
    }
    return 0;
}

/* ---- handlers ---- */

static void authorize(struct http_exchange *x, void *ctx)
{
    struct payment_api *api = ctx;
    const cJSON *body;
    const char *order_text, *card;
    struct authorize_payment_request req = {0};
    payment_id id;

    if (http_json_body(x, &body) < 0 || http_field_string(x, body, "order_id", &order_text) < 0 ||
        read_amount(x, body, &req.amount) < 0 || http_field_string(x, body, "card", &card) < 0)
        return;
    if (uuid_parse(&req.order_id, order_text) < 0 || uuid_is_nil(req.order_id)) {
        shop_error_set(SHOP_EINVALID, "must be a UUID (8-4-4-4-12 hex digits), not nil");
        refuse(x, "order_id");
        return;
    }
    if (payment_card_check(card) < 0) {
        http_reply_error(x, SHOP_EINVALID); /* the message names the field: "card: ..." */
        return;
    }
    req.card = card;
    int rc = payment_service_authorize(&id, &api->service, &req, NULL);
    if (rc < 0) {
        http_reply_error(x, rc); /* 422 "payment declined", 503 gateway unavailable, ... */
        return;
    }
    char text[UUID_STRING_SIZE], location[32 + UUID_STRING_SIZE];
    uuid_format(text, id.uuid);
    snprintf(location, sizeof location, "/payments/%s", text);
    http_reply_header(x, "Location", location);
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "payment_id", text);
    cJSON_AddStringToObject(doc, "status", "authorized");
    http_reply_json(x, 201, doc);
}

static void capture(struct http_exchange *x, void *ctx)
{
    struct payment_api *api = ctx;
    payment_id id;
    if (read_id(x, &id) < 0)
        return;
    int rc = payment_service_capture(&api->service, &id, NULL);
    if (rc < 0)
        http_reply_error(x, rc);
    else
        reply_payment(x, api, &id);
}

static void void_payment_(struct http_exchange *x, void *ctx)
{
    struct payment_api *api = ctx;
    payment_id id;
    if (read_id(x, &id) < 0)
        return;
    int rc = payment_service_void(&api->service, &id, NULL);
    if (rc < 0)
        http_reply_error(x, rc);
    else
        reply_payment(x, api, &id);
}

static void refund(struct http_exchange *x, void *ctx)
{
    struct payment_api *api = ctx;
    const cJSON *body;
    payment_id id;
    money amount;
    if (read_id(x, &id) < 0 || http_json_body(x, &body) < 0 || read_amount(x, body, &amount) < 0)
        return;
    int rc = payment_service_refund(&api->service, &id, amount, NULL);
    if (rc < 0)
        http_reply_error(x, rc);
    else
        reply_payment(x, api, &id);
}

static void show(struct http_exchange *x, void *ctx)
{
    struct payment_api *api = ctx;
    payment_id id;
    if (read_id(x, &id) == 0)
        reply_payment(x, api, &id);
}

/* ---- the circuit breaker in front of the payment-gateway ---- */

/* The dependencies this service calls: its breakers at GET /breakers and /metrics. */
static const char *const dependencies[] = {"payment-gateway"};
#define DEPENDENCY_COUNT (sizeof dependencies / sizeof dependencies[0])

/* GET /breakers: the breakers' state and window (`shop breaker status` reads it). */
static void breakers(struct http_exchange *x, void *ctx)
{
    (void)ctx;
    http_reply_json(x, 200, dependency_breakers_json(dependencies, DEPENDENCY_COUNT));
}

/* GET /metrics: the breakers, and the observed events (the breakers' among them). */
static void metrics(void *ctx, FILE *out)
{
    dependency_write_metrics(dependencies, DEPENDENCY_COUNT, out);
    event_counters_print(ctx, out);
}

static const struct http_route routes[] = {
    {"GET", "/breakers", breakers},
    {"POST", "/payments", authorize},
    {"GET", "/payments/{id}", show},
    {"POST", "/payments/{id}/capture", capture},
    {"POST", "/payments/{id}/void", void_payment_},
    {"POST", "/payments/{id}/refunds", refund},
};

/* ---- the service ---- */

int payment_api_open(struct service_instance *out, struct service_env *env)
{
    struct payment_api *api = shop_xcalloc(1, sizeof *api);
    int rc;

    api->db = env->db;
    if ((rc = event_store_pg_new(&api->events, env->db, "payments")) < 0 ||
        (rc = payment_store_es_new(&api->payments, api->events)) < 0 ||
        (rc = payment_gateway_http_new(&api->gateway, NULL, 0)) < 0 ||
        (rc = clock_system_new(&api->clock)) < 0 || (rc = id_generator_uuid_new(&api->ids)) < 0) {
        payment_api_close(api);
        return rc;
    }
    api->service = (struct payment_service){
        .payments = api->payments, .gateway = api->gateway, .clock = api->clock, .ids = api->ids};
    *out = (struct service_instance){.routes = routes,
                                     .route_count = sizeof routes / sizeof routes[0],
                                     .ctx = api,
                                     .metrics = metrics};
    return 0;
}

void payment_api_close(void *ctx)
{
    struct payment_api *api = ctx;
    if (!api)
        return;
    id_generator_free(api->ids);
    shop_clock_free(api->clock);
    payment_gateway_free(api->gateway);
    payment_store_free(api->payments);
    es_free(api->events);
    free(api);
}
