/*
 * tests/integration/order_api_test.c — the Ordering service over real HTTP: its own
 * process-local server on a port the kernel chooses, a fresh migrated PostgreSQL database
 * (as the role shop_ordering).  Most suites price orders by asking a fake Catalog
 * (tests/support/fake_catalog.h) over HTTP (SHOP_PRICE_LIST=catalog-http, Catalog found
 * through SHOP_CATALOG_URL as in production); the suite ordering_on_its_replica runs
 * the default, Ordering's own replica of the prices, with Catalog down.
 *
 * What a user relies on: an order placed is shown and listed as placed, with Catalog's
 * prices and an exact total; it can be cancelled, once; a confirmed order cannot be; a
 * request that is refused — for any reason in the table below — records nothing; Catalog
 * being down is 503 (retry later), never a half-placed order.
 * Read next: infrastructure/ordering/order_api.c, docs/api/ordering.md
 */
#include "application/ordering/order_service.h"
#include "domain/shared/error.h"
#include "infrastructure/memory/price_list_memory.h"
#include "infrastructure/ordering/order_api.h"
#include "infrastructure/ordering/order_store_es.h"
#include "infrastructure/ordering/price_list_subscription.h"
#include "infrastructure/postgres/event_store_pg.h"
#include "infrastructure/system/clock_system.h"
#include "infrastructure/system/id_generator_uuid.h"
#include "tests/support/fake_catalog.h"
#include "tests/support/test_db.h"
#include "tests/support/test_service.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char db_name[TEST_DB_NAME_MAX];
static PGconn *db;
static struct fake_catalog *catalog;
static struct test_service ordering;

/* Starts Ordering asking Catalog at catalog_url for its prices. */
static void start_ordering(const char *catalog_url)
{
    db = test_db_create(db_name);
    test_db_migrate(db);
    cr_assert_eq(setenv("SHOP_CATALOG_URL", catalog_url, 1), 0);
    cr_assert_eq(setenv("SHOP_PRICE_LIST", "catalog-http", 1), 0);
    test_service_start(&ordering, "ordering", db_name, NULL);
}

static void setup(void)
{
    catalog = fake_catalog_start();
    fake_catalog_set(catalog, "MUG-RED", "12.50 EUR");
    fake_catalog_set(catalog, "TEE-L", "19.99 EUR");
    start_ordering(fake_catalog_url(catalog));
}

static void teardown(void)
{
    test_service_stop(&ordering);
    fake_catalog_stop(catalog);
    catalog = NULL;
    test_db_drop(db, db_name);
    db = NULL;
}

static long events_recorded(void)
{
    PGresult *res = PQexec(db, "SELECT count(*) FROM ordering.events");
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQerrorMessage(db));
    long n = atol(PQgetvalue(res, 0, 0));
    PQclear(res);
    return n;
}

static void request(struct test_reply *r, const char *method, const char *path, const char *body)
{
    test_http(r, ordering.url, method, path, body);
}

/* Places a valid order for customer; returns its id (static storage, one at a time). */
static const char *place(const char *customer, const char *lines)
{
    static char id[64];
    char body[1024];
    struct test_reply r;
    snprintf(body, sizeof body,
             "{\"customer\":\"%s\",\"lines\":%s,\"ship_to\":\"1 Main Street, Springfield\","
             "\"postcode\":\"ab1 2cd\"}",
             customer, lines);
    request(&r, "POST", "/orders", body);
    cr_assert_eq(r.status, 201, "placing: %d %s", r.status, r.body);
    snprintf(id, sizeof id, "%s", test_reply_string(&r, "order_id"));
    test_reply_dispose(&r);
    return id;
}

static const cJSON *item(const cJSON *doc, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, name);
    cr_assert(v, "no %s", name);
    return v;
}

static const char *str(const cJSON *doc, const char *name)
{
    const cJSON *v = item(doc, name);
    cr_assert(cJSON_IsString(v), "%s is not a string", name);
    return v->valuestring;
}

TestSuite(ordering_over_http, .init = setup, .fini = teardown, .timeout = 60);

