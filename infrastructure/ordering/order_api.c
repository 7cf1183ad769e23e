/*
 * infrastructure/ordering/order_api.c — Ordering's HTTP API (see order_api.h).
 *
 * Pattern: a driving adapter and the composition root of the Ordering service.
 * order_api_open() wires the application service to its adapters —
 *     order store        order_store_es.c on the PostgreSQL event store (schema ordering)
 *     price list         price_list_replica_pg.c: Ordering's own replica of Catalog's
 *                        prices (ordering.prices, fed by Catalog's events); with
 *                        SHOP_PRICE_LIST=catalog-http, price_list_http.c: Catalog's
 *                        GET /products/{sku} instead
 *     clock, ids         the system clock, UUIDs
 *     order queries      order_queries_pg.c (until a read model exists)
 *     observers          observers.c: a log line and a counter per recorded event
 * and each handler below only translates: JSON in → value objects (every field checked
 * here, so a refusal names the field) → one application-service call → JSON out, with
 * the SHOP_E* result mapped to a status in http_problem.c.  Nothing here decides a
 * business rule; the Order aggregate does.
 *
 * Every request has a W3C trace context (http_traceparent: the client's `traceparent`, or
 * a new trace), which the events it records carry and the reply's `traceparent` header
 * returns, so a client can find its request in `shop trace` and in the event log.
 *
 * Validation happens before any side effect: a bad request never reads a price and
 * never appends an event.  Lines of the same SKU are merged here, as the aggregate
 * would merge them, so that each price is asked once and "at most 50 lines" is known
 * before Catalog is called; the aggregate checks its rules again on what it is given.
 * Read next: application/ordering/order_service.c, docs/api/ordering.md
 */
#include "infrastructure/ordering/order_api.h"
#include "infrastructure/ordering/fulfilment_subscription.h"

#include "application/ordering/order_queries.h"
#include "application/ordering/order_service.h"
#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "domain/shared/text.h"
#include "infrastructure/messaging/observers.h"
#include "infrastructure/ordering/order_queries_pg.h"
#include "infrastructure/ordering/order_store_es.h"
#include "infrastructure/ordering/price_list_http.h"
#include "infrastructure/ordering/price_list_replica_pg.h"
#include "infrastructure/postgres/event_store_pg.h"
#include "infrastructure/system/clock_system.h"
#include "infrastructure/system/id_generator_uuid.h"
#include "infrastructure/system/time_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_CARD          "tok_visa"
#define DEFAULT_CANCEL_REASON "cancelled by the customer"

struct order_api {
    PGconn *db; /* borrowed from the service's environment */
    struct event_store *events;
    struct order_store *orders;
    struct order_queries *queries;
    struct price_list *replica;      /* ordering.prices: GET /prices/{sku}, and the default */
    struct price_list *catalog_http; /* SHOP_PRICE_LIST=catalog-http only */
    struct shop_clock *clock;
    struct id_generator *ids;
    struct order_service service;
};

/* ------------------------------------------------------------------ helpers */

/* 400 "<field>: <the value object's message>". */
static void refuse_field(struct http_exchange *x, const char *field, const char *why)
{
    char detail[SHOP_ERROR_MESSAGE_MAX + 64];
    snprintf(detail, sizeof detail, "%s: %s", field, why);
    http_reply_problem(x, 400, "invalid-input", detail);
}

static void money_to_json(cJSON *doc, const char *name, money m)
{
    char text[MONEY_FORMAT_MAX];
    money_format(text, sizeof text, m);
    cJSON_AddStringToObject(doc, name, text);
}

/* "2024-06-10T06:13:20.000000Z"; null for no time */
static void time_to_json(cJSON *doc, const char *name, int64_t us)
{
    char text[TIME_TEXT_SIZE];
    if (us <= 0 || time_text_rfc3339(text, us) < 0)
        cJSON_AddNullToObject(doc, name);
    else
        cJSON_AddStringToObject(doc, name, text);
}

static void id_to_json(cJSON *doc, order_id id)
{
    char text[UUID_STRING_SIZE];
    cJSON_AddStringToObject(doc, "order_id", uuid_format(text, id.uuid));
}

/*
 * The ids a request's command starts with: its trace context (the client's traceparent or
 * a new trace), which the reply returns in its own `traceparent` header, whatever it is.
 * The message and correlation ids are left to the application service (a new message id;
 * the order as the correlation).
 */
