/*
 * tests/integration/catalog_api_test.c — Catalog's HTTP API, as a client sees it: the
 * real service (tests/support/test_service.h) on a fresh, migrated database, over TCP.
 *
 * What a client relies on: the four routes answer the shapes of docs/api/catalog.md; a
 * bad request of any kind — broken JSON, wrong types, missing fields, values that break
 * a rule, a body too large, a wrong method or path — is refused with its status and a
 * problem naming the field and the rule, and leaves catalog.products exactly as it was;
 * and the service runs as the role shop_catalog (its /health says so).  Each change leaves
 * its integration event in catalog.outbox (or, once the service's relay has moved it,
 * on messaging.bus), with the correlation id the reply names (the
 * client's X-Correlation-Id, or a new one) and the request's traceparent.
 * Read next: infrastructure/catalog/catalog_api.c, docs/api/catalog.md
 */
#include "tests/support/test_db.h"
#include "tests/support/test_service.h"

#include "domain/shared/error.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char db_name[TEST_DB_NAME_MAX];
static PGconn *db; /* the test's own, as the admin: to look at the table */
static struct test_service svc;

static void setup(void)
{
    db = test_db_create(db_name);
    test_db_migrate(db);
    test_service_start(&svc, "catalog", db_name, NULL);
}

static void teardown(void)
{
    test_service_stop(&svc);
    test_db_drop(db, db_name);
}

TestSuite(catalog_api, .init = setup, .fini = teardown);

/* Every row of catalog.products, with its version, as one string (caller frees). */
static char *table_contents(void)
{
    PGresult *res = PQexec(db, "SELECT count(*) || ':' || coalesce(string_agg(sku || '|' || name"
                               " || '|' || price_minor || '|' || currency || '|' || version,"
                               " ';' ORDER BY sku), '') FROM catalog.products");
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQerrorMessage(db));
    char *text = strdup(PQgetvalue(res, 0, 0));
    PQclear(res);
    return text;
}

/* A request that must answer `status`; the reply is left in *out. */
static void request(struct test_reply *out, const char *method, const char *path, const char *body,
                    int status)
{
    test_http(out, svc.url, method, path, body);
    cr_assert_eq(out->status, status, "%s %s %s: %d, expected %d: %s", method, path,
                 body ? body : "", out->status, status, out->body);
}

static void add(const char *sku, const char *name, const char *price)
{
    char body[512];
    struct test_reply r;
    snprintf(body, sizeof body, "{\"sku\": \"%s\", \"name\": \"%s\", \"price\": \"%s\"}", sku, name,
             price);
    request(&r, "POST", "/products", body, 201);
    test_reply_dispose(&r);
}

/* ---------------------------------------------------------------- the happy paths */

Test(catalog_api, adds_a_product_and_answers_it_with_201)
{
    struct test_reply r;
    request(&r, "POST", "/products",
            "{\"sku\": \"abc-1\", \"name\": \"Mug\", \"price\": \"12.50 EUR\"}", 201);
    cr_expect_str_eq(r.content_type, "application/json");
    cr_expect_str_eq(test_reply_string(&r, "sku"), "ABC-1", "SKUs are upper-cased on input");
    cr_expect_str_eq(test_reply_string(&r, "name"), "Mug");
    cr_expect_str_eq(test_reply_string(&r, "price"), "12.50 EUR");
    test_reply_dispose(&r);
    char *rows = table_contents();
    cr_expect_str_eq(rows, "1:ABC-1|Mug|1250|EUR|1");
    free(rows);
}

Test(catalog_api, shows_one_product_by_its_sku_in_any_case)
{
    struct test_reply r;
    add("ABC-1", "Mug", "12.50 EUR");
    request(&r, "GET", "/products/abc-1", NULL, 200);
    cr_expect_str_eq(test_reply_string(&r, "sku"), "ABC-1");
    cr_expect_str_eq(test_reply_string(&r, "name"), "Mug");
    cr_expect_str_eq(test_reply_string(&r, "price"), "12.50 EUR");
    test_reply_dispose(&r);
}

