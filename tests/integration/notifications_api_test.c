/*
 * tests/integration/notifications_api_test.c — the Notifications context's HTTP API as a
 * client sees it: the real service (tests/support/test_service.h) on a fresh, migrated
 * database, over TCP, reading notifications the test wrote as the context's consumer
 * would (the subscription's handler, as shop_notifications).
 *
 * What a client relies on: GET /notifications answers the shape of
 * docs/api/notifications.md, newest first, filtered by customer and/or order and bounded
 * by limit; a filter that breaks its rule is 400 naming it; the service runs as
 * shop_notifications.
 * Read next: infrastructure/notifications/notifications_api.c
 */
#include "infrastructure/notifications/order_outcomes.h"
#include "tests/support/test_db.h"
#include "tests/support/test_service.h"

#include "domain/shared/error.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ORDER_A "0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90"
#define ORDER_B "0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a91"

static char db_name[TEST_DB_NAME_MAX];
static PGconn *db;
static struct test_service svc;

/* Handles one message as the consumer would: type, message number, payload. */
static void deliver(void *handler, const char *type, int n, const char *payload)
{
    struct message m = {.position = n, .schema_version = 1};
    char text[UUID_STRING_SIZE];
    snprintf(m.type, sizeof m.type, "%s", type);
    snprintf(text, sizeof text, "0190b000-0000-7000-8000-%012d", n);
    cr_assert_eq(uuid_parse(&m.meta.message_id, text), 0);
    m.payload = strdup(payload);
    cr_assert_eq(order_outcomes_subscription.handle(handler, &m), 0, "%s", shop_error_message());
    message_dispose(&m);
}

static void setup(void)
{
    void *handler;
    db = test_db_create(db_name);
    test_db_migrate(db);
    test_db_exec(db, "SET ROLE shop_notifications");
    cr_assert_eq(order_outcomes_subscription.open(&handler, db, NULL), 0, "%s",
                 shop_error_message());
    deliver(handler, "ordering.OrderPlaced", 1,
            "{\"order_id\": \"" ORDER_A "\", \"customer\": \"c-1\","
            " \"lines\": [{\"quantity\": 2}], \"total\": \"29.75 EUR\"}");
    deliver(handler, "ordering.OrderPlaced", 2,
            "{\"order_id\": \"" ORDER_B "\", \"customer\": \"c 2\","
            " \"lines\": [{\"quantity\": 1}], \"total\": \"5.00 EUR\"}");
    deliver(handler, "ordering.OrderConfirmed", 3, "{\"order_id\": \"" ORDER_A "\"}");
    order_outcomes_subscription.close(handler);
    test_db_exec(db, "RESET ROLE");
    test_service_start(&svc, "notifications", db_name, NULL);
}

static void teardown(void)
{
    test_service_stop(&svc);
    test_db_drop(db, db_name);
}

TestSuite(notifications_api, .init = setup, .fini = teardown);

static void request(struct test_reply *out, const char *path, int status)
{
    test_http(out, svc.url, "GET", path, NULL);
    cr_assert_eq(out->status, status, "GET %s: %d, expected %d: %s", path, out->status, status,
                 out->body);
}

static const char *member(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : "(not a string)";
}

Test(notifications_api, lists_every_notification_newest_first)
{
    struct test_reply r;
    request(&r, "/notifications", 200);
    cr_expect_str_eq(r.content_type, "application/json");
    cr_assert(cJSON_IsArray(r.json));
    cr_assert_eq(cJSON_GetArraySize(r.json), 3);
    const cJSON *newest = cJSON_GetArrayItem(r.json, 0);
    cr_expect_str_eq(member(newest, "customer"), "c-1");
    cr_expect_str_eq(member(newest, "order_id"), ORDER_A);
    cr_expect_str_eq(member(newest, "kind"), "order-confirmed");
    cr_expect_str_eq(member(newest, "text"), "Order " ORDER_A " confirmed");
    cr_expect_str_eq(member(newest, "message_id"), "0190b000-0000-7000-8000-000000000003");
    cr_expect_str_eq(member(newest, "id"), "3", "ids are strings of digits");
    const char *at = member(newest, "recorded_at");
    cr_expect(strlen(at) == 27 && at[10] == 'T' && at[26] == 'Z', "RFC 3339 with microseconds: %s",
              at);
    cr_expect_str_eq(member(cJSON_GetArrayItem(r.json, 2), "text"),
                     "Order " ORDER_A " received: 2 items, 29.75 EUR");
    test_reply_dispose(&r);
}

Test(notifications_api, filters_by_customer_and_by_order)
{
    struct test_reply r;
    request(&r, "/notifications?customer=c-1", 200);
    cr_expect_eq(cJSON_GetArraySize(r.json), 2);
    test_reply_dispose(&r);

    request(&r, "/notifications?customer=c%202", 200);
    cr_assert_eq(cJSON_GetArraySize(r.json), 1, "a customer id with a space, escaped: %s", r.body);
    cr_expect_str_eq(member(cJSON_GetArrayItem(r.json, 0), "order_id"), ORDER_B);
    test_reply_dispose(&r);

    request(&r, "/notifications?order=" ORDER_A, 200);
    cr_expect_eq(cJSON_GetArraySize(r.json), 2);
    test_reply_dispose(&r);

    request(&r, "/notifications?customer=c-1&order=" ORDER_B, 200);
    cr_expect_str_eq(r.body, "[]");
    test_reply_dispose(&r);
}

Test(notifications_api, gives_no_more_than_the_limit)
{
    struct test_reply r;
    request(&r, "/notifications?limit=1", 200);
    cr_assert_eq(cJSON_GetArraySize(r.json), 1);
    cr_expect_str_eq(member(cJSON_GetArrayItem(r.json, 0), "kind"), "order-confirmed");
    test_reply_dispose(&r);
}

Test(notifications_api, refuses_a_filter_that_breaks_its_rule_naming_it)
{
    static const struct {
        const char *path, *detail;
    } cases[] = {
        {"/notifications?order=42", "order: "},
        {"/notifications?customer=", "customer: customer id must be 1-64"},
        {"/notifications?limit=0", "limit: must be a whole number 1-1000"},
        {"/notifications?limit=1001", "limit: must be a whole number 1-1000"},
        {"/notifications?limit=ten", "limit: must be a whole number 1-1000"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct test_reply r;
        request(&r, cases[i].path, 400);
        cr_expect_str_eq(r.content_type, "application/problem+json");
        cr_expect(strstr(test_reply_string(&r, "detail"), cases[i].detail) != NULL,
                  "%s: \"%s\" has \"%s\"", cases[i].path, test_reply_string(&r, "detail"),
                  cases[i].detail);
        test_reply_dispose(&r);
    }
}

Test(notifications_api, runs_as_the_notifications_role)
{
    struct test_reply r;
    request(&r, "/health", 200);
    cr_expect_str_eq(test_reply_string(&r, "db_role"), "shop_notifications");
    test_reply_dispose(&r);
    test_http(&r, svc.url, "POST", "/notifications", "{}");
    cr_expect_eq(r.status, 405, "notifications are written by the consumer only");
    test_reply_dispose(&r);
}
