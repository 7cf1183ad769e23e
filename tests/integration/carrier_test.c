/*
 * tests/integration/carrier_test.c — the simulated carrier as its clients meet it: a real
 * `carrier` service in this process (no database), requests over real TCP through the
 * client the adapters use.
 *
 * What a client relies on (docs/contracts/carrier.md): a booking comes back with an id
 * and a tracking number; postcode 00000 is undeliverable; a request repeated under its
 * Idempotency-Key gets the first answer and books nothing more, and the key cannot be
 * reused for another request; cancelling is idempotent; and the faults are the ones
 * asked for: the same seed fails the same requests, the outage window answers 503 and
 * then ends, the latency makes a client that waits less give up.
 * Read next: infrastructure/simulators/carrier.c, tests/contract/carrier_contract.c
 */
#include "domain/shared/error.h"
#include "infrastructure/http/http_client.h"
#include "tests/support/test_service.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BERLIN                                                                                     \
    "{\"reference\":\"order-1\",\"ship_to\":\"Invalidenstr. 1, Berlin\",\"postcode\":\"10115\"}"
#define NOWHERE "{\"reference\":\"order-2\",\"ship_to\":\"Nowhere 1\",\"postcode\":\"00000\"}"

static struct test_service carrier;

static void start_with(const struct service_faults *faults)
{
    test_service_start(&carrier, "carrier", NULL, faults);
}

static void start_plain(void)
{
    start_with(NULL);
}

static void stop(void)
{
    test_service_stop(&carrier);
}

/* A POST with an Idempotency-Key (key NULL: none). */
static void post(struct test_reply *out, const char *path, const char *key, const char *body)
{
    struct http_header_pair header = {"Idempotency-Key", key};
    struct http_request req = {.service = "carrier",
                               .base_url = carrier.url,
                               .method = "POST",
                               .path = path,
                               .body = body,
                               .headers = key ? &header : NULL,
                               .n_headers = key ? 1 : 0};
    struct http_reply reply;
    cr_assert_eq(http_send(&reply, &req), 0, "POST %s: %s", path, shop_error_message());
    out->status = reply.status;
    out->body = reply.body ? reply.body : calloc(1, 1);
    out->content_type = reply.content_type;
    out->json = cJSON_Parse(out->body);
}