Test(catalog_api, changes_a_price)
{
    struct test_reply r;
    add("ABC-1", "Mug", "12.50 EUR");
    request(&r, "PUT", "/products/ABC-1/price", "{\"price\": \"13.00 EUR\"}", 200);
    cr_expect_str_eq(test_reply_string(&r, "sku"), "ABC-1");
    cr_expect_str_eq(test_reply_string(&r, "name"), "Mug");
    cr_expect_str_eq(test_reply_string(&r, "price"), "13.00 EUR");
    test_reply_dispose(&r);
    request(&r, "GET", "/products/ABC-1", NULL, 200);
    cr_expect_str_eq(test_reply_string(&r, "price"), "13.00 EUR");
    test_reply_dispose(&r);
    char *rows = table_contents();
    cr_expect_str_eq(rows, "1:ABC-1|Mug|1300|EUR|2");
    free(rows);
}

Test(catalog_api, changing_to_the_same_price_saves_nothing)
{
    struct test_reply r;
    add("ABC-1", "Mug", "12.50 EUR");
    request(&r, "PUT", "/products/ABC-1/price", "{\"price\": \"12.5 EUR\"}", 200);
    cr_expect_str_eq(test_reply_string(&r, "price"), "12.50 EUR");
    test_reply_dispose(&r);
    char *rows = table_contents();
    cr_expect_str_eq(rows, "1:ABC-1|Mug|1250|EUR|1", "still version 1");
    free(rows);
}

Test(catalog_api, lists_products_sorted_by_sku)
{
    struct test_reply r;
    request(&r, "GET", "/products", NULL, 200);
    cr_expect_str_eq(r.body, "[]", "an empty catalogue is an empty array");
    test_reply_dispose(&r);

    add("B-1", "Bowl", "3.00 EUR");
    add("A-10", "Plate", "1200 JPY");
    add("A-1", "Caf\\u00e9 cup", "0.001 KWD");
    request(&r, "GET", "/products", NULL, 200);
    cr_assert(cJSON_IsArray(r.json), "%s", r.body);
    cr_assert_eq(cJSON_GetArraySize(r.json), 3);
    const char *skus[] = {"A-1", "A-10", "B-1"};
    const char *prices[] = {"0.001 KWD", "1200 JPY", "3.00 EUR"};
    for (int i = 0; i < 3; i++) {
        const cJSON *p = cJSON_GetArrayItem(r.json, i);
        cr_expect_str_eq(cJSON_GetObjectItem(p, "sku")->valuestring, skus[i]);
        cr_expect_str_eq(cJSON_GetObjectItem(p, "price")->valuestring, prices[i]);
        cr_expect(cJSON_IsString(cJSON_GetObjectItem(p, "name")));
    }
    cr_expect_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(r.json, 0), "name")->valuestring,
                     "Caf\xC3\xA9 cup");
    test_reply_dispose(&r);
}

Test(catalog_api, runs_as_the_catalog_role)
{
    struct test_reply r;
    request(&r, "GET", "/health", NULL, 200);
    cr_expect_str_eq(test_reply_string(&r, "db_role"), "shop_catalog", "%s", r.body);
    cr_expect_str_eq(test_reply_string(&r, "status"), "up");
    test_reply_dispose(&r);
}

Test(catalog_api, the_catalog_role_may_not_delete_products)
{
    add("ABC-1", "Mug", "12.50 EUR");
    test_db_exec(db, "SET ROLE shop_catalog");
    cr_expect_str_eq(test_db_exec_fails(db, "DELETE FROM catalog.products"), "42501");
    test_db_exec(db, "RESET ROLE");
    char *rows = table_contents();
    cr_expect_str_eq(rows, "1:ABC-1|Mug|1250|EUR|1");
    free(rows);
}

/* ---------------------------------------------------------------- refusals */

struct bad_request {
    const char *what;
    const char *method;
    const char *path;
    const char *body;
    int status;
    const char *detail; /* a part of the problem's detail */
};

