/*
 * tests/integration/reporting_api_test.c — the Reporting service's API as a client sees
 * it: the real service (tests/support/test_service.h) on a fresh, migrated database, with
 * its projector worker running, fed by messages the test puts on messaging.bus (the
 * payloads of docs/contracts/events/).
 *
 * What a client relies on: an order's summary, its customer's list and the filters;
 * stock levels and sales per day; each projection's checkpoint and lag; "lag" on an
 * order while messages wait; and every bad request refused with 400 naming the field
 * (docs/api/reporting.md).  The read model follows the bus a moment behind, so every
 * check of a change waits for it, with a deadline.
 * Read next: infrastructure/reporting/reporting_api.c
 */
#include "tests/support/test_db.h"
#include "tests/support/test_service.h"

#include "domain/shared/error.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define ORDER_A "0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90"
#define ORDER_B "0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a91"

static char db_name[TEST_DB_NAME_MAX];
static PGconn *db;
static struct test_service svc;

static void setup(void)
{
    db = test_db_create(db_name);
    test_db_migrate(db);
    test_service_start(&svc, "reporting", db_name, NULL);
}

static void teardown(void)
{
    test_service_stop(&svc);
    test_db_drop(db, db_name);
}

TestSuite(reporting_api, .init = setup, .fini = teardown);

static void publish(const char *type, const char *stream, const char *payload)
{
    char source[32];
    snprintf(source, sizeof source, "%.*s", (int)(strchr(type, '.') - type), type);
    const char *params[] = {type, source, stream, payload};
    PGresult *res = PQexecParams(db,
                                 "INSERT INTO messaging.bus (message_id, type, schema_version,"
                                 " source, stream, payload)"
                                 " VALUES (gen_random_uuid(), $1, 1, $2, $3, $4::jsonb)",
                                 4, NULL, params, NULL, NULL, 0);
    cr_assert_eq(PQresultStatus(res), PGRES_COMMAND_OK, "%s", PQerrorMessage(db));
    PQclear(res);
}

static void placed(const char *order, const char *customer)
{
    char payload[1024];
    snprintf(payload, sizeof payload,
             "{\"order_id\": \"%s\", \"customer\": \"%s\", \"ship_to\": \"1 Main Street\","
             " \"postcode\": \"10115\", \"card\": \"tok_visa\", \"lines\": [{\"sku\": \"MUG-RED\","
             " \"quantity\": 3, \"unit_price\": \"12.50 EUR\", \"line_total\": \"37.50 EUR\"}],"
             " \"total\": \"37.50 EUR\", \"placed_at\": \"2024-06-10T06:13:20.000000Z\"}",
             order, customer);
    publish("ordering.OrderPlaced", "order-x", payload);
}

static const char *member(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : "(not a string)";
}

