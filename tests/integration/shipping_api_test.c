/*
 * tests/integration/shipping_api_test.c — Shipping's HTTP API over real TCP, on a real
 * PostgreSQL (a fresh database, as the shop_shipping role), booking through the real
 * simulated carrier started in the same process.
 *
 * What a user of the API relies on: an order's shipment is scheduled, read back and
 * cancelled; scheduling it again gives the same shipment and books one parcel; postcode
 * 00000 is 422 "undeliverable" and the rejection is recorded; a carrier that does not
 * answer (stopped, in an outage, too slow) is 503 and records nothing; and bad input of
 * every kind is a 4xx that names what was wrong, never a crash and never an event.
 * Read next: infrastructure/shipping/shipping_api.c, docs/api/shipping.md
 */
#include "tests/support/test_db.h"
#include "tests/support/test_service.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#define ORDER  "0190a6f4-8d1e-7c3a-9b2f-000000000001"
#define OTHER  "0190a6f4-8d1e-7c3a-9b2f-000000000002"
#define NOBODY "0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90"

#define SHIP(order, to, code)                                                                      \
    "{\"order_id\": \"" order "\", \"ship_to\": \"" to "\", \"postcode\": \"" code "\"}"
#define TO_MAIN_STREET SHIP(ORDER, "1 Main Street, Springfield", "10115")

static char db_name[TEST_DB_NAME_MAX];
static PGconn *db;
static struct test_service carrier, shipping;

static int status_at(const char *url, const char *method, const char *path)
{
    struct test_reply r;
    test_http(&r, url, method, path, NULL);
    int status = r.status;
    test_reply_dispose(&r);
    return status;
}

static void start_with(const struct service_faults *faults)
{
    db = test_db_create(db_name);
    test_db_migrate(db);
    test_service_start(&carrier, "carrier", NULL, faults);
    setenv("SHOP_CARRIER_URL", carrier.url, 1);
    test_service_start(&shipping, "shipping", db_name, NULL);
    /* one answered request each, so that a stop right after starting is not lost */
    cr_assert_eq(status_at(carrier.url, "GET", "/health"), 200);
    cr_assert_eq(status_at(shipping.url, "GET", "/health"), 200);
}

static void setup(void)
{
    start_with(NULL);
}

static void setup_carrier_in_outage(void)
{
    struct service_faults outage = {.outage_from_s = 0, .outage_until_s = 3600};
    start_with(&outage);
}

/* Every answer 2.5 s late: beyond the service's 2 s timeout for a carrier call. */
static void setup_slow_carrier(void)
{
    struct service_faults slow = {.latency_ms = 2500};
    start_with(&slow);
}

static void teardown(void)
{
    test_service_stop(&shipping);
    test_service_stop(&carrier);
    test_db_drop(db, db_name);
}

static int request(struct test_reply *r, const char *method, const char *path, const char *body)
{
    test_http(r, shipping.url, method, path, body);
    return r->status;
}

static int status_of(const char *method, const char *path, const char *body)
{
    struct test_reply r;
    int status = request(&r, method, path, body);
    test_reply_dispose(&r);
    return status;
}

static long count_events(void)
{
    PGresult *res = PQexec(db, "SELECT count(*) FROM shipping.events");
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQerrorMessage(db));
    long n = strtol(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return n;
}

/* The type of the last event in the shipping schema ("" if none). */
static void last_event_type(char out[64])
{
    PGresult *res =
        PQexec(db, "SELECT type FROM shipping.events ORDER BY global_position DESC LIMIT 1");
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQerrorMessage(db));
    snprintf(out, 64, "%s", PQntuples(res) ? PQgetvalue(res, 0, 0) : "");
    PQclear(res);
}