static void request_meta(struct http_exchange *x, struct message_meta *out)
{
    memset(out, 0, sizeof *out);
    http_traceparent(x, out->traceparent);
    if (out->traceparent[0])
        http_reply_header(x, "traceparent", out->traceparent);
}

/* The {id} of the path as an order id; false after replying 400. */
static bool path_order_id(struct http_exchange *x, order_id *out)
{
    if (order_id_parse(out, http_param(x, "id")) < 0) {
        refuse_field(x, "order id", shop_error_message());
        return false;
    }
    return true;
}

/* ------------------------------------------------------------------ POST /orders */

/*
 * body.lines → req->lines, merged by SKU.  Replies 400 naming the entry and returns false
 * when a line is not [{"sku": "ABC-1", "quantity": 1..999}], or the merged order would
 * have no line, more than ORDER_MAX_LINES, or a quantity above QUANTITY_MAX.
 */
static bool read_lines(struct http_exchange *x, const cJSON *body, struct place_order_request *req)
{
    const cJSON *lines = cJSON_GetObjectItemCaseSensitive(body, "lines");
    char field[48], why[SHOP_ERROR_MESSAGE_MAX];
    int count;

    if (!lines || cJSON_IsNull(lines)) {
        refuse_field(x, "lines", "missing");
        return false;
    }
    if (!cJSON_IsArray(lines)) {
        refuse_field(x, "lines", "must be an array of {\"sku\", \"quantity\"}");
        return false;
    }
    count = cJSON_GetArraySize(lines);
    if (count == 0) {
        refuse_field(x, "lines", "an order needs 1-50 lines, got none");
        return false;
    }
    if (count > ORDER_MAX_REQUESTED_LINES) {
        snprintf(why, sizeof why, "at most %d entries, got %d", ORDER_MAX_REQUESTED_LINES, count);
        refuse_field(x, "lines", why);
        return false;
    }

    req->line_count = 0;
    int i = 0;
    for (const cJSON *line = lines->child; line; line = line->next, i++) {
        const cJSON *sku_field = cJSON_GetObjectItemCaseSensitive(line, "sku");
        const cJSON *qty = cJSON_GetObjectItemCaseSensitive(line, "quantity");
        sku s;
        if (!cJSON_IsObject(line)) {
            snprintf(field, sizeof field, "lines[%d]", i);
            refuse_field(x, field, "must be an object {\"sku\", \"quantity\"}");
            return false;
        }
        snprintf(field, sizeof field, "lines[%d].sku", i);
        if (!cJSON_IsString(sku_field)) {
            refuse_field(x, field, sku_field ? "must be a string" : "missing");
            return false;
        }
        if (sku_parse(&s, sku_field->valuestring) < 0) {
            refuse_field(x, field, shop_error_message());
            return false;
        }
        snprintf(field, sizeof field, "lines[%d].quantity", i);
        /* range first: only then is the cast to an integer defined */
        if (!qty || !cJSON_IsNumber(qty) || !(qty->valuedouble >= QUANTITY_MIN) ||
            !(qty->valuedouble <= QUANTITY_MAX) ||
            qty->valuedouble != (double)(int)qty->valuedouble) {
            snprintf(why, sizeof why, "%s", qty ? "must be an integer from 1 to 999" : "missing");
            refuse_field(x, field, why);
            return false;
        }
        int q = (int)qty->valuedouble;

        size_t at = 0; /* the same SKU twice is one line */
        while (at < req->line_count && !sku_equal(&req->lines[at].sku, &s))
            at++;
        if (at == req->line_count) {
            if (req->line_count == ORDER_MAX_LINES) {
                refuse_field(x, "lines", "an order has at most 50 distinct SKUs, got more");
                return false;
            }
            req->lines[at].sku = s;
            req->lines[at].quantity.value = 0;
            req->line_count++;
        }
        if (quantity_make(&req->lines[at].quantity, req->lines[at].quantity.value + q) < 0) {
            snprintf(why, sizeof why, "SKU %s adds up to %d, above the 999 a line may hold", s.code,
                     req->lines[at].quantity.value + q);
            refuse_field(x, "lines", why);
            return false;
        }
    }
    return true;
}

