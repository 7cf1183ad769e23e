/*
 * tests/integration/event_observers_test.c — a running Ordering service observes its
 * events and carries each request's trace context (docs/architecture.md §10).
 *
 * The real service in the test process (tests/support/test_service.h) on a fresh
 * migrated database.  What an operator relies on: every request has a traceparent — the
 * client's, or a new one — which the reply returns in its `traceparent` header and the
 * recorded events carry; each recorded event is one line on the service's stderr with its
 * ids, and is counted at GET /metrics as
 * shop_domain_events_total{context="ordering",type="OrderPlaced"}.
 * Prices: the fake Catalog serves them, and Ordering's own price replica holds the same,
 * so the test does not depend on which of the two Ordering reads.
 * Read next: infrastructure/messaging/observers.c, infrastructure/ordering/order_api.c
 */
#include "domain/shared/error.h"
#include "tests/support/fake_catalog.h"
#include "tests/support/test_db.h"
#include "tests/support/test_service.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TRACEPARENT "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
#define ORDER_BODY                                                                                 \
    "{\"customer\":\"alice\",\"lines\":[{\"sku\":\"MUG-RED\",\"quantity\":2}],"                    \
    "\"ship_to\":\"1 Main Street\",\"postcode\":\"10115\"}"

static char db_name[TEST_DB_NAME_MAX];
static PGconn *db;
static struct fake_catalog *catalog;
static struct test_service ordering;
static char log_path[] = "/tmp/shop-observers-XXXXXX";
static int saved_stderr = -1;

/* The service's stderr goes to a file the test reads: the event log. */
static void capture_stderr(void)
{
    int fd = mkstemp(log_path);
    cr_assert_geq(fd, 0);
    fflush(stderr);
    saved_stderr = dup(2);
    cr_assert_geq(dup2(fd, 2), 0);
    close(fd);
}

static char *captured_stderr(void)
{
    fflush(stderr);
    FILE *f = fopen(log_path, "r");
    cr_assert_not_null(f);
    char *text = calloc(1, 1 << 16);
    size_t n = fread(text, 1, (1 << 16) - 1, f);
    text[n] = '\0';
    fclose(f);
    return text;
}

static void setup(void)
{
    capture_stderr();
    db = test_db_create(db_name);
    test_db_migrate(db);
    test_db_exec(db, "INSERT INTO ordering.prices (sku, price_minor, currency, catalog_version, "
                     "message_id) VALUES ('MUG-RED', 1250, 'EUR', 1, gen_random_uuid())");
    catalog = fake_catalog_start();
    fake_catalog_set(catalog, "MUG-RED", "12.50 EUR");
    cr_assert_eq(setenv("SHOP_CATALOG_URL", fake_catalog_url(catalog), 1), 0);
    test_service_start(&ordering, "ordering", db_name, NULL);
}

static void teardown(void)
{
    test_service_stop(&ordering);
    fake_catalog_stop(catalog);
    test_db_drop(db, db_name);
    fflush(stderr);
    if (saved_stderr >= 0) {
        dup2(saved_stderr, 2);
        close(saved_stderr);
    }
    unlink(log_path);
}

/* One request as raw HTTP (to send and read headers); the reply's head and body. */
static void raw(char *reply, size_t size, const char *method, const char *path,
                const char *extra_headers, const char *body)
{
    char text[2048];
    snprintf(text, sizeof text,
             "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s"
             "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
             method, path, extra_headers, strlen(body), body);
    test_http_raw(ordering.url, text, reply, size, 10);
    cr_assert(reply[0], "no reply to %s %s", method, path);
}

/* The value of a reply header (case-insensitive name), "" if absent. */
static const char *reply_header(char out[128], const char *reply, const char *name)
{
    out[0] = '\0';
    for (const char *line = strstr(reply, "\r\n"); line && strncmp(line, "\r\n\r\n", 4) != 0;
         line = strstr(line + 2, "\r\n")) {
        const char *p = line + 2;
        size_t n = strlen(name);
        if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
            p += n + 1;
            while (*p == ' ')
                p++;
            size_t len = strcspn(p, "\r");
            snprintf(out, 128, "%.*s", (int)len, p);
            break;
        }
    }
    return out;
}

/* The single value of a query. */
static char *query_value(const char *sql)
{
    PGresult *res = PQexec(db, sql);
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQerrorMessage(db));
    cr_assert_eq(PQntuples(res), 1, "%s: %d rows", sql, PQntuples(res));
    char *v = strdup(PQgetvalue(res, 0, 0));
    PQclear(res);
    return v;
}

TestSuite(observing_a_running_service, .init = setup, .fini = teardown, .timeout = 60);

Test(observing_a_running_service, keeps_the_clients_traceparent_on_the_event_and_the_reply)
{
    char reply[4096], header[128];
    raw(reply, sizeof reply, "POST", "/orders", "traceparent: " TRACEPARENT "\r\n", ORDER_BODY);
    cr_assert(strncmp(reply, "HTTP/1.1 201", 12) == 0, "%s", reply);

    cr_expect_str_eq(reply_header(header, reply, "traceparent"), TRACEPARENT, "%s", reply);
    char *recorded = query_value("SELECT traceparent FROM ordering.events");
    cr_expect_str_eq(recorded, TRACEPARENT);
    free(recorded);
}

Test(observing_a_running_service, starts_a_trace_for_a_request_without_one)
{
    char reply[4096], header[128];
    raw(reply, sizeof reply, "POST", "/orders", "traceparent: 00-not-a-trace\r\n", ORDER_BODY);
    cr_assert(strncmp(reply, "HTTP/1.1 201", 12) == 0, "%s", reply);

    reply_header(header, reply, "traceparent");
    cr_assert_eq(strlen(header), 55, "no new traceparent: '%s'", header);
    cr_expect(strncmp(header, "00-", 3) == 0, "%s", header);
    cr_expect_str_neq(header, "00-not-a-trace");
    char *recorded = query_value("SELECT traceparent FROM ordering.events");
    cr_expect_str_eq(recorded, header, "the event and the reply disagree");
    free(recorded);
}