/* The value of one counter line of the carrier's GET /metrics; -1 if absent. */
static long carrier_counter(const char *name)
{
    struct test_reply r;
    test_http(&r, carrier.url, "GET", "/metrics", NULL);
    cr_assert_eq(r.status, 200);
    long value = -1;
    size_t len = strlen(name);
    for (const char *line = r.body; line && *line;
         line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
        if (strncmp(line, name, len) == 0 && line[len] == ' ')
            value = strtol(line + len + 1, NULL, 10);
    test_reply_dispose(&r);
    return value;
}

TestSuite(the_shipping_api, .init = setup, .fini = teardown, .timeout = 60);

Test(the_shipping_api, schedules_the_shipment_of_an_order_and_shows_it)
{
    struct test_reply r;
    cr_assert_eq(request(&r, "POST", "/shipments", TO_MAIN_STREET), 201, "%s", r.body);
    cr_assert_str_eq(test_reply_string(&r, "shipment_id"), ORDER, "named by its order");
    cr_assert_str_eq(test_reply_string(&r, "order_id"), ORDER);
    cr_assert_str_eq(test_reply_string(&r, "status"), "scheduled");
    cr_assert_eq(strncmp(test_reply_string(&r, "tracking"), "TRK", 3), 0, "%s", r.body);
    cr_assert_eq(strncmp(test_reply_string(&r, "carrier_id"), "shp_", 4), 0, "%s", r.body);
    char tracking[80];
    snprintf(tracking, sizeof tracking, "%s", test_reply_string(&r, "tracking"));
    test_reply_dispose(&r);

    cr_assert_eq(request(&r, "GET", "/shipments/" ORDER, NULL), 200, "%s", r.body);
    cr_assert_str_eq(test_reply_string(&r, "status"), "scheduled");
    cr_assert_str_eq(test_reply_string(&r, "ship_to"), "1 Main Street, Springfield");
    cr_assert_str_eq(test_reply_string(&r, "postcode"), "10115");
    cr_assert_str_eq(test_reply_string(&r, "tracking"), tracking);
    cr_assert_neq(strlen(test_reply_string(&r, "scheduled_at")), 0, "%s", r.body);
    test_reply_dispose(&r);

    char type[64];
    last_event_type(type);
    cr_assert_str_eq(type, "ShipmentScheduled");
    cr_assert_eq(count_events(), 1);
    cr_assert_eq(carrier_counter("shop_carrier_bookings_total"), 1);
}

Test(the_shipping_api, upper_cases_the_postcode_and_keeps_the_ship_to_as_written)
{
    struct test_reply r;
    cr_assert_eq(
        request(&r, "POST", "/shipments", SHIP(ORDER, "Müllerstraße 5, London", "sw1a 1aa")), 201,
        "%s", r.body);
    cr_assert_str_eq(test_reply_string(&r, "postcode"), "SW1A 1AA");
    cr_assert_str_eq(test_reply_string(&r, "ship_to"), "Müllerstraße 5, London");
    test_reply_dispose(&r);
}

Test(the_shipping_api, gives_the_same_shipment_when_an_order_is_scheduled_again)
{
    struct test_reply first, again;
    cr_assert_eq(request(&first, "POST", "/shipments", TO_MAIN_STREET), 201, "%s", first.body);
    cr_assert_eq(request(&again, "POST", "/shipments", TO_MAIN_STREET), 201, "%s", again.body);
    cr_assert_str_eq(test_reply_string(&again, "shipment_id"),
                     test_reply_string(&first, "shipment_id"));
    cr_assert_str_eq(test_reply_string(&again, "tracking"), test_reply_string(&first, "tracking"));
    cr_assert_str_eq(test_reply_string(&again, "status"), "scheduled");
    test_reply_dispose(&first);
    test_reply_dispose(&again);
    cr_assert_eq(count_events(), 1, "scheduled once");
    cr_assert_eq(carrier_counter("shop_carrier_bookings_total"), 1, "one parcel booked");
}

Test(the_shipping_api, refuses_to_move_a_scheduled_shipment_to_another_address)
{
    struct test_reply r;
    cr_assert_eq(status_of("POST", "/shipments", TO_MAIN_STREET), 201);
    cr_assert_eq(request(&r, "POST", "/shipments", SHIP(ORDER, "2 Side Street", "10117")), 422,
                 "%s", r.body);
    cr_assert(strstr(test_reply_string(&r, "detail"), "another address"), "%s", r.body);
    test_reply_dispose(&r);
    cr_assert_eq(count_events(), 1);
}

Test(the_shipping_api, answers_postcode_00000_with_422_undeliverable_and_records_the_rejection)
{
    struct test_reply r;
    cr_assert_eq(request(&r, "POST", "/shipments", SHIP(ORDER, "Nowhere 1", "00000")), 422, "%s",
                 r.body);
    cr_assert_str_eq(r.content_type, "application/problem+json");
    cr_assert_str_eq(test_reply_string(&r, "type"), "/problems/undeliverable", "%s", r.body);
    cr_assert(strstr(test_reply_string(&r, "detail"), "undeliverable"), "%s", r.body);
    test_reply_dispose(&r);
    char type[64];
    last_event_type(type);
    cr_assert_str_eq(type, "ShipmentRejected");
    cr_assert_eq(count_events(), 1, "the rejection is recorded");

    cr_assert_eq(request(&r, "GET", "/shipments/" ORDER, NULL), 200, "%s", r.body);
    cr_assert_str_eq(test_reply_string(&r, "status"), "rejected");
    cr_assert_str_eq(test_reply_string(&r, "reason"), "undeliverable");
    cr_assert_str_eq(test_reply_string(&r, "tracking"), "");
    test_reply_dispose(&r);

    cr_assert_eq(status_of("POST", "/shipments", SHIP(ORDER, "Nowhere 1", "00000")), 422);
    cr_assert_eq(count_events(), 1, "rejected again for the same address: nothing new");
    cr_assert_eq(status_of("POST", "/shipments/" ORDER "/cancel", NULL), 422,
                 "a rejected shipment has no booking to cancel");
    cr_assert_eq(request(&r, "POST", "/shipments", TO_MAIN_STREET), 201, "%s", r.body);
    cr_assert_str_eq(test_reply_string(&r, "status"), "scheduled", "another address is a new try");
    test_reply_dispose(&r);
    cr_assert_eq(count_events(), 2);
}

Test(the_shipping_api, cancels_a_scheduled_shipment_once_and_for_all)
{
    struct test_reply r;
    cr_assert_eq(status_of("POST", "/shipments", TO_MAIN_STREET), 201);
    cr_assert_eq(request(&r, "POST", "/shipments/" ORDER "/cancel", NULL), 200, "%s", r.body);
    cr_assert_str_eq(test_reply_string(&r, "status"), "cancelled");
    cr_assert_str_eq(test_reply_string(&r, "shipment_id"), ORDER);
    cr_assert_neq(strlen(test_reply_string(&r, "cancelled_at")), 0, "%s", r.body);
    test_reply_dispose(&r);
    cr_assert_eq(carrier_counter("shop_carrier_cancellations_total"), 1);

    cr_assert_eq(status_of("POST", "/shipments/" ORDER "/cancel", NULL), 200, "twice: no change");
    cr_assert_eq(count_events(), 2);
    cr_assert_eq(request(&r, "POST", "/shipments", TO_MAIN_STREET), 422, "%s", r.body);
    cr_assert(strstr(test_reply_string(&r, "detail"), "cancelled"), "%s", r.body);
    test_reply_dispose(&r);
    cr_assert_eq(request(&r, "GET", "/shipments/" ORDER, NULL), 200);
    cr_assert_str_eq(test_reply_string(&r, "status"), "cancelled");
    test_reply_dispose(&r);
    cr_assert_eq(count_events(), 2);
}

Test(the_shipping_api, answers_a_shipment_never_scheduled_with_404)
{
    struct test_reply r;
    cr_assert_eq(request(&r, "GET", "/shipments/" NOBODY, NULL), 404, "%s", r.body);
    cr_assert(strstr(test_reply_string(&r, "detail"), "no shipment for order " NOBODY), "%s",
              r.body);
    test_reply_dispose(&r);
    cr_assert_eq(status_of("POST", "/shipments/" NOBODY "/cancel", NULL), 404);
    cr_assert_eq(count_events(), 0);
}

Test(the_shipping_api, answers_503_and_records_nothing_while_the_carrier_is_stopped)
{
    cr_assert_eq(status_of("POST", "/shipments", SHIP(OTHER, "3 Hill Road", "10117")), 201);
    test_service_stop(&carrier);
    struct test_reply r;
    cr_assert_eq(request(&r, "POST", "/shipments", TO_MAIN_STREET), 503, "%s", r.body);
    cr_assert(strstr(test_reply_string(&r, "detail"), "carrier"), "%s", r.body);
    test_reply_dispose(&r);
    cr_assert_eq(status_of("POST", "/shipments/" OTHER "/cancel", NULL), 503);
    cr_assert_eq(count_events(), 1, "nothing recorded while the carrier is away");
    cr_assert_eq(status_of("GET", "/shipments/" ORDER, NULL), 404);
    cr_assert_eq(status_of("GET", "/shipments/" OTHER, NULL), 200, "reads need no carrier");
}

Test(the_shipping_api, reports_the_role_it_runs_as)
{
    struct test_reply r;
    cr_assert_eq(request(&r, "GET", "/health", NULL), 200, "%s", r.body);
    cr_assert_str_eq(test_reply_string(&r, "db_role"), "shop_shipping", "%s", r.body);
    test_reply_dispose(&r);
}

/* Bad input: each row is one request and the status it must get; nothing is written. */
Test(the_shipping_api, refuses_bad_input_naming_what_is_wrong)
{
    cr_assert_eq(status_of("POST", "/shipments", SHIP(OTHER, "3 Hill Road", "10117")), 201);
    long before = count_events();

    const struct {
        const char *method, *path, *body;
        int status;
        const char *detail; /* a part of the problem's detail, or NULL */
    } rows[] = {
        {"POST", "/shipments", "{\"order_id\": ", 400, "not valid JSON"},
        {"POST", "/shipments", "[]", 400, "JSON object"},
        {"POST", "/shipments", "[" TO_MAIN_STREET "]", 400, "JSON object"},
        {"POST", "/shipments", "", 400, NULL},
        {"POST", "/shipments", "{\"ship_to\": \"1 Main Street\", \"postcode\": \"10115\"}", 400,
         "order_id: missing"},
        {"POST", "/shipments", "{\"order_id\": \"" ORDER "\", \"postcode\": \"10115\"}", 400,
         "ship_to: missing"},
        {"POST", "/shipments", "{\"order_id\": \"" ORDER "\", \"ship_to\": \"1 Main Street\"}", 400,
         "postcode: missing"},
        {"POST", "/shipments",
         "{\"order_id\": 7, \"ship_to\": \"1 Main Street\", \"postcode\": \"10115\"}", 400,
         "order_id: must be a string"},
        {"POST", "/shipments",
         "{\"order_id\": \"" ORDER "\", \"ship_to\": [\"1 Main\"], \"postcode\": \"10115\"}", 400,
         "ship_to: must be a string"},
        {"POST", "/shipments",
         "{\"order_id\": \"" ORDER "\", \"ship_to\": \"1 Main Street\", \"postcode\": 10115}", 400,
         "postcode: must be a string"},
        {"POST", "/shipments", SHIP("nope", "1 Main Street", "10115"), 400,
         "order_id: must be a UUID"},
        {"POST", "/shipments",
         SHIP("0190a6f4-8d1e-7c3a-9b2f-00000000001", "1 Main Street", "10115"), 400, "order_id"},
        {"POST", "/shipments",
         SHIP("00000000-0000-0000-0000-000000000000", "1 Main Street", "10115"), 400, "not nil"},
        {"POST", "/shipments", SHIP(ORDER, "", "10115"), 400, "ship_to: ship-to must be"},
        {"POST", "/shipments", SHIP(ORDER, "    ", "10115"), 400, "ship_to"},
        {"POST", "/shipments", SHIP(ORDER, "1 Main\\nStreet", "10115"), 400, "control"},
        {"POST", "/shipments", SHIP(ORDER, "1 Main\\u0001Street", "10115"), 400, "control"},
        {"POST", "/shipments", SHIP(ORDER, "1 Main\\tStreet", "10115"), 400, "control"},
        {"POST", "/shipments",
         SHIP(ORDER,
              "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
              "aa"
              "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
              "aa"
              "aaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
              "10115"),
         400, "ship_to: ship-to must be 1-200 characters, got 201"},
        {"POST", "/shipments", SHIP(ORDER, "1 Main \xff Street", "10115"), 400, "UTF-8"},
        {"POST", "/shipments", SHIP(ORDER, "1 Main Street", "12345678901"), 400, "postcode"},
        {"POST", "/shipments", SHIP(ORDER, "1 Main Street", "10115!"), 400, "postcode"},
        {"POST", "/shipments", SHIP(ORDER, "1 Main Street", "101_15"), 400, "postcode"},
        {"POST", "/shipments", SHIP(ORDER, "1 Main Street", ""), 400, "postcode"},
        {"POST", "/shipments", SHIP(ORDER, "1 Main Street", "   "), 400, "postcode"},
        {"GET", "/shipments/not-a-uuid", NULL, 400, "shipment id"},
        {"POST", "/shipments/not-a-uuid/cancel", NULL, 400, "shipment id"},
        {"GET", "/shipments/" NOBODY, NULL, 404, "no shipment"},
        {"POST", "/shipments/" NOBODY "/cancel", NULL, 404, "no shipment"},
        {"DELETE", "/shipments", NULL, 405, NULL},
        {"GET", "/shipments", NULL, 405, NULL},
        {"PUT", "/shipments/" OTHER, "{}", 405, NULL},
        {"GET", "/shipments/" OTHER "/cancel", NULL, 405, NULL},
        {"GET", "/nothing-here", NULL, 404, NULL},
        {"POST", "/shipments/" OTHER "/uncancel", NULL, 404, NULL},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct test_reply r;
        int status = request(&r, rows[i].method, rows[i].path, rows[i].body);
        cr_expect_eq(status, rows[i].status, "row %zu: %s %s %.200s -> %d %s", i, rows[i].method,
                     rows[i].path, rows[i].body ? rows[i].body : "", status, r.body);
        cr_expect_str_eq(r.content_type ? r.content_type : "", "application/problem+json",
                         "row %zu", i);
        if (rows[i].detail)
            cr_expect(strstr(test_reply_string(&r, "detail"), rows[i].detail), "row %zu: %s", i,
                      r.body);
        test_reply_dispose(&r);
        cr_expect_eq(count_events(), before, "row %zu writes nothing", i);
    }
    cr_assert_eq(status_of("GET", "/shipments/" ORDER, NULL), 404, "no shipment half-made");
}

/*
 * The request line and headers only, announcing a body above the 64 KiB limit: the server
 * answers 413 from the Content-Length alone, before reading a byte of the body.  (Sending
 * the whole body races the server's close against the client's write.)
 */
Test(the_shipping_api, refuses_a_body_above_the_limit_with_413_and_records_nothing)
{
    const char *head = "POST /shipments HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                       "Content-Type: application/json\r\nContent-Length: 71680\r\n\r\n";
    char reply[512];
    test_http_raw(shipping.url, head, reply, sizeof reply, 5);
    cr_assert(reply[0], "no reply");
    cr_assert(strncmp(reply, "HTTP/1.1 413", 12) == 0, "%s", reply);
    cr_assert_eq(count_events(), 0);
}

TestSuite(shipping_while_the_carrier_is_down, .init = setup_carrier_in_outage, .fini = teardown,
          .timeout = 60);

Test(shipping_while_the_carrier_is_down, is_503_and_records_nothing)
{
    struct test_reply r;
    cr_assert_eq(request(&r, "POST", "/shipments", TO_MAIN_STREET), 503, "%s", r.body);
    cr_assert(strstr(test_reply_string(&r, "detail"), "carrier"), "%s", r.body);
    test_reply_dispose(&r);
    cr_assert_eq(count_events(), 0);
    cr_assert_eq(status_of("GET", "/shipments/" ORDER, NULL), 404);
}

TestSuite(shipping_while_the_carrier_is_slow, .init = setup_slow_carrier, .fini = teardown,
          .timeout = 60);

Test(shipping_while_the_carrier_is_slow, is_503_after_the_timeout_and_records_nothing)
{
    struct test_reply r;
    cr_assert_eq(request(&r, "POST", "/shipments", TO_MAIN_STREET), 503, "%s", r.body);
    cr_assert(strstr(test_reply_string(&r, "detail"), "no reply within"), "%s", r.body);
    test_reply_dispose(&r);
    cr_assert_eq(count_events(), 0);
}