#define SKU_33   "ABCDEFGHIJ-ABCDEFGHIJ-ABCDEFGHIJK"
#define A10      "aaaaaaaaaa"
#define NAME_101 A10 A10 A10 A10 A10 A10 A10 A10 A10 A10 "a"

static const struct bad_request bad_requests[] = {
    {"malformed JSON", "POST", "/products", "{\"sku\": \"X-1\",", 400, "not valid JSON"},
    {"JSON after the document", "POST", "/products",
     "{\"sku\": \"X-1\", \"name\": \"Cup\", \"price\": \"1.00 EUR\"} {}", 400, "not valid JSON"},
    {"an array body", "POST", "/products",
     "[{\"sku\": \"X-1\", \"name\": \"Cup\", \"price\": \"1.00 EUR\"}]", 400,
     "must be a JSON object"},
    {"an empty body", "POST", "/products", NULL, 400, "JSON object"},
    {"missing sku", "POST", "/products", "{\"name\": \"Cup\", \"price\": \"1.00 EUR\"}", 400,
     "sku: missing"},
    {"missing name", "POST", "/products", "{\"sku\": \"X-1\", \"price\": \"1.00 EUR\"}", 400,
     "name: missing"},
    {"missing price", "POST", "/products", "{\"sku\": \"X-1\", \"name\": \"Cup\"}", 400,
     "price: missing"},
    {"null name", "POST", "/products",
     "{\"sku\": \"X-1\", \"name\": null, \"price\": \"1.00 EUR\"}", 400, "name: missing"},
    {"price as a number", "POST", "/products",
     "{\"sku\": \"X-1\", \"name\": \"Cup\", \"price\": 12.5}", 400, "price: must be a string"},
    {"sku as a number", "POST", "/products",
     "{\"sku\": 12, \"name\": \"Cup\", \"price\": \"1.00 EUR\"}", 400, "sku: must be a string"},
    {"name as an object", "POST", "/products",
     "{\"sku\": \"X-1\", \"name\": {}, \"price\": \"1.00 EUR\"}", 400, "name: must be a string"},
    {"price 0.00 EUR", "POST", "/products",
     "{\"sku\": \"X-1\", \"name\": \"Cup\", \"price\": \"0.00 EUR\"}", 400,
     "price must be above 0, got 0.00 EUR"},
    {"price 12.505 EUR", "POST", "/products",
     "{\"sku\": \"X-1\", \"name\": \"Cup\", \"price\": \"12.505 EUR\"}", 400,
     "price: EUR has 2 decimals, got \"12.505\""},
    {"price 1000000.00 EUR", "POST", "/products",
     "{\"sku\": \"X-1\", \"name\": \"Cup\", \"price\": \"1000000.00 EUR\"}", 400,
     "price must be below 1000000.00 EUR"},
    {"a negative price", "POST", "/products",
     "{\"sku\": \"X-1\", \"name\": \"Cup\", \"price\": \"-1.00 EUR\"}", 400,
     "price must be above 0, got -1.00 EUR"},
    {"a price too large for int64", "POST", "/products",
     "{\"sku\": \"X-1\", \"name\": \"Cup\", \"price\": \"99999999999999999999 EUR\"}", 400,
     "price: amount"},
    {"an unknown currency", "POST", "/products",
     "{\"sku\": \"X-1\", \"name\": \"Cup\", \"price\": \"1.00 XYZ\"}", 400,
     "price: unknown currency \"XYZ\""},
    {"a price without a currency", "POST", "/products",
     "{\"sku\": \"X-1\", \"name\": \"Cup\", \"price\": \"1.00\"}", 400, "needs a currency code"},
    {"a SKU with bad characters", "POST", "/products",
     "{\"sku\": \"AB C\", \"name\": \"Cup\", \"price\": \"1.00 EUR\"}", 400,
     "SKU must be 1-32 characters of A-Z, 0-9 and '-', got \"AB C\""},
    {"a 33-character SKU", "POST", "/products",
     "{\"sku\": \"" SKU_33 "\", \"name\": \"Cup\", \"price\": \"1.00 EUR\"}", 400,
     "got 33 characters"},
    {"an empty SKU", "POST", "/products",
     "{\"sku\": \"\", \"name\": \"Cup\", \"price\": \"1.00 EUR\"}", 400, "SKU must be 1-32"},
    {"an empty name", "POST", "/products",
     "{\"sku\": \"X-1\", \"name\": \"\", \"price\": \"1.00 EUR\"}", 400,
     "name must be 1-100 characters, got 0"},
    {"a 101-character name", "POST", "/products",
     "{\"sku\": \"X-1\", \"name\": \"" NAME_101 "\", \"price\": \"1.00 EUR\"}", 400,
     "name must be 1-100 characters"},
    {"a blank name", "POST", "/products",
     "{\"sku\": \"X-1\", \"name\": \"   \", \"price\": \"1.00 EUR\"}", 400,
     "name must not be blank"},
    {"a name with a tab", "POST", "/products",
     "{\"sku\": \"X-1\", \"name\": \"Cup\\tx\", \"price\": \"1.00 EUR\"}", 400,
     "name must not contain control characters"},
    {"a name with a NUL escape", "POST", "/products",
     "{\"sku\": \"X-1\", \"name\": \"Cup\\u0000x\", \"price\": \"1.00 EUR\"}", 400,
     "NUL character"},
    {"adding a SKU that exists", "POST", "/products",
     "{\"sku\": \"abc-1\", \"name\": \"Other\", \"price\": \"1.00 EUR\"}", 422,
     "product ABC-1 already exists"},
    {"a new price of 0.00 EUR", "PUT", "/products/ABC-1/price", "{\"price\": \"0.00 EUR\"}", 400,
     "price must be above 0"},
    {"a new price of 12.505 EUR", "PUT", "/products/ABC-1/price", "{\"price\": \"12.505 EUR\"}",
     400, "price: EUR has 2 decimals"},
    {"a new price of one million", "PUT", "/products/ABC-1/price",
     "{\"price\": \"1000000.00 EUR\"}", 400, "price must be below"},
    {"a new price as a number", "PUT", "/products/ABC-1/price", "{\"price\": 13}", 400,
     "price: must be a string"},
    {"a new price missing", "PUT", "/products/ABC-1/price", "{}", 400, "price: missing"},
    {"a new price in malformed JSON", "PUT", "/products/ABC-1/price", "{\"price\": ", 400,
     "not valid JSON"},
    {"a new price for a bad SKU", "PUT", "/products/A%20B/price", "{\"price\": \"1.00 EUR\"}", 400,
     "SKU must be"},
    {"a new price for an unknown SKU", "PUT", "/products/abc-2/price", "{\"price\": \"1.00 EUR\"}",
     404, "unknown SKU ABC-2"},
    {"an unknown SKU", "GET", "/products/ABC-2", NULL, 404, "unknown SKU ABC-2"},
    {"a 33-character SKU in the path", "GET", "/products/" SKU_33, NULL, 400, "SKU must be"},
    {"a wrong method on a product", "DELETE", "/products/ABC-1", NULL, 405, ""},
    {"a wrong method on the products", "PATCH", "/products", "{}", 405, ""},
    {"a wrong method on a price", "POST", "/products/ABC-1/price", "{\"price\": \"1.00 EUR\"}", 405,
     ""},
    {"an unknown route", "GET", "/nothing", NULL, 404, ""},
    {"an unknown route below a product", "PUT", "/products/ABC-1/name", "{\"name\": \"x\"}", 404,
     ""},
};