static double number(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

/* GET path until the reply has `status` and its body contains `text` (10 s at most). */
static void eventually(struct test_reply *out, const char *path, int status, const char *text)
{
    struct timespec pause = {0, 50 * 1000 * 1000};
    for (int i = 0; i < 200; i++) {
        test_http(out, svc.url, "GET", path, NULL);
        if (out->status == status && strstr(out->body, text))
            return;
        test_reply_dispose(out);
        nanosleep(&pause, NULL);
    }
    test_http(out, svc.url, "GET", path, NULL);
    cr_assert_fail("GET %s: %d %s; waited for %d with %s", path, out->status, out->body, status,
                   text);
}

Test(reporting_api, shows_an_order_once_the_read_model_has_it)
{
    struct test_reply r;
    test_http(&r, svc.url, "GET", "/orders/" ORDER_A, NULL);
    cr_expect_eq(r.status, 404);
    test_reply_dispose(&r);

    placed(ORDER_A, "c-42");
    publish("ordering.OrderConfirmed", "order-" ORDER_A,
            "{\"order_id\": \"" ORDER_A "\", \"confirmed_at\": \"2024-06-10T06:19:20.000000Z\"}");
    eventually(&r, "/orders/" ORDER_A, 200, "confirmed");
    cr_expect_str_eq(member(r.json, "order_id"), ORDER_A);
    cr_expect_str_eq(member(r.json, "customer"), "c-42");
    cr_expect_str_eq(member(r.json, "total"), "37.50 EUR");
    cr_expect(cJSON_IsNull(cJSON_GetObjectItem(r.json, "reason")));
    cr_expect_eq(number(r.json, "version"), 2);
    cr_expect_eq(number(r.json, "lag"), 0);
    cr_expect_str_eq(member(r.json, "placed_at"), "2024-06-10T06:13:20.000000Z");
    cr_expect_str_eq(member(r.json, "closed_at"), "2024-06-10T06:19:20.000000Z");
    cr_expect_str_eq(
        member(cJSON_GetArrayItem(cJSON_GetObjectItem(r.json, "lines"), 0), "unit_price"),
        "12.50 EUR");
    test_reply_dispose(&r);
}

Test(reporting_api, lists_orders_by_customer_and_status)
{
    struct test_reply r;
    placed(ORDER_A, "c-42");
    placed(ORDER_B, "c 7");
    publish("ordering.OrderCancelled", "order-" ORDER_B,
            "{\"order_id\": \"" ORDER_B "\", \"reason\": \"payment declined\","
            " \"cancelled_at\": \"2024-06-10T06:19:20.000000Z\"}");
    eventually(&r, "/orders?status=cancelled", 200, ORDER_B);
    cr_expect_eq(cJSON_GetArraySize(r.json), 1);
    test_reply_dispose(&r);
    eventually(&r, "/orders?customer=c%207", 200, ORDER_B);
    cr_expect_eq(cJSON_GetArraySize(r.json), 1);
    cr_expect_str_eq(member(cJSON_GetArrayItem(r.json, 0), "status"), "cancelled");
    test_reply_dispose(&r);
    eventually(&r, "/orders", 200, ORDER_A);
    cr_expect_eq(cJSON_GetArraySize(r.json), 2);
    test_reply_dispose(&r);
    eventually(&r, "/orders?customer=c-42&status=cancelled", 200, "[]");
    test_reply_dispose(&r);
}

Test(reporting_api, shows_stock_levels_and_sales)
{
    struct test_reply r;
    publish("inventory.StockReceived", "stock-MUG-RED",
            "{\"sku\": \"MUG-RED\", \"quantity\": 10, \"on_hand\": 10,"
            " \"received_at\": \"2024-06-10T06:00:00.000000Z\"}");
    publish("inventory.StockReserved", "order-" ORDER_A,
            "{\"order_id\": \"" ORDER_A "\", \"lines\": [{\"sku\": \"MUG-RED\", \"quantity\": 3}],"
            " \"reserved_at\": \"2024-06-10T06:13:21.000000Z\"}");
    eventually(&r, "/stock/mug-red", 200, "\"reserved\":3");
    cr_expect_eq(number(r.json, "on_hand"), 10);
    cr_expect_eq(number(r.json, "available"), 7);
    test_reply_dispose(&r);
    eventually(&r, "/stock", 200, "MUG-RED");
    cr_expect_eq(cJSON_GetArraySize(r.json), 1);
    test_reply_dispose(&r);

    placed(ORDER_A, "c-42");
    publish("ordering.OrderConfirmed", "order-" ORDER_A,
            "{\"order_id\": \"" ORDER_A "\", \"confirmed_at\": \"2024-06-10T06:19:20.000000Z\"}");
    eventually(&r, "/reports/sales?day=2024-06-10", 200, "MUG-RED");
    const cJSON *line = cJSON_GetArrayItem(r.json, 0);
    cr_expect_eq(number(line, "quantity"), 3);
    cr_expect_str_eq(member(line, "revenue"), "37.50 EUR");
    cr_expect_eq(number(line, "orders"), 1);
    test_reply_dispose(&r);
    eventually(&r, "/reports/sales?day=2024-06-11", 200, "[]");
    test_reply_dispose(&r);
}

Test(reporting_api, lists_the_projections_with_their_lag)
{
    struct test_reply r;
    placed(ORDER_A, "c-42");
    eventually(&r, "/projections", 200, "\"handled\":1");
    cr_assert_eq(cJSON_GetArraySize(r.json), 3);
    const cJSON *orders = cJSON_GetArrayItem(r.json, 0);
    cr_expect_str_eq(member(orders, "name"), "orders");
    cr_expect_eq(number(orders, "lag"), 0);
    cr_expect(cJSON_IsObject(cJSON_GetObjectItem(orders, "checkpoint")));
    cr_expect_str_eq(member(cJSON_GetArrayItem(r.json, 1), "name"), "stock-levels");
    cr_expect_str_eq(member(cJSON_GetArrayItem(r.json, 2), "name"), "sales");
    test_reply_dispose(&r);
}

Test(reporting_api, refuses_a_bad_request_naming_the_field)
{
    static const struct {
        const char *method, *path;
        int status;
        const char *detail;
    } cases[] = {
        {"GET", "/orders/not-an-id", 400, "id:"},
        {"GET", "/orders?status=lost", 400, "status: must be placed, confirmed or cancelled"},
        {"GET", "/orders?customer=", 400, "customer:"},
        {"GET", "/stock/a%20b", 400, "sku:"},
        {"GET", "/stock/NOPE", 404, "no stock recorded for SKU NOPE"},
        {"GET", "/reports/sales?day=yesterday", 400, "day: must be a date YYYY-MM-DD"},
        {"GET", "/reports/sales?day=2024-13-01", 400, "day:"},
        {"GET", "/reports/sales?day=2024-02-30", 400, "day:"},
        {"GET", "/nowhere", 404, ""},
        {"POST", "/orders", 405, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct test_reply r;
        test_http(&r, svc.url, cases[i].method, cases[i].path, NULL);
        cr_expect_eq(r.status, cases[i].status, "%s %s: %d %s", cases[i].method, cases[i].path,
                     r.status, r.body);
        cr_expect_str_eq(r.content_type, "application/problem+json", "%s", cases[i].path);
        cr_expect(strstr(r.body, cases[i].detail) != NULL, "%s: %s", cases[i].path, r.body);
        test_reply_dispose(&r);
    }
}
