/*
 * infrastructure/inventory/inventory_api.c — Inventory's HTTP API (a driving adapter:
 * requests in, calls of application/inventory/inventory_service.c out, JSON back).
 *
 *   POST /stock/{sku}/receipts              {"quantity": 10}      200 stock
 *   GET  /stock                                                   200 [stock, ...] by SKU
 *   GET  /stock/{sku}                                             200 stock | 404
 *   POST /reservations  {"order_id", "lines": [{"sku", "quantity"}]}  201 reservation | 422
 *   GET  /reservations/{order_id}                                 200 reservation | 404
 *   POST /reservations/{order_id}/release                         200 reservation
 *   POST /reservations/{order_id}/commit                          200 reservation
 * where stock is {sku, on_hand, reserved, available} and a reservation
 * {order_id, status, lines}.  Everything is checked before the service is called, so a bad
 * request changes nothing; refusals are problem+json with the rule (docs/api/inventory.md).
 *
 * A receipt is also told to the others: inventory.StockReceived goes to inventory.outbox
 * in the transaction that receives the stock (the service's unit of work nests in it as
 * a savepoint), so the stock and its event are kept together or not at all.
 *
 * Wiring (the composition root of this service): the PostgreSQL adapters on the service's
 * connection, which runs as shop_inventory.
 * Read next: docs/api/inventory.md, tests/integration/inventory_api_test.c
 */
#include "infrastructure/inventory/inventory_api.h"

#include "application/inventory/inventory_service.h"
#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "infrastructure/inventory/inventory_messages.h"
#include "infrastructure/inventory/inventory_pg.h"
#include "infrastructure/messaging/outbox_pg.h"
#include "infrastructure/postgres/sqlstate.h"
#include "infrastructure/system/clock_system.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct inventory_api {
    PGconn *db; /* borrowed from the service's environment */
    struct stock_repository *stock;
    struct reservation_repository *reservations;
    struct unit_of_work *uow;
    struct shop_clock *clock;
    struct inventory_service svc;
};

/* ---- JSON shapes ---- */

static cJSON *stock_json(const stock_item *it)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "sku", it->sku.code);
    cJSON_AddNumberToObject(o, "on_hand", (double)it->on_hand);
    cJSON_AddNumberToObject(o, "reserved", (double)it->reserved);
    cJSON_AddNumberToObject(o, "available", (double)stock_available(it));
    return o;
}

static cJSON *reservation_json(const reservation *r)
{
    char id[UUID_STRING_SIZE];
    cJSON *o = cJSON_CreateObject();
    cJSON *lines = cJSON_CreateArray();
    cJSON_AddStringToObject(o, "order_id", uuid_format(id, r->order_id));
    cJSON_AddStringToObject(o, "status", reservation_status_name(r->status));
    for (size_t i = 0; i < r->line_count; i++) {
        cJSON *line = cJSON_CreateObject();
        cJSON_AddStringToObject(line, "sku", r->lines[i].sku.code);
        cJSON_AddNumberToObject(line, "quantity", r->lines[i].quantity.value);
        cJSON_AddItemToArray(lines, line);
    }
    cJSON_AddItemToObject(o, "lines", lines);
    return o;
}

/* ---- reading the request ---- */

/* The {sku} of the path; replies 400 naming the rule if it is not a SKU. */
static int path_sku(struct http_exchange *x, sku *out)
{
    int rc = sku_parse(out, http_param(x, "sku"));
    if (rc < 0)
        http_reply_error(x, rc);
    return rc;
}

static int path_order_id(struct http_exchange *x, shop_uuid *out)
{
    int rc = uuid_parse(out, http_param(x, "order_id"));
    if (rc < 0)
        http_reply_problem(x, 400, "invalid-input", "order_id: must be a UUID");
    return rc;
}