Test(ordering_over_http, places_an_order_priced_by_catalog_and_shows_it)
{
    struct test_reply r;
    request(&r, "POST", "/orders",
            "{\"customer\":\"customer-42\",\"lines\":[{\"sku\":\"mug-red\",\"quantity\":2},"
            "{\"sku\":\"TEE-L\",\"quantity\":1},{\"sku\":\"MUG-RED\",\"quantity\":1}],"
            "\"ship_to\":\"Müllerstraße 5, Berlin\",\"postcode\":\"10115\",\"card\":\"tok_visa\"}");
    cr_assert_eq(r.status, 201, "%s", r.body);
    char id[64], path[128];
    snprintf(id, sizeof id, "%s", test_reply_string(&r, "order_id"));
    cr_assert_eq(strlen(id), 36, "a UUID: %s", r.body);
    test_reply_dispose(&r);
    cr_assert_eq(events_recorded(), 1);

    snprintf(path, sizeof path, "/orders/%s", id);
    request(&r, "GET", path, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert_str_eq(str(r.json, "order_id"), id);
    cr_assert_str_eq(str(r.json, "customer"), "customer-42");
    cr_assert_str_eq(str(r.json, "status"), "placed");
    cr_assert(cJSON_IsNull(item(r.json, "reason")));
    cr_assert_str_eq(str(r.json, "total"), "57.49 EUR", "3 x 12.50 + 19.99");
    cr_assert_eq(item(r.json, "version")->valuedouble, 1);
    const cJSON *lines = item(r.json, "lines");
    cr_assert_eq(cJSON_GetArraySize(lines), 2, "the same SKU twice is one line");
    const cJSON *mug = cJSON_GetArrayItem(lines, 0);
    cr_assert_str_eq(str(mug, "sku"), "MUG-RED");
    cr_assert_eq(item(mug, "quantity")->valuedouble, 3);
    cr_assert_str_eq(str(mug, "unit_price"), "12.50 EUR");
    cr_assert_str_eq(str(mug, "line_total"), "37.50 EUR");
    cr_assert_str_eq(str(r.json, "postcode"), "10115");
    test_reply_dispose(&r);
}

/* The card travels with the order to the fulfilment saga: OrderPlaced records it. */
Test(ordering_over_http, records_the_card_the_order_is_to_be_paid_with)
{
    struct test_reply r;
    request(&r, "POST", "/orders",
            "{\"customer\":\"alice\",\"lines\":[{\"sku\":\"MUG-RED\",\"quantity\":1}],"
            "\"ship_to\":\"1 Main St\",\"postcode\":\"10115\",\"card\":\"tok_chargeDeclined\"}");
    cr_assert_eq(r.status, 201, "%s", r.body);
    test_reply_dispose(&r);
    PGresult *res =
        PQexec(db, "SELECT data->>'card' FROM ordering.events WHERE type = 'OrderPlaced'");
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQerrorMessage(db));
    cr_assert_eq(PQntuples(res), 1);
    cr_assert_str_eq(PQgetvalue(res, 0, 0), "tok_chargeDeclined");
    PQclear(res);
}

