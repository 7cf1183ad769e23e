/*
 * infrastructure/shipping/shipping_api.c — Shipping's HTTP API (see shipping_api.h).
 *
 * Pattern: a driving adapter and the composition root of the Shipping service.  open()
 * wires the adapters to the application service: the shipment store on the PostgreSQL
 * event store of the shipping schema (env->db runs as shop_shipping), the carrier over
 * HTTP (service_url("carrier"), with a timeout), the system clock and UUID v7 ids.
 * Each handler reads its input strictly (a wrong field is 400 naming it, before the
 * carrier is asked or anything is recorded), calls one handler of
 * application/shipping/shipping_service.c, and writes the shipment as JSON or the
 * refusal as problem+json (http_reply_error maps the SHOP_E* code).
 *
 * A shipment is named by the order it ships (domain/shipping/shipment.h): its id in the
 * paths and in "shipment_id" is the order's UUID, so scheduling an order twice finds the
 * same shipment.
 * Read next: application/shipping/shipping_service.c, docs/api/shipping.md
 */
#include "infrastructure/shipping/shipping_api.h"

#include "application/shipping/shipping_service.h"
#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "infrastructure/messaging/observers.h"
#include "infrastructure/postgres/event_store_pg.h"
#include "infrastructure/resilience/dependency.h"
#include "infrastructure/shipping/carrier_http.h"
#include "infrastructure/shipping/shipment_store_es.h"
#include "infrastructure/system/clock_system.h"
#include "infrastructure/system/id_generator_uuid.h"
#include "infrastructure/system/time_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct shipping_api {
    PGconn *db; /* borrowed from the service */
    struct event_store *events;
    struct shipment_store *shipments;
    struct carrier_port *carrier;
    struct shop_clock *clock;
    struct id_generator *ids;
    struct shipping_service service;
};

/* ---- JSON ---- */

/* "2024-06-10T06:13:20.000000Z", or null for 0. */
static void add_time(cJSON *doc, const char *key, int64_t us)
{
    char text[TIME_TEXT_SIZE];
    if (us <= 0 || time_text_rfc3339(text, us) < 0)
        cJSON_AddNullToObject(doc, key);
    else
        cJSON_AddStringToObject(doc, key, text);
}

static cJSON *shipment_json(const shipment *s)
{
    char id[UUID_STRING_SIZE];
    cJSON *doc = cJSON_CreateObject();
    uuid_format(id, s->id.order_id);
    cJSON_AddStringToObject(doc, "shipment_id", id); /* a shipment is named by its order */
    cJSON_AddStringToObject(doc, "order_id", id);
    cJSON_AddStringToObject(doc, "status", shipment_status_name(s->status));
    cJSON_AddStringToObject(doc, "ship_to", s->ship_to.text);
    cJSON_AddStringToObject(doc, "postcode", s->postcode.code);
    cJSON_AddStringToObject(doc, "carrier_id", s->carrier_id);
    cJSON_AddStringToObject(doc, "tracking", s->tracking);
    cJSON_AddStringToObject(doc, "reason", s->reason);
    add_time(doc, "scheduled_at", s->scheduled_at_us);
    add_time(doc, "cancelled_at", s->cancelled_at_us);
    return doc;
}

/* ---- reading input ---- */

/* 400 "<field>: <why>". */
static void refuse_field(struct http_exchange *x, const char *field, const char *why)
{
    char detail[SHOP_ERROR_MESSAGE_MAX + 64];
    snprintf(detail, sizeof detail, "%s: %s", field, why);
    http_reply_problem(x, 400, "invalid-input", detail);
}

/* A required string field parsed by a value object; false after replying 400. */
static bool read_ship_to(struct http_exchange *x, const cJSON *body, ship_to *out)
{
    const char *text;
    if (http_field_string(x, body, "ship_to", &text) < 0)
        return false;
    if (ship_to_parse(out, text) < 0) {
        refuse_field(x, "ship_to", shop_error_message());
        return false;
    }
    return true;
}

static bool read_postcode(struct http_exchange *x, const cJSON *body, postcode *out)
{
    const char *text;
    if (http_field_string(x, body, "postcode", &text) < 0)
        return false;
    if (postcode_parse(out, text) < 0) {
        refuse_field(x, "postcode", shop_error_message());
        return false;
    }
    return true;
}

static bool read_order_id(struct http_exchange *x, const cJSON *body, shipment_id *out)
{
    const char *text;
    if (http_field_string(x, body, "order_id", &text) < 0)
        return false;
    if (shipment_id_parse(out, text) < 0 || uuid_is_nil(out->order_id)) {
        refuse_field(x, "order_id", "must be a UUID (8-4-4-4-12 hex digits), not nil");
        return false;
    }
    return true;
}