Test(catalog_api, refuses_every_bad_request_and_changes_nothing)
{
    add("ABC-1", "Mug", "12.50 EUR");
    char *before = table_contents();

    for (size_t i = 0; i < sizeof bad_requests / sizeof bad_requests[0]; i++) {
        const struct bad_request *b = &bad_requests[i];
        struct test_reply r;
        test_http(&r, svc.url, b->method, b->path, b->body);
        cr_expect_eq(r.status, b->status, "%s: %d, expected %d: %s", b->what, r.status, b->status,
                     r.body);
        cr_expect(r.content_type && strcmp(r.content_type, "application/problem+json") == 0,
                  "%s: a problem, not %s", b->what, r.content_type ? r.content_type : "nothing");
        const char *detail = test_reply_string(&r, "detail");
        cr_expect(strstr(detail, b->detail), "%s: detail \"%s\" should say \"%s\"", b->what, detail,
                  b->detail);
        cr_expect_eq(strchr(detail, '\n'), NULL, "%s: the detail is one line", b->what);
        test_reply_dispose(&r);

        char *after = table_contents();
        cr_expect_str_eq(after, before, "%s changed catalog.products", b->what);
        free(after);
    }
    free(before);
}

Test(catalog_api, refuses_a_body_over_64_kib_with_413_and_changes_nothing)
{
    char *before = table_contents();
    size_t size = 64 * 1024 + 100;
    char *body = malloc(size + 1);
    /* A valid product whose name pads the body past the limit. */
    int head =
        snprintf(body, size + 1, "{\"sku\": \"BIG-1\", \"price\": \"1.00 EUR\", \"name\": \"");
    memset(body + head, 'a', size - (size_t)head - 2);
    memcpy(body + size - 2, "\"}", 3);
    struct test_reply r;
    test_http(&r, svc.url, "POST", "/products", body);
    cr_expect_eq(r.status, 413, "%d: %s", r.status, r.body);
    test_reply_dispose(&r);
    free(body);
    char *after = table_contents();
    cr_expect_str_eq(after, before);
    free(after);
    free(before);
}