static int invalid(struct http_exchange *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int invalid(struct http_exchange *x, const char *fmt, ...)
{
    char detail[SHOP_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    http_reply_problem(x, 400, "invalid-input", detail);
    return SHOP_EINVALID;
}

/* lines[i].quantity: an integer 1..999 (not "5", not 1.5). */
static int line_quantity(struct http_exchange *x, const cJSON *line, size_t i, int64_t *out)
{
    const cJSON *q = cJSON_GetObjectItemCaseSensitive(line, "quantity");
    if (!q || cJSON_IsNull(q))
        return invalid(x, "lines[%zu].quantity: missing", i);
    if (!cJSON_IsNumber(q))
        return invalid(x, "lines[%zu].quantity: must be an integer", i);
    /* the range first: converting a double outside int64_t's range is undefined (1e300) */
    if (!(q->valuedouble >= QUANTITY_MIN && q->valuedouble <= QUANTITY_MAX))
        return invalid(x, "lines[%zu].quantity: must be %d-%d", i, QUANTITY_MIN, QUANTITY_MAX);
    if (q->valuedouble != (double)(int64_t)q->valuedouble)
        return invalid(x, "lines[%zu].quantity: must be an integer", i);
    *out = (int64_t)q->valuedouble;
    return 0;
}

/* The body of POST /reservations as a command; replies 400 and returns < 0 if it is not. */
static int read_reserve(struct http_exchange *x, reserve_stock *cmd)
{
    const cJSON *body, *lines, *line;
    const char *order_text;
    int rc;
    size_t i = 0;

    memset(cmd, 0, sizeof *cmd);
    if ((rc = http_json_body(x, &body)) < 0 ||
        (rc = http_field_string(x, body, "order_id", &order_text)) < 0)
        return rc;
    if (uuid_parse(&cmd->order_id, order_text) < 0)
        return invalid(x, "order_id: must be a UUID");
    lines = cJSON_GetObjectItemCaseSensitive(body, "lines");
    if (!cJSON_IsArray(lines))
        return invalid(x, "lines: must be an array of {sku, quantity}");
    int count = cJSON_GetArraySize(lines);
    if (count < 1 || count > RESERVATION_MAX_LINES)
        return invalid(x, "lines: must hold 1-%d lines, got %d", RESERVATION_MAX_LINES, count);
    cJSON_ArrayForEach(line, lines)
    {
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(line, "sku");
        if (!cJSON_IsObject(line))
            return invalid(x, "lines[%zu]: must be an object {sku, quantity}", i);
        if (!cJSON_IsString(s))
            return invalid(x, "lines[%zu].sku: must be a string", i);
        if (sku_parse(&cmd->lines[i].sku, s->valuestring) < 0)
            return invalid(x, "lines[%zu].sku: %s", i, shop_error_message());
        if ((rc = line_quantity(x, line, i, &cmd->lines[i].quantity)) < 0)
            return rc;
        i++;
    }
    cmd->line_count = i;
    return 0;
}

/* ---- handlers ---- */

/* ReceiveStock and its inventory.StockReceived in the outbox, in one transaction. */
static int receive_and_tell(stock_item *out, struct inventory_api *api,
                            const struct http_exchange *x, const sku *s, int64_t units)
{
    struct outgoing_message event = {0};
    struct message_meta meta = {0};
    int rc;

    if ((rc = uuid_new_v7(&meta.message_id)) < 0)
        return rc;
    meta.correlation_id = meta.message_id; /* a receipt starts its own conversation */
    http_traceparent(x, meta.traceparent);
    if ((rc = pg_exec_command(api->db, "BEGIN", "receiving stock")) < 0)
        return rc;
    if ((rc = inventory_service_receive(out, &api->svc, s, units)) == 0 &&
        (rc = inventory_message_received(&event, out, units, shop_clock_now_us(api->clock),
                                         &meta)) == 0 &&
        (rc = outbox_pg_write(api->db, "inventory", &event)) == 0)
        rc = pg_exec_command(api->db, "COMMIT", "receiving stock");
    if (rc < 0 && PQtransactionStatus(api->db) != PQTRANS_IDLE)
        PQclear(PQexec(api->db, "ROLLBACK"));
    outgoing_message_dispose(&event);
    return rc;
}

static void receive(struct http_exchange *x, void *ctx)
{
    struct inventory_api *api = ctx;
    const cJSON *body;
    stock_item out;
    int64_t units;
    sku s;
    int rc;
    if (path_sku(x, &s) < 0 || http_json_body(x, &body) < 0 ||
        http_field_int(x, body, "quantity", QUANTITY_MIN, QUANTITY_MAX, &units) < 0)
        return;
    if ((rc = receive_and_tell(&out, api, x, &s, units)) < 0) {
        http_reply_error(x, rc);
        return;
    }
    http_reply_json(x, 200, stock_json(&out));
}

static void list_stock(struct http_exchange *x, void *ctx)
{
    struct inventory_api *api = ctx;
    stock_item *items = NULL;
    size_t n;
    int rc = inventory_service_list(&items, &n, &api->svc);
    if (rc < 0) {
        http_reply_error(x, rc);
        return;
    }
    cJSON *doc = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(doc, stock_json(&items[i]));
    free(items);
    http_reply_json(x, 200, doc);
}

static void show_stock(struct http_exchange *x, void *ctx)
{
    struct inventory_api *api = ctx;
    stock_item out;
    sku s;
    int rc;
    if (path_sku(x, &s) < 0)
        return;
    if ((rc = inventory_service_stock(&out, &api->svc, &s)) < 0) {
        http_reply_error(x, rc);
        return;
    }
    http_reply_json(x, 200, stock_json(&out));
}

static void reserve(struct http_exchange *x, void *ctx)
{
    struct inventory_api *api = ctx;
    reserve_stock *cmd = shop_xmalloc(sizeof *cmd);
    reservation out;
    int rc;
    if (read_reserve(x, cmd) == 0) {
        if ((rc = inventory_service_reserve(&out, &api->svc, cmd)) < 0)
            http_reply_error(x, rc);
        else
            http_reply_json(x, 201, reservation_json(&out));
    }
    free(cmd);
}

static void show_reservation(struct http_exchange *x, void *ctx)
{
    struct inventory_api *api = ctx;
    reservation out;
    shop_uuid id;
    int rc;
    if (path_order_id(x, &id) < 0)
        return;
    if ((rc = inventory_service_reservation(&out, &api->svc, id)) < 0) {
        http_reply_error(x, rc);
        return;
    }
    http_reply_json(x, 200, reservation_json(&out));
}

static void end_reservation(struct http_exchange *x, struct inventory_api *api,
                            int (*end)(reservation *, struct inventory_service *, shop_uuid))
{
    reservation out;
    shop_uuid id;
    int rc;
    if (path_order_id(x, &id) < 0)
        return;
    if ((rc = end(&out, &api->svc, id)) < 0) {
        http_reply_error(x, rc);
        return;
    }
    http_reply_json(x, 200, reservation_json(&out));
}

static void release(struct http_exchange *x, void *ctx)
{
    end_reservation(x, ctx, inventory_service_release);
}

static void commit(struct http_exchange *x, void *ctx)
{
    end_reservation(x, ctx, inventory_service_commit);
}

static const struct http_route routes[] = {
    {"POST", "/stock/{sku}/receipts", receive},
    {"GET", "/stock", list_stock},
    {"GET", "/stock/{sku}", show_stock},
    {"POST", "/reservations", reserve},
    {"GET", "/reservations/{order_id}", show_reservation},
    {"POST", "/reservations/{order_id}/release", release},
    {"POST", "/reservations/{order_id}/commit", commit},
};

int inventory_api_open(struct service_instance *out, struct service_env *env)
{
    struct inventory_api *api = shop_xcalloc(1, sizeof *api);
    int rc;
    api->db = env->db;
    if ((rc = stock_repository_pg_new(&api->stock, env->db)) < 0 ||
        (rc = reservation_repository_pg_new(&api->reservations, env->db)) < 0 ||
        (rc = unit_of_work_pg_new(&api->uow, env->db)) < 0 ||
        (rc = clock_system_new(&api->clock)) < 0) {
        inventory_api_close(api);
        return rc;
    }
    api->svc = (struct inventory_service){api->stock, api->reservations, api->uow, 0};
    *out = (struct service_instance){
        .routes = routes, .route_count = sizeof routes / sizeof routes[0], .ctx = api};
    return 0;
}

void inventory_api_close(void *ctx)
{
    struct inventory_api *api = ctx;
    if (!api)
        return;
    stock_repository_free(api->stock);
    reservation_repository_free(api->reservations);
    unit_of_work_free(api->uow);
    shop_clock_free(api->clock);
    free(api);
}