/* The {id} of the path: the order's UUID; false after replying 400. */
static bool path_id(struct http_exchange *x, shipment_id *out)
{
    if (shipment_id_parse(out, http_param(x, "id")) < 0) {
        refuse_field(x, "shipment id", shop_error_message());
        return false;
    }
    return true;
}

/* ---- handlers ---- */

static void schedule(struct http_exchange *x, void *ctx)
{
    struct shipping_api *api = ctx;
    struct schedule_shipment_request *req = shop_xcalloc(1, sizeof *req);
    const cJSON *body;
    shipment s;

    if (http_json_body(x, &body) < 0 || !read_order_id(x, body, &req->id) ||
        !read_ship_to(x, body, &req->ship_to) || !read_postcode(x, body, &req->postcode))
        goto done;
    int rc = shipping_service_schedule(&s, &api->service, req, NULL);
    if (rc == SHOP_EREFUSED && s.status == SHIPMENT_STATUS_REJECTED) {
        /* recorded as ShipmentRejected; the problem's type names the carrier's answer */
        http_reply_problem(x, 422, "undeliverable", shop_error_message());
        goto done;
    }
    if (rc < 0) { /* 422 cancelled / scheduled elsewhere, 503 carrier unavailable, ... */
        http_reply_error(x, rc);
        goto done;
    }
    char id[UUID_STRING_SIZE], location[32 + UUID_STRING_SIZE];
    snprintf(location, sizeof location, "/shipments/%s", uuid_format(id, s.id.order_id));
    http_reply_header(x, "Location", location);
    http_reply_json(x, 201, shipment_json(&s));
done:
    free(req);
}

static void cancel(struct http_exchange *x, void *ctx)
{
    struct shipping_api *api = ctx;
    shipment_id id;
    shipment s;
    if (!path_id(x, &id))
        return;
    int rc = shipping_service_cancel(&s, &api->service, &id, NULL);
    if (rc < 0)
        http_reply_error(x, rc); /* 404 never scheduled, 422 rejected, 503 carrier */
    else
        http_reply_json(x, 200, shipment_json(&s));
}

static void show(struct http_exchange *x, void *ctx)
{
    struct shipping_api *api = ctx;
    shipment_id id;
    shipment s;
    if (!path_id(x, &id))
        return;
    int rc = shipping_service_get(&s, &api->service, &id);
    if (rc < 0)
        http_reply_error(x, rc);
    else
        http_reply_json(x, 200, shipment_json(&s));
}

/* ---- the circuit breaker in front of the carrier ---- */

/* The dependencies this service calls: its breakers at GET /breakers and /metrics. */
static const char *const dependencies[] = {"carrier"};
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
    {"POST", "/shipments", schedule},
    {"GET", "/shipments/{id}", show},
    {"POST", "/shipments/{id}/cancel", cancel},
};

/* ---- the service ---- */

int shipping_api_open(struct service_instance *out, struct service_env *env)
{
    struct shipping_api *api = shop_xcalloc(1, sizeof *api);
    char carrier_url[SERVICE_URL_MAX];
    int rc;

    api->db = env->db;
    if ((rc = service_url(carrier_url, "carrier", NULL)) < 0 ||
        (rc = event_store_pg_new(&api->events, env->db, "shipping")) < 0 ||
        (rc = shipment_store_es_new(&api->shipments, api->events)) < 0 ||
        (rc = carrier_http_new(&api->carrier, carrier_url, 0)) < 0 ||
        (rc = clock_system_new(&api->clock)) < 0 || (rc = id_generator_uuid_new(&api->ids)) < 0) {
        shipping_api_close(api);
        return rc;
    }
    api->service = (struct shipping_service){
        .shipments = api->shipments, .carrier = api->carrier, .clock = api->clock, .ids = api->ids};
    *out = (struct service_instance){.routes = routes,
                                     .route_count = sizeof routes / sizeof routes[0],
                                     .ctx = api,
                                     .metrics = metrics};
    if (env->verbose)
        fprintf(stderr, "shipping: carrier at %s\n", carrier_url);
    return 0;
}

void shipping_api_close(void *ctx)
{
    struct shipping_api *api = ctx;
    if (!api)
        return;
    id_generator_free(api->ids);
    shop_clock_free(api->clock);
    carrier_free(api->carrier);
    shipment_store_free(api->shipments);
    es_free(api->events);
    free(api);
}