/* A required string field parsed by a value object's parse function. */
static bool read_value(struct http_exchange *x, const cJSON *body, const char *field,
                       int (*parse)(void *, const char *), void *out)
{
    const char *text;
    if (http_field_string(x, body, field, &text) < 0)
        return false;
    if (parse(out, text) < 0) {
        refuse_field(x, field, shop_error_message());
        return false;
    }
    return true;
}

static int parse_customer(void *out, const char *text)
{
    return customer_id_parse(out, text);
}
static int parse_ship_to(void *out, const char *text)
{
    return ship_to_parse(out, text);
}
static int parse_postcode(void *out, const char *text)
{
    return postcode_parse(out, text);
}

static void place(struct http_exchange *x, void *ctx)
{
    struct order_api *api = ctx;
    struct place_order_request *req = shop_xcalloc(1, sizeof *req);
    const cJSON *body;
    const char *card;
    order_id id;
    struct message_meta meta;
    int rc;

    request_meta(x, &meta);
    if (http_json_body(x, &body) < 0 ||
        !read_value(x, body, "customer", parse_customer, &req->customer) ||
        !read_lines(x, body, req) ||
        !read_value(x, body, "ship_to", parse_ship_to, &req->address.ship_to) ||
        !read_value(x, body, "postcode", parse_postcode, &req->address.postcode) ||
        http_field_string_opt(x, body, "card", &card) < 0)
        goto done;
    if (card && !card[0]) {
        refuse_field(x, "card", "must not be empty (leave it out for " DEFAULT_CARD ")");
        goto done;
    }
    if (card && order_card_check(card) < 0) {
        refuse_field(x, "card", shop_error_message());
        goto done;
    }
    /* The token travels with the order (OrderPlaced's "card") to the fulfilment saga,
     * which asks Payments to authorize it; left out, it is DEFAULT_CARD. */
    snprintf(req->card, sizeof req->card, "%s", card ? card : DEFAULT_CARD);

    rc = order_service_place(&id, &api->service, req, &meta);
    if (rc == SHOP_ENOTFOUND) { /* "unknown SKU ABC": the order is refused, not missing */
        http_reply_problem(x, 422, "refused", shop_error_message());
        goto done;
    }
    if (rc < 0) {
        http_reply_error(x, rc);
        goto done;
    }
    char location[16 + UUID_STRING_SIZE], text[UUID_STRING_SIZE];
    snprintf(location, sizeof location, "/orders/%s", uuid_format(text, id.uuid));
    http_reply_header(x, "Location", location);
    cJSON *doc = cJSON_CreateObject();
    id_to_json(doc, id);
    http_reply_json(x, 201, doc);

done:
    free(req);
}

/* ------------------------------------------------------------------ GET /orders/{id} */

static cJSON *order_json(const order *o, int64_t version)
{
    cJSON *doc = cJSON_CreateObject();
    id_to_json(doc, o->id);
    cJSON_AddStringToObject(doc, "customer", o->customer.text);
    cJSON_AddStringToObject(doc, "status", order_status_name(o->status));
    if (o->reason[0])
        cJSON_AddStringToObject(doc, "reason", o->reason);
    else
        cJSON_AddNullToObject(doc, "reason");
    money_to_json(doc, "total", o->total);
    cJSON *lines = cJSON_AddArrayToObject(doc, "lines");
    for (size_t i = 0; i < o->line_count; i++) {
        const order_line *l = &o->lines[i];
        cJSON *line = cJSON_CreateObject();
        cJSON_AddStringToObject(line, "sku", l->sku.code);
        cJSON_AddNumberToObject(line, "quantity", l->quantity.value);
        money_to_json(line, "unit_price", l->unit_price);
        money_to_json(line, "line_total", l->line_total);
        cJSON_AddItemToArray(lines, line);
    }
    cJSON_AddNumberToObject(doc, "version", (double)version);
    cJSON_AddStringToObject(doc, "ship_to", o->address.ship_to.text);
    cJSON_AddStringToObject(doc, "postcode", o->address.postcode.code);
    time_to_json(doc, "placed_at", o->placed_at_us);
    time_to_json(doc, "closed_at", o->closed_at_us);
    return doc;
}

/* ?as_of=VERSION: digits, 1 or more.  0 when absent; false after replying 400. */
static bool read_as_of(struct http_exchange *x, int64_t *out)
{
    const char *text = http_query(x, "as_of");
    *out = 0;
    if (!text)
        return true;
    size_t n = strlen(text);
    if (n == 0 || n > 18 || strspn(text, "0123456789") != n || (*out = atoll(text)) < 1) {
        refuse_field(x, "as_of", "must be a version, an integer of 1 or more");
        return false;
    }
    return true;
}

