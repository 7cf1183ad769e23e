/*
 * tests/integration/payment_api_test.c — Payments' HTTP API over real TCP, on a real
 * PostgreSQL (a fresh database, as the shop_payments role), paying through the real
 * simulated gateway started in the same process.
 *
 * What a user of the API relies on: a payment is authorized, captured, refunded and read
 * back; a declined card is 422 "payment declined"; the rules of the aggregate come back as
 * 422; a gateway that does not answer is 503; and bad input of every kind is a 4xx that
 * names what was wrong, never a crash and never a half-written payment.
 * Read next: infrastructure/payments/payment_api.c, docs/api/payments.md
 */
#include "tests/support/test_db.h"
#include "tests/support/test_service.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ORDER "0190a6f4-8d1e-7c3a-9b2f-000000000001"

static char db_name[TEST_DB_NAME_MAX];
static PGconn *db;
static struct test_service gateway, payments;

static void start_with(const struct service_faults *faults)
{
    db = test_db_create(db_name);
    test_db_migrate(db);
    test_service_start(&gateway, "payment-gateway", NULL, faults);
    setenv("SHOP_PAYMENT_GATEWAY_URL", gateway.url, 1);
    test_service_start(&payments, "payments", db_name, NULL);
}

static void setup(void)
{
    start_with(NULL);
}

static void setup_gateway_in_outage(void)
{
    struct service_faults outage = {.outage_from_s = 0, .outage_until_s = 3600};
    start_with(&outage);
}

static void teardown(void)
{
    test_service_stop(&payments);
    test_service_stop(&gateway);
    test_db_drop(db, db_name);
}

static int request(struct test_reply *r, const char *method, const char *path, const char *body)
{
    test_http(r, payments.url, method, path, body);
    return r->status;
}

static int status_of(const char *method, const char *path, const char *body)
{
    struct test_reply r;
    int status = request(&r, method, path, body);
    test_reply_dispose(&r);
    return status;
}

/* A new authorized payment of 37.50 EUR; its path "/payments/<id>" in out. */
static void authorized(char out[128])
{
    struct test_reply r;
    cr_assert_eq(request(&r, "POST", "/payments",
                         "{\"order_id\": \"" ORDER "\", \"amount\": \"37.50 EUR\", "
                         "\"card\": \"tok_visa\"}"),
                 201, "%s", r.body);
    cr_assert_str_eq(test_reply_string(&r, "status"), "authorized");
    snprintf(out, 128, "/payments/%s", test_reply_string(&r, "payment_id"));
    test_reply_dispose(&r);
}

static void path_plus(char out[160], const char *path, const char *suffix)
{
    snprintf(out, 160, "%s%s", path, suffix);
}

static long count_events(void)
{
    PGresult *res = PQexec(db, "SELECT count(*) FROM payments.events");
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQerrorMessage(db));
    long n = strtol(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return n;
}

TestSuite(the_payments_api, .init = setup, .fini = teardown, .timeout = 60);

Test(the_payments_api, authorizes_captures_refunds_and_shows_a_payment)
{
    char path[128], sub[160];
    struct test_reply r;
    authorized(path);

    path_plus(sub, path, "/capture");
    cr_assert_eq(request(&r, "POST", sub, NULL), 200, "%s", r.body);
    cr_assert_str_eq(test_reply_string(&r, "status"), "captured");
    cr_assert_str_eq(test_reply_string(&r, "captured"), "37.50 EUR");
    test_reply_dispose(&r);

    path_plus(sub, path, "/refunds");
    cr_assert_eq(request(&r, "POST", sub, "{\"amount\": \"10.00 EUR\"}"), 200, "%s", r.body);
    cr_assert_str_eq(test_reply_string(&r, "refunded"), "10.00 EUR");
    test_reply_dispose(&r);

    cr_assert_eq(request(&r, "GET", path, NULL), 200);
    cr_assert_str_eq(test_reply_string(&r, "order_id"), ORDER);
    cr_assert_str_eq(test_reply_string(&r, "amount"), "37.50 EUR");
    cr_assert_str_eq(test_reply_string(&r, "status"), "captured");
    cr_assert_eq(strncmp(test_reply_string(&r, "charge_id"), "ch_", 3), 0);
    test_reply_dispose(&r);
    cr_assert_eq(count_events(), 3);
}

Test(the_payments_api, answers_a_declined_card_with_422_payment_declined)
{
    struct test_reply r;
    cr_assert_eq(request(&r, "POST", "/payments",
                         "{\"order_id\": \"" ORDER "\", \"amount\": \"37.50 EUR\", "
                         "\"card\": \"tok_chargeDeclined\"}"),
                 422, "%s", r.body);
    cr_assert_str_eq(test_reply_string(&r, "detail"), "payment declined");
    test_reply_dispose(&r);
    cr_assert_eq(count_events(), 1, "the decline is recorded");
}

Test(the_payments_api, refuses_what_the_payments_state_forbids_with_422)
{
    char path[128], sub[160];
    struct test_reply r;
    authorized(path);
    path_plus(sub, path, "/refunds");
    cr_assert_eq(status_of("POST", sub, "{\"amount\": \"1.00 EUR\"}"), 422, "not captured yet");
    path_plus(sub, path, "/capture");
    cr_assert_eq(status_of("POST", sub, NULL), 200);
    cr_assert_eq(status_of("POST", sub, NULL), 200, "a second capture changes nothing");
    path_plus(sub, path, "/void");
    cr_assert_eq(request(&r, "POST", sub, NULL), 422);
    cr_assert(strstr(test_reply_string(&r, "detail"), "refund it instead"), "%s", r.body);
    test_reply_dispose(&r);
    path_plus(sub, path, "/refunds");
    cr_assert_eq(request(&r, "POST", sub, "{\"amount\": \"37.51 EUR\"}"), 422);
    cr_assert(strstr(test_reply_string(&r, "detail"), "would exceed the capture"), "%s", r.body);
    test_reply_dispose(&r);
    cr_assert_eq(count_events(), 2);
}