/* The value of a counter (a line "name value") in GET /metrics; -1 if absent. */
static long metric(const char *line_start)
{
    struct test_reply r;
    test_http(&r, carrier.url, "GET", "/metrics", NULL);
    cr_assert_eq(r.status, 200);
    long value = -1;
    size_t n = strlen(line_start);
    for (const char *p = r.body; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        if (strncmp(p, line_start, n) == 0 && p[n] == ' ')
            value = strtol(p + n + 1, NULL, 10);
    test_reply_dispose(&r);
    return value;
}

static long bookings(void)
{
    return metric("shop_carrier_bookings_total");
}

/* ---- quotes and bookings ---- */

TestSuite(booking_with_the_carrier, .init = start_plain, .fini = stop);

Test(booking_with_the_carrier, a_quote_names_a_price_in_euros_and_days)
{
    struct test_reply r;
    post(&r, "/v1/quotes", NULL, "{\"postcode\":\"10115\",\"parcels\":1}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_expect_str_eq(test_reply_string(&r, "price"), "4.90 EUR");
    const cJSON *days = cJSON_GetObjectItemCaseSensitive(r.json, "days");
    cr_expect(cJSON_IsNumber(days) && days->valueint == 2, "%s", r.body);
    test_reply_dispose(&r);
}

Test(booking_with_the_carrier, a_booking_gets_an_id_and_a_tracking_number)
{
    struct test_reply r;
    post(&r, "/v1/shipments", "k-1", BERLIN);
    cr_assert_eq(r.status, 201, "%s", r.body);
    const char *id = test_reply_string(&r, "id"), *tracking = test_reply_string(&r, "tracking");
    cr_expect(strncmp(id, "shp_", 4) == 0 && strlen(id) > 4, "id %s", id);
    cr_expect(strspn(id + 4, "0123456789abcdef") == strlen(id + 4), "id %s is shp_<hex>", id);
    cr_expect(strncmp(tracking, "TRK", 3) == 0 && strlen(tracking) > 3 &&
                  strspn(tracking + 3, "0123456789") == strlen(tracking + 3),
              "tracking %s is TRK<digits>", tracking);
    cr_expect_str_eq(test_reply_string(&r, "status"), "booked");
    cr_expect_eq(bookings(), 1);
    test_reply_dispose(&r);
}

Test(booking_with_the_carrier, postcode_00000_is_undeliverable_for_quotes_and_bookings)
{
    struct test_reply r;
    post(&r, "/v1/shipments", "k-1", NOWHERE);
    cr_expect_eq(r.status, 422, "%s", r.body);
    cr_expect_str_eq(test_reply_string(&r, "type"), "/problems/undeliverable");
    cr_expect(strstr(test_reply_string(&r, "detail"), "undeliverable"), "%s", r.body);
    test_reply_dispose(&r);
    post(&r, "/v1/quotes", NULL, "{\"postcode\":\"00000\",\"parcels\":1}");
    cr_expect_eq(r.status, 422, "%s", r.body);
    cr_expect_str_eq(test_reply_string(&r, "type"), "/problems/undeliverable");
    test_reply_dispose(&r);
    cr_expect_eq(bookings(), 0);
    cr_expect_eq(metric("shop_carrier_undeliverable_total"), 2);
}

Test(booking_with_the_carrier, a_booking_missing_a_field_is_refused_and_books_nothing)
{
    static const char *const bad[] = {
        "{\"ship_to\":\"Somewhere 1\",\"postcode\":\"10115\"}",
        "{\"reference\":\"order-1\",\"postcode\":\"10115\"}",
        "{\"reference\":\"order-1\",\"ship_to\":\"Somewhere 1\"}",
        "{\"reference\":\"order-1\",\"ship_to\":\"Somewhere 1\",\"postcode\":10115}",
        "{\"reference\":\"order-1\",\"ship_to\":\"Somewhere 1\",\"postcode\":\"10115!\"}",
        "{\"reference\":\"\",\"ship_to\":\"Somewhere 1\",\"postcode\":\"10115\"}",
        "{\"reference\":\"order-1\",\"ship_to\":\"\",\"postcode\":\"10115\"}",
        "{\"reference\":",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct test_reply r;
        post(&r, "/v1/shipments", NULL, bad[i]);
        cr_expect_eq(r.status, 400, "%s: %d %s", bad[i], r.status, r.body);
        test_reply_dispose(&r);
    }
    cr_expect_eq(bookings(), 0);
}

/* ---- idempotency ---- */

Test(booking_with_the_carrier, a_repeated_booking_gets_the_first_answer_and_books_nothing)
{
    struct test_reply first, again;
    post(&first, "/v1/shipments", "order-1-book", BERLIN);
    cr_assert_eq(first.status, 201, "%s", first.body);
    post(&again, "/v1/shipments", "order-1-book", BERLIN);
    cr_expect_eq(again.status, 201, "%s", again.body);
    cr_expect_str_eq(test_reply_string(&again, "id"), test_reply_string(&first, "id"));
    cr_expect_str_eq(test_reply_string(&again, "tracking"), test_reply_string(&first, "tracking"));
    cr_expect_eq(bookings(), 1, "the repeat booked nothing");
    cr_expect_eq(metric("shop_carrier_idempotent_replays_total"), 1);
    test_reply_dispose(&first);
    test_reply_dispose(&again);
}

Test(booking_with_the_carrier, a_refusal_is_repeated_too)
{
    struct test_reply first, again;
    post(&first, "/v1/shipments", "k-nowhere", NOWHERE);
    post(&again, "/v1/shipments", "k-nowhere", NOWHERE);
    cr_expect_eq(first.status, 422);
    cr_expect_eq(again.status, 422);
    cr_expect_str_eq(first.body, again.body);
    test_reply_dispose(&first);
    test_reply_dispose(&again);
}

Test(booking_with_the_carrier, a_key_reused_for_another_request_is_a_conflict)
{
    struct test_reply first, other, quote;
    post(&first, "/v1/shipments", "k-1", BERLIN);
    cr_assert_eq(first.status, 201);
    post(&other, "/v1/shipments", "k-1",
         "{\"reference\":\"order-9\",\"ship_to\":\"Elsewhere 2\",\"postcode\":\"20095\"}");
    cr_expect_eq(other.status, 409, "%s", other.body);
    post(&quote, "/v1/quotes", "k-1", "{\"postcode\":\"10115\",\"parcels\":1}");
    cr_expect_eq(quote.status, 409, "the same key on another route: %s", quote.body);
    cr_expect_eq(bookings(), 1);
    test_reply_dispose(&first);
    test_reply_dispose(&other);
    test_reply_dispose(&quote);
}

Test(booking_with_the_carrier, bookings_without_a_key_are_each_new)
{
    struct test_reply a, b;
    post(&a, "/v1/shipments", NULL, BERLIN);
    post(&b, "/v1/shipments", NULL, BERLIN);
    cr_expect_str_neq(test_reply_string(&a, "id"), test_reply_string(&b, "id"));
    cr_expect_eq(bookings(), 2);
    test_reply_dispose(&a);
    test_reply_dispose(&b);
}

/* ---- cancelling ---- */

Test(booking_with_the_carrier, a_booking_is_cancelled_and_cancelling_again_answers_the_same)
{
    struct test_reply booked, first, again, shown;
    char path[128];
    post(&booked, "/v1/shipments", "k-1", BERLIN);
    cr_assert_eq(booked.status, 201);
    snprintf(path, sizeof path, "/v1/shipments/%s/cancel", test_reply_string(&booked, "id"));
    post(&first, path, "k-cancel", NULL);
    cr_expect_eq(first.status, 200, "%s", first.body);
    cr_expect_str_eq(test_reply_string(&first, "status"), "cancelled");
    post(&again, path, NULL, NULL);
    cr_expect_eq(again.status, 200, "%s", again.body);
    cr_expect_str_eq(again.body, first.body);
    test_http(&shown, carrier.url, "GET", path, NULL); /* cancelling is a POST */
    cr_expect_eq(shown.status, 405);
    test_reply_dispose(&shown);
    snprintf(path, sizeof path, "/v1/shipments/%s", test_reply_string(&booked, "id"));
    test_http(&shown, carrier.url, "GET", path, NULL);
    cr_expect_str_eq(test_reply_string(&shown, "status"), "cancelled");
    cr_expect_eq(metric("shop_carrier_cancellations_total"), 1);
    test_reply_dispose(&booked);
    test_reply_dispose(&first);
    test_reply_dispose(&again);
    test_reply_dispose(&shown);
}

Test(booking_with_the_carrier, cancelling_an_unknown_shipment_is_not_found)
{
    struct test_reply r;
    post(&r, "/v1/shipments/shp_00000000deadbeef/cancel", NULL, NULL);
    cr_expect_eq(r.status, 404, "%s", r.body);
    test_reply_dispose(&r);
}

/* ---- faults ---- */

/* The statuses of n bookings against a carrier started with faults; bookings counted. */
static void statuses_with(int out[], int n, const struct service_faults *faults, long *booked)
{
    start_with(faults);
    for (int i = 0; i < n; i++) {
        struct test_reply r;
        post(&r, "/v1/shipments", NULL, BERLIN);
        out[i] = r.status;
        test_reply_dispose(&r);
    }
    *booked = bookings();
    stop();
}

Test(faults_of_the_carrier, the_same_seed_fails_the_same_requests)
{
    struct service_faults faults = {.error_rate = 0.5, .seed = 7, .seeded = true};
    int first[24], again[24], errors = 0, created = 0;
    long booked_first, booked_again;
    statuses_with(first, 24, &faults, &booked_first);
    statuses_with(again, 24, &faults, &booked_again);
    for (int i = 0; i < 24; i++) {
        cr_expect_eq(again[i], first[i], "request %d: %d then %d", i + 1, first[i], again[i]);
        cr_expect(first[i] == 201 || first[i] == 503, "request %d: %d", i + 1, first[i]);
        errors += first[i] == 503;
        created += first[i] == 201;
    }
    cr_expect(errors > 0 && created > 0, "a rate of 0.5 fails some: %d of 24", errors);
    cr_expect_eq(booked_first, created, "a failed request books nothing");
    cr_expect_eq(booked_again, created);
}

Test(faults_of_the_carrier, another_seed_fails_other_requests)
{
    struct service_faults seven = {.error_rate = 0.5, .seed = 7, .seeded = true};
    struct service_faults eight = {.error_rate = 0.5, .seed = 8, .seeded = true};
    int a[24], b[24];
    long booked;
    statuses_with(a, 24, &seven, &booked);
    statuses_with(b, 24, &eight, &booked);
    cr_expect(memcmp(a, b, sizeof a) != 0, "seeds 7 and 8 give the same 24 statuses");
}

Test(faults_of_the_carrier, an_injected_error_is_503_books_nothing_and_is_counted)
{
    struct service_faults always = {.error_rate = 1.0, .seed = 1, .seeded = true};
    start_with(&always);
    struct test_reply r;
    post(&r, "/v1/shipments", "k-1", BERLIN);
    cr_expect_eq(r.status, 503, "%s", r.body);
    cr_expect_str_eq(test_reply_string(&r, "type"), "/problems/unavailable");
    test_reply_dispose(&r);
    cr_expect_eq(metric("shop_carrier_injected_errors_total{kind=\"error\"}"), 1);
    cr_expect_eq(bookings(), 0);
    stop();
}

Test(faults_of_the_carrier, the_outage_window_answers_503_and_then_ends)
{
    struct service_faults outage = {.outage_from_s = 0, .outage_until_s = 0.6};
    start_with(&outage);
    struct test_reply r;
    post(&r, "/v1/shipments", "k-1", BERLIN);
    cr_expect_eq(r.status, 503, "inside the window: %s", r.body);
    test_reply_dispose(&r);
    cr_expect_eq(metric("shop_carrier_injected_errors_total{kind=\"outage\"}"), 1);
    nanosleep(&(struct timespec){0, 700000000L}, NULL);
    post(&r, "/v1/shipments", "k-1", BERLIN);
    cr_expect_eq(r.status, 201, "after the window, under the same key: %s", r.body);
    test_reply_dispose(&r);
    cr_expect_eq(bookings(), 1);
    stop();
}

Test(faults_of_the_carrier, a_client_that_waits_less_than_the_latency_gets_no_reply)
{
    struct service_faults slow = {.latency_ms = 400};
    start_with(&slow);
    struct http_header_pair key = {"Idempotency-Key", "k-slow"};
    struct http_request req = {.service = "carrier",
                               .base_url = carrier.url,
                               .method = "POST",
                               .path = "/v1/shipments",
                               .body = BERLIN,
                               .headers = &key,
                               .n_headers = 1,
                               .timeout_ms = 100};
    struct timespec t0, t1;
    cJSON *doc = NULL;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = http_call(&doc, &req);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    cr_expect_eq(rc, SHOP_EUNAVAILABLE, "%s", shop_error_message());
    cr_expect(strstr(shop_error_message(), "no reply within"), "%s", shop_error_message());
    double waited = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    cr_expect(waited < 0.35, "gave up after the client's 100 ms, not the 400 ms: %.3f s", waited);
    cJSON_Delete(doc);

    /* The carrier did book it, late: the retry under the same key gets that booking. */
    req.timeout_ms = 3000;
    rc = http_call(&doc, &req);
    cr_expect_eq(rc, 0, "%s", shop_error_message());
    cJSON_Delete(doc);
    cr_expect_eq(bookings(), 1, "the late request and its retry are one booking");
    stop();
}