/* ---------------------------------------------------------------- the outbox and its ids */

/*
 * What Catalog has published, as "type|stream|catalog_version|correlation_id|traceparent;..."
 * in the order it was recorded (caller frees).  The service's relay moves rows from
 * catalog.outbox to messaging.bus while the test runs, in one transaction, so a message
 * is in exactly one of the two at any moment: one statement (one snapshot) reads both,
 * the bus first, and sees each message once wherever the relay has got to.
 */
static char *published_contents(void)
{
    PGresult *res = PQexec(
        db, "SELECT coalesce(string_agg(type || '|' || stream || '|' ||"
            " (payload->>'catalog_version') || '|' || correlation_id || '|' ||"
            " coalesce(traceparent, '-'), ';' ORDER BY place, n), '')"
            " FROM (SELECT 0 AS place, position AS n, type, stream, payload, correlation_id,"
            "              traceparent FROM messaging.bus WHERE source = 'catalog'"
            "       UNION ALL"
            "       SELECT 1, id, type, stream, payload, correlation_id, traceparent"
            "         FROM catalog.outbox) AS published");
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQerrorMessage(db));
    char *text = strdup(PQgetvalue(res, 0, 0));
    PQclear(res);
    return text;
}

Test(catalog_api, names_the_correlation_id_of_each_change_and_records_it_in_the_outbox)
{
    struct test_reply r;
    char added[64], changed[64], expected[512];
    request(&r, "POST", "/products",
            "{\"sku\": \"ABC-1\", \"name\": \"Mug\", \"price\": \"1 EUR\"}", 201);
    snprintf(added, sizeof added, "%s", test_reply_string(&r, "correlation_id"));
    test_reply_dispose(&r);
    request(&r, "PUT", "/products/ABC-1/price", "{\"price\": \"2.00 EUR\"}", 200);
    snprintf(changed, sizeof changed, "%s", test_reply_string(&r, "correlation_id"));
    test_reply_dispose(&r);
    cr_expect_eq(strlen(added), 36, "a UUID: %s", added);
    cr_expect_str_neq(added, changed, "each request starts its own conversation");

    char *rows = published_contents();
    snprintf(expected, sizeof expected, "catalog.ProductAdded|product-ABC-1|1|%s|00-", added);
    cr_expect(strncmp(rows, expected, strlen(expected)) == 0, "%s, expected %s...", rows, expected);
    snprintf(expected, sizeof expected, ";catalog.PriceChanged|product-ABC-1|2|%s|00-", changed);
    cr_expect(strstr(rows, expected), "%s, expected ...%s", rows, expected);
    cr_expect_eq(strlen(rows),
                 2 * (strlen("catalog.ProductAdded|product-ABC-1|1|") + 36 + 1 + 55) + 1,
                 "two rows, each with a traceparent of 55 characters: %s", rows);
    free(rows);
}

