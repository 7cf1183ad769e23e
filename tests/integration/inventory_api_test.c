/*
 * tests/integration/inventory_api_test.c — Inventory's HTTP API as a client meets it: a
 * real service in this process (real TCP, a fresh migrated database, the service running
 * as shop_inventory).
 *
 * A table of bad requests, each with the status it must get and the proof that it changed
 * nothing (the tables read before and after are the same); then the happy paths and the
 * refusals of the domain (out of stock, not found, released after commit).
 * Read next: docs/api/inventory.md
 */
#include "domain/shared/error.h"
#include "tests/support/test_db.h"
#include "tests/support/test_service.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char db_name[TEST_DB_NAME_MAX];
static PGconn *db;
static struct test_service svc;

#define ORDER_1 "0190a6f4-8d1e-7c3a-9b2f-000000000001"
#define ORDER_2 "0190a6f4-8d1e-7c3a-9b2f-000000000002"

static void setup(void)
{
    db = test_db_create(db_name);
    test_db_migrate(db);
    test_service_start(&svc, "inventory", db_name, NULL);
}

static void teardown(void)
{
    test_service_stop(&svc);
    test_db_drop(db, db_name);
}

TestSuite(inventory_api, .init = setup, .fini = teardown, .timeout = 60);

/* Every row of both tables, as one text: equal before and after means nothing changed. */
static char *tables(void)
{
    PGresult *res = PQexec(
        db, "SELECT coalesce((SELECT string_agg(format('%s %s %s v%s', sku, on_hand, reserved, "
            "version), '; ' ORDER BY sku) FROM inventory.stock_items), '') || ' | ' || "
            "coalesce((SELECT string_agg(format('%s %s %s v%s', order_id, status, lines, "
            "version), '; ' ORDER BY order_id) FROM inventory.reservations), '')");
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQerrorMessage(db));
    char *text = strdup(PQgetvalue(res, 0, 0));
    PQclear(res);
    return text;
}

static int request(struct test_reply *out, const char *method, const char *path, const char *body)
{
    test_http(out, svc.url, method, path, body);
    return out->status;
}

static double number(const cJSON *o, const char *field)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, field);
    cr_assert(cJSON_IsNumber(v), "%s is not a number", field);
    return v->valuedouble;
}

static void expect_ok(const char *method, const char *path, const char *body, int status)
{
    struct test_reply r;
    cr_assert_eq(request(&r, method, path, body), status, "%s %s: %d %s", method, path, r.status,
                 r.body);
    test_reply_dispose(&r);
}

static char *lines_body(int n)
{
    size_t size = 128 + (size_t)n * 40;
    char *body = malloc(size);
    int at = snprintf(body, size, "{\"order_id\": \"%s\", \"lines\": [", ORDER_1);
    for (int i = 0; i < n; i++)
        at += snprintf(body + at, size - (size_t)at, "%s{\"sku\": \"S%d\", \"quantity\": 1}",
                       i ? ", " : "", i);
    snprintf(body + at, size - (size_t)at, "]}");
    return body;
}