static void show(struct http_exchange *x, void *ctx)
{
    struct order_api *api = ctx;
    order *state = shop_xmalloc(sizeof *state);
    order_id id;
    int64_t as_of, version;
    struct message_meta meta;
    int rc;

    request_meta(x, &meta);
    if (!path_order_id(x, &id) || !read_as_of(x, &as_of))
        goto done;
    rc = as_of ? order_store_es_load_as_of(api->orders, state, &version, &id, as_of)
               : order_store_load(api->orders, state, &version, &id);
    if (rc < 0) {
        http_reply_error(x, rc);
        goto done;
    }
    if (state->status == ORDER_STATUS_NONE) {
        char text[UUID_STRING_SIZE], detail[96];
        snprintf(detail, sizeof detail, "order %s not found", uuid_format(text, id.uuid));
        http_reply_problem(x, 404, "not-found", detail);
        goto done;
    }
    http_reply_json(x, 200, order_json(state, version));

done:
    free(state);
}

/* ------------------------------------------------------------------ GET /orders */

static void list(struct http_exchange *x, void *ctx)
{
    struct order_api *api = ctx;
    const char *customer_text = http_query(x, "customer");
    const char *status_text = http_query(x, "status");
    customer_id customer;
    struct order_filter filter = {0};
    struct order_summary *found = NULL;
    size_t n = 0;
    struct message_meta meta;

    request_meta(x, &meta);
    if (customer_text) {
        if (customer_id_parse(&customer, customer_text) < 0) {
            refuse_field(x, "customer", shop_error_message());
            return;
        }
        filter.customer = &customer;
    }
    if (status_text) {
        static const enum order_status statuses[] = {ORDER_STATUS_PLACED, ORDER_STATUS_CONFIRMED,
                                                     ORDER_STATUS_CANCELLED};
        for (size_t i = 0; i < 3; i++)
            if (strcmp(status_text, order_status_name(statuses[i])) == 0)
                filter.status = statuses[i];
        if (filter.status == ORDER_STATUS_NONE) {
            refuse_field(x, "status", "must be placed, confirmed or cancelled");
            return;
        }
    }
    int rc = order_queries_list(&found, &n, NULL, api->queries, api->orders, &filter, 0);
    if (rc < 0) {
        http_reply_error(x, rc);
        return;
    }
    cJSON *doc = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        id_to_json(o, found[i].id);
        cJSON_AddStringToObject(o, "customer", found[i].customer.text);
        cJSON_AddStringToObject(o, "status", order_status_name(found[i].status));
        money_to_json(o, "total", found[i].total);
        time_to_json(o, "placed_at", found[i].placed_at_us);
        cJSON_AddItemToArray(doc, o);
    }
    free(found);
    http_reply_json(x, 200, doc);
}

/* ------------------------------------------------------------------ POST /orders/{id}/cancel */

static void cancel(struct http_exchange *x, void *ctx)
{
    struct order_api *api = ctx;
    const char *reason = NULL;
    const cJSON *body;
    order_id id;
    struct message_meta meta;

    request_meta(x, &meta);
    if (!path_order_id(x, &id))
        return;
    /* A body is optional; if there is one, JSON, however it was sent (Content-Length or
     * chunked): a body that is not what it should be never cancels the order. */
    if (http_has_body(x)) {
        if (http_json_body(x, &body) < 0 || http_field_string_opt(x, body, "reason", &reason) < 0)
            return;
    }
    int rc =
        order_service_cancel(&api->service, &id, reason ? reason : DEFAULT_CANCEL_REASON, &meta);
    if (rc < 0) {
        http_reply_error(x, rc);
        return;
    }
    cJSON *doc = cJSON_CreateObject();
    id_to_json(doc, id);
    cJSON_AddStringToObject(doc, "status", "cancelled");
    http_reply_json(x, 200, doc);
}

/* ------------------------------------------------------------------ GET /prices/{sku} */

/* The replica's view of one price: what an order placed now would be charged, and the
 * catalog_version it comes from (a script waits on it after changing a price). */