Test(the_payments_api, voids_an_authorized_payment_and_then_refuses_its_capture)
{
    char path[128], sub[160];
    authorized(path);
    path_plus(sub, path, "/void");
    cr_assert_eq(status_of("POST", sub, NULL), 200);
    path_plus(sub, path, "/capture");
    cr_assert_eq(status_of("POST", sub, NULL), 422);
}

/* Bad input: each row is one request and the status it must get; nothing is written. */
Test(the_payments_api, refuses_bad_input_naming_what_is_wrong)
{
    static const struct {
        const char *method, *path, *body;
        int status;
        const char *detail; /* a part of the problem's detail, or NULL */
    } rows[] = {
        {"POST", "/payments", "{\"order_id\": ", 400, "not valid JSON"},
        {"POST", "/payments", "[]", 400, "JSON object"},
        {"POST", "/payments", "", 400, NULL},
        {"POST", "/payments", "{\"amount\": \"37.50 EUR\", \"card\": \"tok_visa\"}", 400,
         "order_id: missing"},
        {"POST", "/payments", "{\"order_id\": \"" ORDER "\", \"card\": \"tok_visa\"}", 400,
         "amount: missing"},
        {"POST", "/payments", "{\"order_id\": \"" ORDER "\", \"amount\": \"37.50 EUR\"}", 400,
         "card: missing"},
        {"POST", "/payments",
         "{\"order_id\": 7, \"amount\": \"37.50 EUR\", \"card\": \"tok_visa\"}", 400,
         "order_id: must be a string"},
        {"POST", "/payments",
         "{\"order_id\": \"" ORDER "\", \"amount\": 37.5, \"card\": \"tok_visa\"}", 400,
         "amount: must be a string"},
        {"POST", "/payments",
         "{\"order_id\": \"" ORDER "\", \"amount\": \"37.50 EUR\", \"card\": true}", 400,
         "card: must be a string"},
        {"POST", "/payments",
         "{\"order_id\": \"nope\", \"amount\": \"37.50 EUR\", \"card\": \"tok_visa\"}", 400,
         "order_id"},
        {"POST", "/payments",
         "{\"order_id\": \"" ORDER "\", \"amount\": \"12.505 EUR\", \"card\": \"tok_visa\"}", 400,
         "amount"},
        {"POST", "/payments",
         "{\"order_id\": \"" ORDER "\", \"amount\": \"0.00 EUR\", \"card\": \"tok_visa\"}", 400,
         "amount: must be above 0"},
        {"POST", "/payments",
         "{\"order_id\": \"" ORDER "\", \"amount\": \"37.50\", \"card\": \"tok_visa\"}", 400,
         "amount"},
        {"POST", "/payments",
         "{\"order_id\": \"" ORDER "\", \"amount\": \"37.50 XYZ\", \"card\": \"tok_visa\"}", 400,
         "amount"},
        {"POST", "/payments",
         "{\"order_id\": \"" ORDER "\", \"amount\": \"37.50 EUR\", \"card\": \"tok visa\"}", 400,
         "card"},
        {"GET", "/payments/not-a-uuid", NULL, 400, "payment id"},
        {"GET", "/payments/0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90", NULL, 404, "no payment"},
        {"POST", "/payments/0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90/capture", NULL, 404, NULL},
        {"POST", "/payments/0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90/refunds", "{}", 400,
         "amount: missing"},
        {"DELETE", "/payments", NULL, 405, NULL},
        {"GET", "/payments/0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90/capture", NULL, 405, NULL},
        {"GET", "/nothing-here", NULL, 404, NULL},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct test_reply r;
        int status = request(&r, rows[i].method, rows[i].path, rows[i].body);
        cr_expect_eq(status, rows[i].status, "row %zu: %s %s %s -> %d %s", i, rows[i].method,
                     rows[i].path, rows[i].body ? rows[i].body : "", status, r.body);
        cr_expect_str_eq(r.content_type, "application/problem+json", "row %zu", i);
        if (rows[i].detail)
            cr_expect(strstr(test_reply_string(&r, "detail"), rows[i].detail), "row %zu: %s", i,
                      r.body);
        test_reply_dispose(&r);
    }
    cr_assert_eq(count_events(), 0, "bad input writes nothing");
}

Test(the_payments_api, refuses_a_body_over_the_limit_with_413)
{
    size_t n = 70 * 1024;
    char *body = malloc(n + 64);
    memset(body, ' ', n + 64);
    memcpy(body, "{\"card\": \"", 10);
    memset(body + 10, 'a', n);
    memcpy(body + 10 + n, "\"}", 3);
    cr_assert_eq(status_of("POST", "/payments", body), 413);
    free(body);
}

TestSuite(paying_while_the_gateway_is_down, .init = setup_gateway_in_outage, .fini = teardown,
          .timeout = 60);

Test(paying_while_the_gateway_is_down, is_503_and_records_nothing)
{
    struct test_reply r;
    cr_assert_eq(request(&r, "POST", "/payments",
                         "{\"order_id\": \"" ORDER "\", \"amount\": \"37.50 EUR\", "
                         "\"card\": \"tok_visa\"}"),
                 503, "%s", r.body);
    cr_assert(strstr(test_reply_string(&r, "detail"), "payment gateway"), "%s", r.body);
    test_reply_dispose(&r);
    cr_assert_eq(count_events(), 0);
}