Test(catalog_api, continues_the_conversation_and_trace_the_client_names)
{
    char reply[4096];
    const char *body = "{\"sku\": \"ABC-1\", \"name\": \"Mug\", \"price\": \"1 EUR\"}";
    char text[1024];
    snprintf(text, sizeof text,
             "POST /products HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
             "Content-Type: application/json\r\n"
             "X-Correlation-Id: 0190a6f4-1b2c-7d3e-8f40-123456789abc\r\n"
             "traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\r\n"
             "Content-Length: %zu\r\n\r\n%s",
             strlen(body), body);
    test_http_raw(svc.url, text, reply, sizeof reply, 5);
    cr_expect(strstr(reply, "HTTP/1.1 201"), "%s", reply);
    cr_expect(strstr(reply, "X-Correlation-Id: 0190a6f4-1b2c-7d3e-8f40-123456789abc"), "%s", reply);
    cr_expect(strstr(reply, "\"correlation_id\":\"0190a6f4-1b2c-7d3e-8f40-123456789abc\""), "%s",
              reply);
    char *rows = published_contents();
    cr_expect_str_eq(rows,
                     "catalog.ProductAdded|product-ABC-1|1|0190a6f4-1b2c-7d3e-8f40-123456789abc"
                     "|00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    free(rows);
}

Test(catalog_api, refuses_a_correlation_id_that_is_not_a_uuid_and_changes_nothing)
{
    char reply[4096];
    const char *body = "{\"price\": \"2.00 EUR\"}";
    char text[1024];
    add("ABC-1", "Mug", "1.00 EUR");
    char *before = table_contents(), *outbox_before = published_contents();
    snprintf(text, sizeof text,
             "PUT /products/ABC-1/price HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
             "Content-Type: application/json\r\nX-Correlation-Id: order-42\r\n"
             "Content-Length: %zu\r\n\r\n%s",
             strlen(body), body);
    test_http_raw(svc.url, text, reply, sizeof reply, 5);
    cr_expect(strstr(reply, "HTTP/1.1 400"), "%s", reply);
    cr_expect(strstr(reply, "X-Correlation-Id"), "the problem names the header: %s", reply);
    char *after = table_contents(), *outbox_after = published_contents();
    cr_expect_str_eq(after, before);
    cr_expect_str_eq(outbox_after, outbox_before);
    free(before);
    free(after);
    free(outbox_before);
    free(outbox_after);
}

Test(catalog_api, records_no_message_for_a_refused_or_unchanged_request)
{
    struct test_reply r;
    add("ABC-1", "Mug", "1.00 EUR");
    request(&r, "PUT", "/products/ABC-1/price", "{\"price\": \"1.00 EUR\"}", 200);
    cr_expect(cJSON_IsFalse(cJSON_GetObjectItem(r.json, "changed")), "%s", r.body);
    cr_expect_null(cJSON_GetObjectItem(r.json, "correlation_id"),
                   "nothing recorded, nothing to trace: %s", r.body);
    test_reply_dispose(&r);
    request(&r, "POST", "/products", "{\"sku\": \"ABC-1\", \"name\": \"M\", \"price\": \"2 EUR\"}",
            422);
    test_reply_dispose(&r);
    request(&r, "PUT", "/products/NOPE-1/price", "{\"price\": \"1.00 EUR\"}", 404);
    test_reply_dispose(&r);
    char *rows = published_contents();
    cr_expect_eq(strncmp(rows, "catalog.ProductAdded|product-ABC-1|1|", 37), 0, "%s", rows);
    cr_expect_null(strchr(rows, ';'), "only the add: %s", rows);
    free(rows);
}