Test(ordering_over_http, cancels_an_order_once_and_shows_it_as_it_was_before)
{
    const char *id = place("alice", "[{\"sku\":\"MUG-RED\",\"quantity\":1}]");
    char path[128];
    struct test_reply r;

    snprintf(path, sizeof path, "/orders/%s/cancel", id);
    request(&r, "POST", path, "{\"reason\":\"changed my mind\"}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert_str_eq(test_reply_string(&r, "status"), "cancelled");
    cr_assert_str_eq(test_reply_string(&r, "order_id"), id);
    test_reply_dispose(&r);

    request(&r, "POST", path, NULL); /* again, without a body: nothing more happens */
    cr_assert_eq(r.status, 200, "%s", r.body);
    test_reply_dispose(&r);
    cr_assert_eq(events_recorded(), 2, "placed, cancelled: cancelling twice records one event");

    snprintf(path, sizeof path, "/orders/%s", id);
    request(&r, "GET", path, NULL);
    cr_assert_str_eq(str(r.json, "status"), "cancelled");
    cr_assert_str_eq(str(r.json, "reason"), "changed my mind");
    cr_assert_eq(item(r.json, "version")->valuedouble, 2);
    test_reply_dispose(&r);

    snprintf(path, sizeof path, "/orders/%s?as_of=1", id);
    request(&r, "GET", path, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert_str_eq(str(r.json, "status"), "placed");
    cr_assert_eq(item(r.json, "version")->valuedouble, 1);
    test_reply_dispose(&r);
}

Test(ordering_over_http, cancels_with_a_default_reason_when_none_is_given)
{
    const char *id = place("alice", "[{\"sku\":\"MUG-RED\",\"quantity\":1}]");
    char path[128];
    struct test_reply r;
    snprintf(path, sizeof path, "/orders/%s/cancel", id);
    request(&r, "POST", path, "{}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    test_reply_dispose(&r);
    snprintf(path, sizeof path, "/orders/%s", id);
    request(&r, "GET", path, NULL);
    cr_assert_str_eq(str(r.json, "reason"), "cancelled by the customer");
    test_reply_dispose(&r);
}

/*
 * A body sent chunked (no Content-Length) is a body all the same: a reason that is not a
 * string is refused, and the order stays as it was.
 */
Test(ordering_over_http, refuses_a_bad_reason_sent_chunked_and_does_not_cancel)
{
    const char *id = place("alice", "[{\"sku\":\"MUG-RED\",\"quantity\":1}]");
    char request_text[512], reply[1024] = "";
    snprintf(request_text, sizeof request_text,
             "POST /orders/%s/cancel HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
             "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
             "e\r\n{\"reason\": 12}\r\n0\r\n\r\n",
             id);
    test_http_raw(ordering.url, request_text, reply, sizeof reply, 5);
    cr_assert(reply[0], "no reply");
    cr_expect(strncmp(reply, "HTTP/1.1 400", 12) == 0, "%s", reply);
    cr_expect(strstr(reply, "reason: must be a string"), "%s", reply);
    cr_assert_eq(events_recorded(), 1, "the order was cancelled by a refused request");
}

Test(ordering_over_http, refuses_to_cancel_a_confirmed_order)
{
    const char *text = place("alice", "[{\"sku\":\"MUG-RED\",\"quantity\":1}]");
    char path[128];
    order_id id;
    cr_assert_eq(order_id_parse(&id, text), 0);

    /* Nothing confirms an order over HTTP yet (the saga will): confirm it the way the
     * saga will, through the command handler on the same database. */
    struct event_store *es;
    struct order_store *store;
    struct price_list *prices;
    struct shop_clock *clock_;
    struct id_generator *ids;
    cr_assert_eq(event_store_pg_new(&es, db, "ordering"), 0);
    cr_assert_eq(order_store_es_new(&store, es, 0), 0);
    cr_assert_eq(price_list_memory_new(&prices), 0);
    cr_assert_eq(clock_system_new(&clock_), 0);
    cr_assert_eq(id_generator_uuid_new(&ids), 0);
    struct order_service svc = {.orders = store, .prices = prices, .clock = clock_, .ids = ids};
    cr_assert_eq(order_service_confirm(&svc, &id, NULL), 0, "%s", shop_error_message());
    order_store_free(store);
    es_free(es);
    price_list_free(prices);
    shop_clock_free(clock_);
    id_generator_free(ids);

    struct test_reply r;
    snprintf(path, sizeof path, "/orders/%s/cancel", text);
    request(&r, "POST", path, "{\"reason\":\"too late\"}");
    cr_assert_eq(r.status, 422, "%s", r.body);
    cr_assert(strstr(test_reply_string(&r, "detail"), "confirmed"), "%s", r.body);
    test_reply_dispose(&r);
    cr_assert_eq(events_recorded(), 2, "placed, confirmed: the refusal recorded nothing");
}

Test(ordering_over_http, lists_orders_newest_first_by_customer_and_status)
{
    char a1[64], b1[64], a2[64], path[128];
    snprintf(a1, sizeof a1, "%s", place("alice", "[{\"sku\":\"MUG-RED\",\"quantity\":1}]"));
    snprintf(b1, sizeof b1, "%s", place("bob", "[{\"sku\":\"TEE-L\",\"quantity\":1}]"));
    snprintf(a2, sizeof a2, "%s", place("alice", "[{\"sku\":\"TEE-L\",\"quantity\":2}]"));
    struct test_reply r;
    snprintf(path, sizeof path, "/orders/%s/cancel", a1);
    request(&r, "POST", path, NULL);
    cr_assert_eq(r.status, 200);
    test_reply_dispose(&r);

    request(&r, "GET", "/orders", NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert_eq(cJSON_GetArraySize(r.json), 3);
    cr_assert_str_eq(str(cJSON_GetArrayItem(r.json, 0), "order_id"), a2);
    cr_assert_str_eq(str(cJSON_GetArrayItem(r.json, 1), "order_id"), b1);
    cr_assert_str_eq(str(cJSON_GetArrayItem(r.json, 2), "order_id"), a1);
    cr_assert_str_eq(str(cJSON_GetArrayItem(r.json, 0), "total"), "39.98 EUR");
    cr_assert_str_eq(str(cJSON_GetArrayItem(r.json, 2), "status"), "cancelled");
    cr_assert(cJSON_IsString(item(cJSON_GetArrayItem(r.json, 0), "placed_at")));
    test_reply_dispose(&r);

    request(&r, "GET", "/orders?customer=alice", NULL);
    cr_assert_eq(cJSON_GetArraySize(r.json), 2);
    cr_assert_str_eq(str(cJSON_GetArrayItem(r.json, 0), "order_id"), a2);
    cr_assert_str_eq(str(cJSON_GetArrayItem(r.json, 1), "order_id"), a1);
    test_reply_dispose(&r);

    request(&r, "GET", "/orders?customer=alice&status=placed", NULL);
    cr_assert_eq(cJSON_GetArraySize(r.json), 1);
    cr_assert_str_eq(str(cJSON_GetArrayItem(r.json, 0), "order_id"), a2);
    test_reply_dispose(&r);

    request(&r, "GET", "/orders?status=confirmed", NULL);
    cr_assert_eq(r.status, 200);
    cr_assert_eq(cJSON_GetArraySize(r.json), 0);
    test_reply_dispose(&r);
}

Test(ordering_over_http, says_which_database_role_it_runs_as)
{
    struct test_reply r;
    request(&r, "GET", "/health", NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert_str_eq(test_reply_string(&r, "db_role"), "shop_ordering");
    test_reply_dispose(&r);
}

/* ---- refusals: each row's status, and nothing recorded ---- */

struct bad_request {
    const char *name;
    const char *method, *path, *body;
    int status;
    const char *detail; /* a part of the problem's detail, or NULL */
};

#define LINE1 "[{\"sku\":\"MUG-RED\",\"quantity\":1}]"
#define ORDER(customer, lines, ship_to, postcode)                                                  \
    "{\"customer\":" customer ",\"lines\":" lines ",\"ship_to\":" ship_to                          \
    ",\"postcode\":" postcode "}"
#define GOOD_ORDER(lines) ORDER("\"c-1\"", lines, "\"1 Main St\"", "\"10115\"")
#define UNKNOWN_ID        "0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90"

static const struct bad_request bad_requests[] = {
    {"malformed JSON", "POST", "/orders", "{\"customer\":", 400, "not valid JSON"},
    {"a body that is not an object", "POST", "/orders", "[1]", 400, "object"},
    {"no body", "POST", "/orders", NULL, 400, NULL},
    {"lines not an array", "POST", "/orders", GOOD_ORDER("\"MUG-RED:1\""), 400, "lines"},
    {"lines missing", "POST", "/orders",
     "{\"customer\":\"c\",\"ship_to\":\"x\",\"postcode\":\"1\"}", 400, "lines"},
    {"no line", "POST", "/orders", GOOD_ORDER("[]"), 400, "lines"},
    {"a line that is not an object", "POST", "/orders", GOOD_ORDER("[\"MUG-RED\"]"), 400,
     "lines[0]"},
    {"quantity 0", "POST", "/orders", GOOD_ORDER("[{\"sku\":\"MUG-RED\",\"quantity\":0}]"), 400,
     "lines[0].quantity"},
    {"quantity 1000", "POST", "/orders", GOOD_ORDER("[{\"sku\":\"MUG-RED\",\"quantity\":1000}]"),
     400, "1 to 999"},
    {"quantity as a string", "POST", "/orders",
     GOOD_ORDER("[{\"sku\":\"MUG-RED\",\"quantity\":\"2\"}]"), 400, "quantity"},
    {"quantity 1.5", "POST", "/orders", GOOD_ORDER("[{\"sku\":\"MUG-RED\",\"quantity\":1.5}]"), 400,
     "quantity"},
    {"quantity 1e300", "POST", "/orders", GOOD_ORDER("[{\"sku\":\"MUG-RED\",\"quantity\":1e300}]"),
     400, "quantity"},
    {"quantity missing", "POST", "/orders", GOOD_ORDER("[{\"sku\":\"MUG-RED\"}]"), 400, "quantity"},
    {"merged quantity above 999", "POST", "/orders",
     GOOD_ORDER("[{\"sku\":\"MUG-RED\",\"quantity\":500},{\"sku\":\"mug-red\",\"quantity\":500}]"),
     400, "MUG-RED"},
    {"bad SKU", "POST", "/orders", GOOD_ORDER("[{\"sku\":\"ab c\",\"quantity\":1}]"), 400,
     "lines[0].sku"},
    {"SKU missing", "POST", "/orders", GOOD_ORDER("[{\"quantity\":1}]"), 400, "sku"},
    {"empty customer", "POST", "/orders", ORDER("\"\"", LINE1, "\"1 Main St\"", "\"10115\""), 400,
     "customer"},
    {"customer missing", "POST", "/orders",
     "{\"lines\":" LINE1 ",\"ship_to\":\"x\",\"postcode\":\"1\"}", 400, "customer"},
    {"customer a number", "POST", "/orders", ORDER("42", LINE1, "\"1 Main St\"", "\"10115\""), 400,
     "customer"},
    {"all-space ship-to", "POST", "/orders", ORDER("\"c-1\"", LINE1, "\"   \"", "\"10115\""), 400,
     "ship_to"},
    {"control character in ship-to", "POST", "/orders",
     ORDER("\"c-1\"", LINE1, "\"1 Main\\u0001St\"", "\"10115\""), 400, "ship_to"},
    {"newline in ship-to", "POST", "/orders",
     ORDER("\"c-1\"", LINE1, "\"1 Main St\\nSpringfield\"", "\"10115\""), 400, "ship_to"},
    {"postcode too long", "POST", "/orders",
     ORDER("\"c-1\"", LINE1, "\"1 Main St\"", "\"12345678901\""), 400, "postcode"},
    {"postcode all spaces", "POST", "/orders", ORDER("\"c-1\"", LINE1, "\"1 Main St\"", "\"  \""),
     400, "postcode"},
    {"empty card", "POST", "/orders",
     "{\"customer\":\"c\",\"lines\":" LINE1 ",\"ship_to\":\"x\",\"postcode\":\"1\",\"card\":\"\"}",
     400, "card"},
    {"card with a space", "POST", "/orders",
     "{\"customer\":\"c\",\"lines\":" LINE1
     ",\"ship_to\":\"x\",\"postcode\":\"1\",\"card\":\"tok visa\"}",
     400, "card"},
    {"unknown SKU", "POST", "/orders", GOOD_ORDER("[{\"sku\":\"ABC\",\"quantity\":1}]"), 422,
     "unknown SKU ABC"},
    {"unknown SKU after a known one", "POST", "/orders",
     GOOD_ORDER("[{\"sku\":\"MUG-RED\",\"quantity\":1},{\"sku\":\"abc\",\"quantity\":1}]"), 422,
     "unknown SKU ABC"},
    {"DELETE /orders", "DELETE", "/orders", NULL, 405, NULL},
    {"PUT an order", "PUT", "/orders/" UNKNOWN_ID, "{}", 405, NULL},
    {"GET an unknown path", "GET", "/nothing-here", NULL, 404, NULL},
    {"GET an unknown order", "GET", "/orders/" UNKNOWN_ID, NULL, 404, "not found"},
    {"cancel an unknown order", "POST", "/orders/" UNKNOWN_ID "/cancel", NULL, 404, "not found"},
    {"an order id that is not a UUID", "GET", "/orders/42", NULL, 400, "order id"},
    {"as_of 0", "GET", "/orders/" UNKNOWN_ID "?as_of=0", NULL, 400, "as_of"},
    {"as_of not a number", "GET", "/orders/" UNKNOWN_ID "?as_of=yesterday", NULL, 400, "as_of"},
    {"list by an unknown status", "GET", "/orders?status=lost", NULL, 400, "status"},
    {"list by an empty customer", "GET", "/orders?customer=", NULL, 400, "customer"},
    {"a reason that is not a string", "POST", "/orders/" UNKNOWN_ID "/cancel", "{\"reason\":1}",
     400, "reason"},
};

Test(ordering_over_http, refuses_bad_requests_and_records_nothing)
{
    for (size_t i = 0; i < sizeof bad_requests / sizeof bad_requests[0]; i++) {
        const struct bad_request *b = &bad_requests[i];
        struct test_reply r;
        request(&r, b->method, b->path, b->body);
        cr_expect_eq(r.status, b->status, "%s: expected %d, got %d %s", b->name, b->status,
                     r.status, r.body);
        if (b->detail)
            cr_expect(strstr(test_reply_string(&r, "detail"), b->detail), "%s: detail %s", b->name,
                      r.body);
        if (r.status >= 400)
            cr_expect(r.content_type && strstr(r.content_type, "problem+json"),
                      "%s: a problem document", b->name);
        test_reply_dispose(&r);
        cr_expect_eq(events_recorded(), 0, "%s: an event was recorded", b->name);
    }
}

Test(ordering_over_http, refuses_more_than_50_distinct_lines_before_asking_catalog)
{
    fake_catalog_set(catalog, "*", "1.00 EUR"); /* every SKU is sold */
    char *body = malloc(8192);
    size_t n = (size_t)sprintf(body, "{\"customer\":\"c\",\"ship_to\":\"x\",\"postcode\":\"1\","
                                     "\"lines\":[");
    for (int i = 0; i < 51; i++)
        n += (size_t)sprintf(body + n, "%s{\"sku\":\"SKU-%d\",\"quantity\":1}", i ? "," : "", i);
    strcpy(body + n, "]}");
    unsigned asked = fake_catalog_requests(catalog);
    struct test_reply r;
    request(&r, "POST", "/orders", body);
    cr_assert_eq(r.status, 400, "%s", r.body);
    cr_assert(strstr(test_reply_string(&r, "detail"), "50"), "%s", r.body);
    test_reply_dispose(&r);
    cr_assert_eq(fake_catalog_requests(catalog), asked, "Catalog was not asked");
    cr_assert_eq(events_recorded(), 0);

    /* 50 distinct lines are an order */
    n = (size_t)sprintf(body,
                        "{\"customer\":\"c\",\"ship_to\":\"x\",\"postcode\":\"1\",\"lines\":[");
    for (int i = 0; i < 50; i++)
        n += (size_t)sprintf(body + n, "%s{\"sku\":\"SKU-%d\",\"quantity\":1}", i ? "," : "", i);
    strcpy(body + n, "]}");
    request(&r, "POST", "/orders", body);
    cr_assert_eq(r.status, 201, "%s", r.body);
    test_reply_dispose(&r);
    free(body);
    cr_assert_eq(events_recorded(), 1);
}

/*
 * The request line and headers only, announcing a body above the limit: the server
 * answers 413 from the Content-Length alone, before reading a byte of the body.  (Sending
 * the whole body races the server's close against the client's write.)
 */
Test(ordering_over_http, refuses_a_body_above_the_limit_with_413)
{
    const char *head = "POST /orders HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                       "Content-Type: application/json\r\nContent-Length: 71680\r\n\r\n";
    char reply[512];
    test_http_raw(ordering.url, head, reply, sizeof reply, 5);
    cr_assert(reply[0], "no reply");
    cr_assert(strncmp(reply, "HTTP/1.1 413", 12) == 0, "%s", reply);
    cr_assert_eq(events_recorded(), 0);
}

Test(ordering_over_http, is_unavailable_while_catalog_fails_and_records_nothing)
{
    fake_catalog_fail_with(catalog, 503);
    struct test_reply r;
    request(&r, "POST", "/orders", GOOD_ORDER(LINE1));
    cr_assert_eq(r.status, 503, "%s", r.body);
    cr_assert(strstr(test_reply_string(&r, "detail"), "catalog"), "%s", r.body);
    test_reply_dispose(&r);
    cr_assert_eq(events_recorded(), 0);

    fake_catalog_fail_with(catalog, 0); /* Catalog is back: the same request succeeds */
    request(&r, "POST", "/orders", GOOD_ORDER(LINE1));
    cr_assert_eq(r.status, 201, "%s", r.body);
    test_reply_dispose(&r);
    cr_assert_eq(events_recorded(), 1);
}

/* ---- Catalog down for real ---- */

static int silent = -1;

static void setup_catalog_down(void)
{
    char url[FAKE_URL_SIZE];
    fake_closed_url(url);
    start_ordering(url);
}

static void setup_catalog_silent(void)
{
    char url[FAKE_URL_SIZE];
    silent = fake_silent_listener(url);
    start_ordering(url);
}

static void teardown_without_catalog(void)
{
    test_service_stop(&ordering);
    if (silent >= 0)
        close(silent);
    silent = -1;
    test_db_drop(db, db_name);
    db = NULL;
}

Test(ordering_without_catalog, answers_503_when_nothing_listens_and_records_nothing,
     .init = setup_catalog_down, .fini = teardown_without_catalog, .timeout = 60)
{
    struct test_reply r;
    request(&r, "POST", "/orders", GOOD_ORDER(LINE1));
    cr_assert_eq(r.status, 503, "%s", r.body);
    cr_assert(strstr(test_reply_string(&r, "detail"), "catalog"), "%s", r.body);
    test_reply_dispose(&r);
    cr_assert_eq(events_recorded(), 0);

    request(&r, "GET", "/orders", NULL); /* reading needs no Catalog */
    cr_assert_eq(r.status, 200, "%s", r.body);
    test_reply_dispose(&r);
}

Test(ordering_without_catalog, answers_503_within_the_deadline_when_catalog_never_answers,
     .init = setup_catalog_silent, .fini = teardown_without_catalog, .timeout = 60)
{
    struct timespec t0, t1;
    struct test_reply r;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    request(&r, "POST", "/orders", GOOD_ORDER(LINE1));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double waited = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    cr_assert_eq(r.status, 503, "%s", r.body);
    cr_assert_lt(waited, 4.0, "waited %.2f s", waited);
    test_reply_dispose(&r);
    cr_assert_eq(events_recorded(), 0);
}

/* ---- the default: Ordering's own replica of Catalog's prices ---- */

static unsigned long published;

/* Catalog's message for sku at version (1: ProductAdded), handled as the subscription
 * ordering.price-list handles it, as the role shop_ordering. */
static void catalog_publishes(const char *code, const char *price, int version)
{
    char payload[256], id[40];
    struct message m;
    memset(&m, 0, sizeof m);
    if (version == 1)
        snprintf(payload, sizeof payload,
                 "{\"sku\":\"%s\",\"name\":\"x\",\"price\":\"%s\",\"catalog_version\":1,"
                 "\"added_at\":\"2024-06-10T06:13:20.000000Z\"}",
                 code, price);
    else
        snprintf(payload, sizeof payload,
                 "{\"sku\":\"%s\",\"price\":\"%s\",\"catalog_version\":%d,"
                 "\"changed_at\":\"2024-06-10T06:13:20.000000Z\"}",
                 code, price, version);
    snprintf(m.type, sizeof m.type, version == 1 ? "catalog.ProductAdded" : "catalog.PriceChanged");
    m.schema_version = 1;
    m.payload = payload;
    snprintf(id, sizeof id, "0190a6f4-0000-7000-8000-%012lu", ++published);
    cr_assert_eq(uuid_parse(&m.meta.message_id, id), 0);
    test_db_exec(db, "SET ROLE shop_ordering");
    int rc = price_list_subscription_handle(db, &m);
    test_db_exec(db, "RESET ROLE");
    cr_assert_eq(rc, 0, "%s", shop_error_message());
}

static void setup_replica(void)
{
    char url[FAKE_URL_SIZE];
    fake_closed_url(url); /* Catalog is down throughout */
    db = test_db_create(db_name);
    test_db_migrate(db);
    cr_assert_eq(setenv("SHOP_CATALOG_URL", url, 1), 0);
    cr_assert_eq(unsetenv("SHOP_PRICE_LIST"), 0);
    test_service_start(&ordering, "ordering", db_name, NULL);
    catalog_publishes("MUG-RED", "12.50 EUR", 1);
    catalog_publishes("TEE-L", "19.99 EUR", 1);
}

TestSuite(ordering_on_its_replica, .init = setup_replica, .fini = teardown_without_catalog,
          .timeout = 60);

static const char *order_total(const char *id)
{
    static char total[64];
    char path[128];
    struct test_reply r;
    snprintf(path, sizeof path, "/orders/%s", id);
    request(&r, "GET", path, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    snprintf(total, sizeof total, "%s", str(r.json, "total"));
    test_reply_dispose(&r);
    return total;
}

Test(ordering_on_its_replica, places_an_order_while_catalog_is_down)
{
    const char *id = place("customer-42", "[{\"sku\":\"MUG-RED\",\"quantity\":3},"
                                          "{\"sku\":\"TEE-L\",\"quantity\":1}]");
    cr_expect_str_eq(order_total(id), "57.49 EUR", "3 x 12.50 + 19.99, from the replica");
    cr_expect_eq(events_recorded(), 1);
}

Test(ordering_on_its_replica, prices_with_a_change_once_it_has_reached_the_replica)
{
    struct test_reply r;
    request(&r, "GET", "/prices/MUG-RED", NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_expect_str_eq(str(r.json, "price"), "12.50 EUR");
    cr_expect_eq(item(r.json, "catalog_version")->valuedouble, 1);
    test_reply_dispose(&r);

    catalog_publishes("MUG-RED", "13.00 EUR", 2);
    request(&r, "GET", "/prices/mug-red", NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_expect_str_eq(str(r.json, "sku"), "MUG-RED");
    cr_expect_str_eq(str(r.json, "price"), "13.00 EUR");
    cr_expect_eq(item(r.json, "catalog_version")->valuedouble, 2);
    test_reply_dispose(&r);
    cr_expect_str_eq(order_total(place("c-1", "[{\"sku\":\"MUG-RED\",\"quantity\":2}]")),
                     "26.00 EUR");
}

Test(ordering_on_its_replica, refuses_a_sku_it_has_not_heard_of_and_records_nothing)
{
    struct test_reply r;
    request(&r, "POST", "/orders", GOOD_ORDER("[{\"sku\":\"LAMP-1\",\"quantity\":1}]"));
    cr_expect_eq(r.status, 422, "%s", r.body);
    cr_expect_str_eq(test_reply_string(&r, "detail"), "unknown SKU LAMP-1");
    test_reply_dispose(&r);
    cr_expect_eq(events_recorded(), 0);

    request(&r, "GET", "/prices/LAMP-1", NULL);
    cr_expect_eq(r.status, 404, "%s", r.body);
    cr_expect_str_eq(test_reply_string(&r, "detail"), "unknown SKU LAMP-1");
    test_reply_dispose(&r);
    request(&r, "GET", "/prices/no%20such", NULL);
    cr_expect_eq(r.status, 400, "%s", r.body);
    cr_expect(strstr(test_reply_string(&r, "detail"), "sku"), "%s", r.body);
    test_reply_dispose(&r);
}

Test(ordering_on_its_replica, does_not_start_with_a_price_list_it_does_not_know)
{
    struct service_instance instance;
    struct service_env env = {.name = "ordering", .db = db};
    cr_assert_eq(setenv("SHOP_PRICE_LIST", "catalog", 1), 0);
    cr_expect_eq(order_api_open(&instance, &env), SHOP_EINVALID);
    cr_expect_str_eq(shop_error_message(),
                     "SHOP_PRICE_LIST must be replica or catalog-http, got \"catalog\"");
    cr_assert_eq(unsetenv("SHOP_PRICE_LIST"), 0);
}