static void price(struct http_exchange *x, void *ctx)
{
    struct order_api *api = ctx;
    sku s;
    money m;
    int64_t version;
    struct message_meta meta;

    request_meta(x, &meta);
    if (sku_parse(&s, http_param(x, "sku")) < 0) {
        refuse_field(x, "sku", shop_error_message());
        return;
    }
    int rc = price_list_replica_pg_lookup(api->replica, &m, &version, &s);
    if (rc < 0) {
        http_reply_error(x, rc);
        return;
    }
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "sku", s.code);
    money_to_json(doc, "price", m);
    cJSON_AddNumberToObject(doc, "catalog_version", (double)version);
    http_reply_json(x, 200, doc);
}

/* ------------------------------------------------------------------ the service */

static const struct http_route routes[] = {
    {"POST", "/orders", place},      {"GET", "/orders", list},
    {"GET", "/orders/{id}", show},   {"POST", "/orders/{id}/cancel", cancel},
    {"GET", "/prices/{sku}", price},
};

void order_api_close(void *ctx)
{
    struct order_api *api = ctx;
    if (!api)
        return;
    order_queries_free(api->queries);
    order_store_free(api->orders);
    es_free(api->events);
    price_list_free(api->replica);
    price_list_free(api->catalog_http);
    id_generator_free(api->ids);
    shop_clock_free(api->clock);
    free(api);
}

/*
 * Where Ordering's prices come from: SHOP_PRICE_LIST unset, "" or "replica" is its own
 * replica; "catalog-http" asks Catalog's API for each line (placing an order then needs
 * Catalog up).  *catalog_http says which; SHOP_EINVALID for anything else.
 */
static int price_list_choice(bool *catalog_http)
{
    const char *choice = getenv("SHOP_PRICE_LIST");
    *catalog_http = false;
    if (!choice || !*choice || strcmp(choice, "replica") == 0)
        return 0;
    if (strcmp(choice, "catalog-http") == 0) {
        *catalog_http = true;
        return 0;
    }
    char q[TEXT_QUOTE_SIZE];
    return shop_error_set(SHOP_EINVALID,
                          "SHOP_PRICE_LIST must be replica or catalog-http, got \"%s\"",
                          text_quote(q, choice));
}

int order_api_open(struct service_instance *out, struct service_env *env)
{
    struct order_api *api = shop_xcalloc(1, sizeof *api);
    char catalog_url[SERVICE_URL_MAX];
    bool catalog_http;
    int rc;

    struct saga_settings saga_settings;

    api->db = env->db;
    /* The saga's settings are its workers', read here too so that a bad one stops the
     * service at start with one line rather than a worker retrying forever. */
    if ((rc = fulfilment_settings_read(&saga_settings)) < 0 ||
        (rc = price_list_choice(&catalog_http)) < 0 ||
        (catalog_http && (rc = service_url(catalog_url, "catalog", NULL)) < 0) ||
        (rc = event_store_pg_new(&api->events, env->db, "ordering")) < 0 ||
        (rc = order_store_es_new(&api->orders, api->events, ORDER_SNAPSHOT_EVERY_DEFAULT)) < 0 ||
        (rc = order_queries_pg_new(&api->queries, env->db)) < 0 ||
        (rc = price_list_replica_pg_new(&api->replica, env->db)) < 0 ||
        (catalog_http && (rc = price_list_http_new(&api->catalog_http, catalog_url,
                                                   PRICE_LIST_HTTP_TIMEOUT_MS)) < 0) ||
        (rc = clock_system_new(&api->clock)) < 0 || (rc = id_generator_uuid_new(&api->ids)) < 0) {
        order_api_close(api);
        return rc;
    }
    api->service = (struct order_service){.orders = api->orders,
                                          .prices = catalog_http ? api->catalog_http : api->replica,
                                          .clock = api->clock,
                                          .ids = api->ids};
    *out = (struct service_instance){
        .routes = routes, .route_count = sizeof routes / sizeof routes[0], .ctx = api};
    /* the observers of Ordering's events: a log line each, counted at GET /metrics */
    api->service.observers = event_observers("ordering");
    out->metrics = event_counters_print;
    if (env->verbose) {
        if (catalog_http)
            fprintf(stderr, "ordering: prices from catalog at %s\n", catalog_url);
        else
            fprintf(stderr, "ordering: prices from its replica (ordering.prices)\n");
    }
    return 0;
}