Test(inventory_api, refuses_bad_requests_and_changes_nothing)
{
    expect_ok("POST", "/stock/ABC/receipts", "{\"quantity\": 5}", 200);
    expect_ok("POST", "/reservations",
              "{\"order_id\": \"" ORDER_2 "\", \"lines\": [{\"sku\": \"ABC\", \"quantity\": 1}]}",
              201);
    char *oversize = malloc(70 * 1024);
    memset(oversize, ' ', 70 * 1024 - 1);
    memcpy(oversize, "{\"quantity\": 1", 14);
    oversize[70 * 1024 - 2] = '}';
    oversize[70 * 1024 - 1] = '\0';
    char *fifty_one = lines_body(51);

    static const char order_line[] = "{\"order_id\": \"" ORDER_1 "\", \"lines\": [%s]}";
    char zero_line[256], string_line[256], bad_sku_line[256];
    snprintf(zero_line, sizeof zero_line, order_line, "{\"sku\": \"ABC\", \"quantity\": 0}");
    snprintf(string_line, sizeof string_line, order_line,
             "{\"sku\": \"ABC\", \"quantity\": \"1\"}");
    snprintf(bad_sku_line, sizeof bad_sku_line, order_line, "{\"sku\": \"a b\", \"quantity\": 1}");
    char huge_line[256], fraction_line[256];
    snprintf(huge_line, sizeof huge_line, order_line, "{\"sku\": \"ABC\", \"quantity\": 1e300}");
    snprintf(fraction_line, sizeof fraction_line, order_line,
             "{\"sku\": \"ABC\", \"quantity\": 1.5}");

    const struct {
        const char *what, *method, *path, *body;
        int status;
        const char *detail; /* part of the problem's detail; NULL: not checked */
    } cases[] = {
        {"malformed JSON", "POST", "/stock/ABC/receipts", "{\"quantity\": ", 400, "not valid JSON"},
        {"no body", "POST", "/stock/ABC/receipts", NULL, 400, NULL},
        {"a JSON array", "POST", "/stock/ABC/receipts", "[1]", 400, NULL},
        {"quantity 0", "POST", "/stock/ABC/receipts", "{\"quantity\": 0}", 400, "1-999"},
        {"quantity 1000", "POST", "/stock/ABC/receipts", "{\"quantity\": 1000}", 400, "1-999"},
        {"quantity -1", "POST", "/stock/ABC/receipts", "{\"quantity\": -1}", 400, "1-999"},
        {"quantity \"5\"", "POST", "/stock/ABC/receipts", "{\"quantity\": \"5\"}", 400,
         "must be an integer"},
        {"quantity 1.5", "POST", "/stock/ABC/receipts", "{\"quantity\": 1.5}", 400,
         "must be an integer"},
        {"quantity missing", "POST", "/stock/ABC/receipts", "{\"units\": 5}", 400, "missing"},
        {"a bad SKU", "POST", "/stock/a%20b/receipts", "{\"quantity\": 5}", 400, "SKU must be"},
        {"a SKU too long", "POST", "/stock/ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456/receipts",
         "{\"quantity\": 5}", 400, "SKU must be"},
        {"a bad SKU to show", "GET", "/stock/a%2Fb", NULL, 400, "SKU must be"},
        {"a body over 64 KiB", "POST", "/stock/ABC/receipts", oversize, 413, NULL},
        {"a wrong method", "DELETE", "/stock/ABC", NULL, 405, NULL},
        {"a wrong method on receipts", "GET", "/stock/ABC/receipts", NULL, 405, NULL},
        {"an unknown route", "GET", "/stocks", NULL, 404, NULL},
        {"a bad order_id", "POST", "/reservations",
         "{\"order_id\": \"42\", \"lines\": [{\"sku\": \"ABC\", \"quantity\": 1}]}", 400,
         "order_id: must be a UUID"},
        {"order_id missing", "POST", "/reservations",
         "{\"lines\": [{\"sku\": \"ABC\", \"quantity\": 1}]}", 400, "order_id"},
        {"empty lines", "POST", "/reservations", "{\"order_id\": \"" ORDER_1 "\", \"lines\": []}",
         400, "1-50 lines, got 0"},
        {"lines not an array", "POST", "/reservations",
         "{\"order_id\": \"" ORDER_1 "\", \"lines\": {}}", 400, "lines: must be an array"},
        {"51 lines", "POST", "/reservations", fifty_one, 400, "1-50 lines, got 51"},
        {"a line of quantity 0", "POST", "/reservations", zero_line, 400,
         "lines[0].quantity: must be 1-999"},
        {"a line quantity as a string", "POST", "/reservations", string_line, 400,
         "lines[0].quantity: must be an integer"},
        {"a line quantity far beyond any integer", "POST", "/reservations", huge_line, 400,
         "lines[0].quantity: must be 1-999"},
        {"a line quantity of 1.5", "POST", "/reservations", fraction_line, 400,
         "lines[0].quantity: must be an integer"},
        {"a line with a bad SKU", "POST", "/reservations", bad_sku_line, 400, "lines[0].sku"},
        {"a bad order id to release", "POST", "/reservations/nope/release", NULL, 400,
         "must be a UUID"},
        {"an unknown reservation to release", "POST", "/reservations/" ORDER_1 "/release", NULL,
         404, "no reservation for order " ORDER_1},
        {"an unknown reservation to commit", "POST", "/reservations/" ORDER_1 "/commit", NULL, 404,
         "no reservation for order " ORDER_1},
        {"an unknown SKU", "GET", "/stock/NOPE", NULL, 404, "no stock recorded for SKU NOPE"},
        {"more than is available", "POST", "/reservations",
         "{\"order_id\": \"" ORDER_1 "\", \"lines\": [{\"sku\": \"ABC\", \"quantity\": 5}]}", 422,
         "out of stock: SKU ABC"},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct test_reply r;
        char *before = tables();
        request(&r, cases[i].method, cases[i].path, cases[i].body);
        char *after = tables();
        cr_expect_eq(r.status, cases[i].status, "%s: got %d %s", cases[i].what, r.status, r.body);
        cr_expect_str_eq(after, before, "%s changed the tables", cases[i].what);
        if (cases[i].detail)
            cr_expect(strstr(test_reply_string(&r, "detail"), cases[i].detail),
                      "%s: detail was \"%s\"", cases[i].what, test_reply_string(&r, "detail"));
        if (r.status >= 400 && r.status != 413)
            cr_expect(r.content_type && strstr(r.content_type, "application/problem+json"),
                      "%s: content type %s", cases[i].what, r.content_type);
        test_reply_dispose(&r);
        free(before);
        free(after);
    }
    free(oversize);
    free(fifty_one);
}