Test(observing_a_running_service, answers_every_request_with_its_traceparent_refusals_too)
{
    char reply[4096], header[128];
    raw(reply, sizeof reply, "POST", "/orders", "traceparent: " TRACEPARENT "\r\n",
        "{\"customer\":\"alice\"}");
    cr_assert(strncmp(reply, "HTTP/1.1 400", 12) == 0, "%s", reply);
    cr_expect_str_eq(reply_header(header, reply, "traceparent"), TRACEPARENT, "%s", reply);

    raw(reply, sizeof reply, "GET", "/orders", "traceparent: " TRACEPARENT "\r\n", "");
    cr_assert(strncmp(reply, "HTTP/1.1 200", 12) == 0, "%s", reply);
    cr_expect_str_eq(reply_header(header, reply, "traceparent"), TRACEPARENT, "%s", reply);
}

Test(observing_a_running_service, logs_one_line_per_event_with_its_ids)
{
    char reply[4096], header[128];
    raw(reply, sizeof reply, "POST", "/orders", "traceparent: " TRACEPARENT "\r\n", ORDER_BODY);
    cr_assert(strncmp(reply, "HTTP/1.1 201", 12) == 0, "%s", reply);
    raw(reply, sizeof reply, "GET", "/orders", "", "");
    (void)header;

    char *ids = query_value("SELECT message_id || ' correlation_id=' || correlation_id "
                            "FROM ordering.events");
    char expected[256];
    snprintf(expected, sizeof expected,
             "ordering: event OrderPlaced message_id=%s causation_id=- traceparent=" TRACEPARENT
             "\n",
             ids);
    char *log = captured_stderr();
    cr_expect_not_null(strstr(log, expected), "expected\n%s\nin\n%s", expected, log);
    size_t events = 0;
    for (const char *p = log; (p = strstr(p, ": event ")); p++)
        events++;
    cr_expect_eq(events, 1, "one event, one line:\n%s", log);
    free(log);
    free(ids);
}

Test(observing_a_running_service, counts_the_events_by_context_and_type_at_metrics)
{
    struct test_reply r;
    for (int i = 0; i < 2; i++) {
        test_http(&r, ordering.url, "POST", "/orders", ORDER_BODY);
        cr_assert_eq(r.status, 201, "%s", r.body);
        test_reply_dispose(&r);
    }
    char *id = query_value("SELECT stream_id FROM ordering.events ORDER BY global_position "
                           "LIMIT 1");
    char path[128];
    snprintf(path, sizeof path, "/orders/%s/cancel", strchr(id, '-') + 1);
    test_http(&r, ordering.url, "POST", path, NULL);
    cr_assert_eq(r.status, 200, "%s %s", path, r.body);
    test_reply_dispose(&r);

    test_http(&r, ordering.url, "GET", "/metrics", NULL);
    cr_assert_eq(r.status, 200);
    cr_expect_not_null(strstr(r.body, "# TYPE shop_domain_events_total counter\n"), "%s", r.body);
    cr_expect_not_null(
        strstr(r.body, "shop_domain_events_total{context=\"ordering\",type=\"OrderPlaced\"} 2\n"),
        "%s", r.body);
    cr_expect_not_null(
        strstr(r.body,
               "shop_domain_events_total{context=\"ordering\",type=\"OrderCancelled\"} 1\n"),
        "%s", r.body);
    cr_expect_null(strstr(r.body, "OrderConfirmed"), "%s", r.body);
    test_reply_dispose(&r);
    free(id);
}

/* Catalog subscribes the same observers: its events are logged and counted too. */
Test(observing_a_running_service, catalog_logs_and_counts_its_events_with_their_ids)
{
    struct test_service catalog_service;
    struct test_reply r;
    test_service_start(&catalog_service, "catalog", db_name, NULL);
    test_http(&r, catalog_service.url, "POST", "/products",
              "{\"sku\":\"LAMP-1\",\"name\":\"Desk lamp\",\"price\":\"24.90 EUR\"}");
    cr_assert_eq(r.status, 201, "%s", r.body);
    char correlation[64];
    snprintf(correlation, sizeof correlation, "%s", test_reply_string(&r, "correlation_id"));
    test_reply_dispose(&r);
    test_http(&r, catalog_service.url, "PUT", "/products/LAMP-1/price",
              "{\"price\":\"19.90 EUR\"}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    test_reply_dispose(&r);

    test_http(&r, catalog_service.url, "GET", "/metrics", NULL);
    cr_assert_eq(r.status, 200);
    cr_expect_not_null(
        strstr(r.body, "shop_domain_events_total{context=\"catalog\",type=\"ProductAdded\"} 1\n"),
        "%s", r.body);
    cr_expect_not_null(
        strstr(r.body, "shop_domain_events_total{context=\"catalog\",type=\"PriceChanged\"} 1\n"),
        "%s", r.body);
    test_reply_dispose(&r);
    test_service_stop(&catalog_service);

    char expected[160];
    snprintf(expected, sizeof expected, " correlation_id=%s causation_id=- traceparent=00-",
             correlation);
    char *log = captured_stderr();
    const char *line = strstr(log, "catalog: event ProductAdded message_id=");
    cr_assert_not_null(line, "%s", log);
    cr_expect_not_null(strstr(line, expected), "expected %s in\n%s", expected, log);
    cr_expect_not_null(strstr(log, "catalog: event PriceChanged message_id="), "%s", log);
    free(log);
}