Test(inventory_api, receives_lists_and_shows_stock)
{
    struct test_reply r;
    cr_assert_eq(request(&r, "POST", "/stock/abc-1/receipts", "{\"quantity\": 10}"), 200, "%s",
                 r.body);
    cr_expect_str_eq(test_reply_string(&r, "sku"), "ABC-1", "SKUs are upper-cased");
    cr_expect_eq(number(r.json, "on_hand"), 10);
    cr_expect_eq(number(r.json, "reserved"), 0);
    cr_expect_eq(number(r.json, "available"), 10);
    test_reply_dispose(&r);
    expect_ok("POST", "/stock/ABC-1/receipts", "{\"quantity\": 999}", 200);
    expect_ok("POST", "/stock/AAA/receipts", "{\"quantity\": 1}", 200);

    cr_assert_eq(request(&r, "GET", "/stock", NULL), 200);
    cr_assert(cJSON_IsArray(r.json));
    cr_assert_eq(cJSON_GetArraySize(r.json), 2);
    cr_expect_str_eq(cJSON_GetArrayItem(r.json, 0)->child->valuestring, "AAA", "by SKU");
    cr_expect_eq(number(cJSON_GetArrayItem(r.json, 1), "on_hand"), 1009);
    test_reply_dispose(&r);

    cr_assert_eq(request(&r, "GET", "/stock/abc-1", NULL), 200);
    cr_expect_eq(number(r.json, "available"), 1009);
    test_reply_dispose(&r);
}

Test(inventory_api, reserves_releases_and_commits)
{
    struct test_reply r;
    static const char reserve_1[] =
        "{\"order_id\": \"" ORDER_1 "\", \"lines\": [{\"sku\": \"ABC\", \"quantity\": 2}, "
        "{\"sku\": \"DEF\", \"quantity\": 1}]}";
    expect_ok("POST", "/stock/ABC/receipts", "{\"quantity\": 3}", 200);
    expect_ok("POST", "/stock/DEF/receipts", "{\"quantity\": 1}", 200);

    cr_assert_eq(request(&r, "POST", "/reservations", reserve_1), 201, "%s", r.body);
    cr_expect_str_eq(test_reply_string(&r, "order_id"), ORDER_1);
    cr_expect_str_eq(test_reply_string(&r, "status"), "reserved");
    test_reply_dispose(&r);
    cr_assert_eq(request(&r, "POST", "/reservations", reserve_1), 201, "the same answer again");
    cr_expect_str_eq(test_reply_string(&r, "status"), "reserved");
    test_reply_dispose(&r);
    cr_assert_eq(request(&r, "GET", "/stock/ABC", NULL), 200);
    cr_expect_eq(number(r.json, "reserved"), 2, "reserved once, not twice");
    cr_expect_eq(number(r.json, "available"), 1);
    test_reply_dispose(&r);

    cr_assert_eq(request(&r, "GET", "/reservations/" ORDER_1, NULL), 200);
    cr_expect_str_eq(test_reply_string(&r, "status"), "reserved");
    cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "lines")), 2);
    test_reply_dispose(&r);

    cr_assert_eq(request(&r, "POST", "/reservations/" ORDER_1 "/commit", NULL), 200, "%s", r.body);
    cr_expect_str_eq(test_reply_string(&r, "status"), "committed");
    test_reply_dispose(&r);
    expect_ok("POST", "/reservations/" ORDER_1 "/commit", NULL, 200);
    cr_assert_eq(request(&r, "POST", "/reservations/" ORDER_1 "/release", NULL), 422);
    cr_expect(strstr(test_reply_string(&r, "detail"), "is committed and cannot be released"));
    test_reply_dispose(&r);
    cr_assert_eq(request(&r, "GET", "/stock/ABC", NULL), 200);
    cr_expect_eq(number(r.json, "on_hand"), 1);
    cr_expect_eq(number(r.json, "reserved"), 0);
    test_reply_dispose(&r);

    expect_ok("POST", "/reservations",
              "{\"order_id\": \"" ORDER_2 "\", \"lines\": [{\"sku\": \"ABC\", \"quantity\": 1}]}",
              201);
    cr_assert_eq(request(&r, "POST", "/reservations/" ORDER_2 "/release", NULL), 200);
    cr_expect_str_eq(test_reply_string(&r, "status"), "released");
    test_reply_dispose(&r);
    expect_ok("POST", "/reservations/" ORDER_2 "/release", NULL, 200);
    cr_assert_eq(request(&r, "GET", "/stock/ABC", NULL), 200);
    cr_expect_eq(number(r.json, "available"), 1);
    test_reply_dispose(&r);
}

Test(inventory_api, reports_its_database_role_in_health)
{
    struct test_reply r;
    cr_assert_eq(request(&r, "GET", "/health", NULL), 200);
    cr_expect_str_eq(test_reply_string(&r, "db_role"), "shop_inventory");
    test_reply_dispose(&r);
}
