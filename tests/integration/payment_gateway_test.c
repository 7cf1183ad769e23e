/*
 * tests/integration/payment_gateway_test.c — the simulated payment gateway over real HTTP
 * (`shop serve payment-gateway`, started in this process on a port the kernel chooses).
 *
 * What the shop and its tests rely on: the test tokens, idempotency (a repeated request
 * returns the first answer and charges nothing twice; a key reused for another request is
 * refused), the capture / void / refund rules, and the fault plan (a seeded error rate
 * that repeats exactly, an outage window, added latency that makes a client time out).
 * The wire format is docs/contracts/payment-gateway.md.
 * Read next: infrastructure/simulators/payment_gateway.c, gateway_ledger.c.
 */
#include "domain/shared/error.h"
#include "infrastructure/http/http_client.h"
#include "tests/support/test_service.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct test_service gw;

static void start(const struct service_faults *faults)
{
    test_service_start(&gw, "payment-gateway", NULL, faults);
}

static void start_plain(void)
{
    start(NULL);
}

static void stop(void)
{
    test_service_stop(&gw);
}

/* One request with an optional Idempotency-Key; fails the test if no reply comes. */
static void call(struct test_reply *out, const char *method, const char *path, const char *key,
                 const char *body)
{
    struct http_header_pair header = {"Idempotency-Key", key};
    struct http_reply reply;
    struct http_request req = {.service = "payment-gateway",
                               .base_url = gw.url,
                               .method = method,
                               .path = path,
                               .body = body,
                               .headers = key ? &header : NULL,
                               .n_headers = key ? 1 : 0};
    int rc = http_send(&reply, &req);
    cr_assert_eq(rc, 0, "%s %s: %s", method, path, shop_error_message());
    out->status = reply.status;
    out->body = reply.body ? reply.body : calloc(1, 1);
    out->content_type = reply.content_type;
    out->json = cJSON_Parse(out->body);
}

static const char *error_code(const struct test_reply *r)
{
    const cJSON *e = r->json ? cJSON_GetObjectItemCaseSensitive(r->json, "error") : NULL;
    const cJSON *c = e ? cJSON_GetObjectItemCaseSensitive(e, "code") : NULL;
    return cJSON_IsString(c) ? c->valuestring : "";
}

static double number(const struct test_reply *r, const char *field)
{
    const cJSON *v = r->json ? cJSON_GetObjectItemCaseSensitive(r->json, field) : NULL;
    cr_assert(cJSON_IsNumber(v), "%s in %s", field, r->body);
    return v->valuedouble;
}

/* An authorized charge of 37.50 EUR; its id in id. */
static void authorize(char id[64], const char *key)
{
    struct test_reply r;
    call(&r, "POST", "/v1/charges", key,
         "{\"amount\": 3750, \"currency\": \"EUR\", \"source\": \"tok_visa\", \"capture\": false}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    snprintf(id, 64, "%s", test_reply_string(&r, "id"));
    test_reply_dispose(&r);
}

/* The value of a metric line that starts with `name{` (0 when absent). */
static unsigned long metric(const char *name, const char *labels_part)
{
    struct test_reply r;
    call(&r, "GET", "/metrics", NULL, NULL);
    cr_assert_eq(r.status, 200);
    unsigned long value = 0;
    for (char *line = strtok(r.body, "\n"); line; line = strtok(NULL, "\n")) {
        if (strncmp(line, name, strlen(name)) == 0 && line[strlen(name)] == '{' &&
            (!labels_part || strstr(line, labels_part))) {
            value = strtoul(strrchr(line, ' ') + 1, NULL, 10);
            break;
        }
    }
    test_reply_dispose(&r);
    return value;
}

static void path_of(char out[128], const char *id, const char *action)
{
    snprintf(out, 128, "/v1/charges/%s/%s", id, action);
}

/* ---- test tokens ---- */

TestSuite(charging_a_card, .init = start_plain, .fini = stop);

Test(charging_a_card, with_tok_visa_authorizes_the_amount)
{
    struct test_reply r;
    call(&r, "POST", "/v1/charges", NULL,
         "{\"amount\": 3750, \"currency\": \"EUR\", \"source\": \"tok_visa\", \"capture\": false}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert_eq(strncmp(test_reply_string(&r, "id"), "ch_", 3), 0, "%s", r.body);
    cr_assert_str_eq(test_reply_string(&r, "status"), "authorized");
    cr_assert_eq(number(&r, "amount"), 3750);
    cr_assert_str_eq(test_reply_string(&r, "currency"), "EUR");
    test_reply_dispose(&r);
    cr_assert_eq(metric("payment_gateway_charges_total", NULL), 1);
}

Test(charging_a_card, with_tok_chargeDeclined_is_declined_with_402)
{
    struct test_reply r;
    call(&r, "POST", "/v1/charges", NULL,
         "{\"amount\": 3750, \"currency\": \"EUR\", \"source\": \"tok_chargeDeclined\"}");
    cr_assert_eq(r.status, 402, "%s", r.body);
    cr_assert_str_eq(error_code(&r), "card_declined");
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(r.json, "error");
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(e, "message")->valuestring,
                     "Your card was declined.");
    test_reply_dispose(&r);
    cr_assert_eq(metric("payment_gateway_declines_total", NULL), 1);
    cr_assert_eq(metric("payment_gateway_charges_total", NULL), 0);
}

Test(charging_a_card, with_any_other_token_succeeds)
{
    struct test_reply r;
    call(&r, "POST", "/v1/charges", NULL,
         "{\"amount\": 100, \"currency\": \"USD\", \"source\": \"tok_mastercard_4444\"}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert_str_eq(test_reply_string(&r, "status"), "captured", "capture defaults to true");
    test_reply_dispose(&r);
}

Test(charging_a_card, is_refused_with_400_for_bad_fields)
{
    static const char *const bodies[] = {
        "{\"amount\": 0, \"currency\": \"EUR\", \"source\": \"tok_visa\"}",
        "{\"amount\": 12.5, \"currency\": \"EUR\", \"source\": \"tok_visa\"}",
        "{\"amount\": \"3750\", \"currency\": \"EUR\", \"source\": \"tok_visa\"}",
        "{\"amount\": 3750, \"currency\": \"eur\", \"source\": \"tok_visa\"}",
        "{\"amount\": 3750, \"currency\": \"EUR\"}",
        "{\"amount\": 3750, \"currency\": \"EUR\", \"source\": \"tok_visa\", \"capture\": 1}",
        "[1]",
        "{\"amount\": 3750,",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        struct test_reply r;
        call(&r, "POST", "/v1/charges", "k", bodies[i]);
        cr_assert_eq(r.status, 400, "%s -> %d %s", bodies[i], r.status, r.body);
        test_reply_dispose(&r);
    }
    cr_assert_eq(metric("payment_gateway_charges_total", NULL), 0);
}

/* ---- idempotency ---- */

TestSuite(idempotency_keys, .init = start_plain, .fini = stop);

Test(idempotency_keys, make_a_repeated_charge_return_the_first_answer_and_charge_once)
{
    const char *body =
        "{\"amount\": 3750, \"currency\": \"EUR\", \"source\": \"tok_visa\", \"capture\": false}";
    struct test_reply first, again;
    call(&first, "POST", "/v1/charges", "order-1:authorize", body);
    call(&again, "POST", "/v1/charges", "order-1:authorize",
         "{\"capture\": false, \"source\": \"tok_visa\", \"currency\": \"EUR\", \"amount\": 3750}");
    cr_assert_eq(first.status, 200);
    cr_assert_eq(again.status, 200, "%s", again.body);
    cr_assert_str_eq(test_reply_string(&again, "id"), test_reply_string(&first, "id"));
    cr_assert_str_eq(again.body, first.body, "the same answer, byte for byte");
    test_reply_dispose(&first);
    test_reply_dispose(&again);
    cr_assert_eq(metric("payment_gateway_charges_total", NULL), 1, "charged once");
    cr_assert_eq(metric("payment_gateway_idempotent_replays_total", NULL), 1);
}

Test(idempotency_keys, repeat_a_decline_as_a_decline)
{
    const char *body =
        "{\"amount\": 3750, \"currency\": \"EUR\", \"source\": \"tok_chargeDeclined\"}";
    struct test_reply first, again;
    call(&first, "POST", "/v1/charges", "k-declined", body);
    call(&again, "POST", "/v1/charges", "k-declined", body);
    cr_assert_eq(first.status, 402);
    cr_assert_eq(again.status, 402);
    cr_assert_str_eq(again.body, first.body);
    test_reply_dispose(&first);
    test_reply_dispose(&again);
    cr_assert_eq(metric("payment_gateway_declines_total", NULL), 1);
}

Test(idempotency_keys, reused_with_a_different_body_are_refused_with_409)
{
    char id[64];
    authorize(id, "k-reused");
    struct test_reply r;
    call(&r, "POST", "/v1/charges", "k-reused",
         "{\"amount\": 9999, \"currency\": \"EUR\", \"source\": \"tok_visa\", \"capture\": false}");
    cr_assert_eq(r.status, 409, "%s", r.body);
    cr_assert_str_eq(error_code(&r), "idempotency_key_in_use");
    test_reply_dispose(&r);
    cr_assert_eq(metric("payment_gateway_charges_total", NULL), 1,
                 "the second body charged nothing");
}

Test(idempotency_keys, reused_for_another_operation_are_refused_with_409)
{
    char id[64], path[128];
    authorize(id, "k-op");
    path_of(path, id, "capture");
    struct test_reply r;
    call(&r, "POST", path, "k-op", NULL);
    cr_assert_eq(r.status, 409, "%s", r.body);
    test_reply_dispose(&r);
    cr_assert_eq(metric("payment_gateway_captures_total", NULL), 0);
}

Test(idempotency_keys, are_not_needed_for_distinct_charges)
{
    char a[64], b[64];
    authorize(a, NULL);
    authorize(b, NULL);
    cr_assert_str_neq(a, b);
    cr_assert_eq(metric("payment_gateway_charges_total", NULL), 2);
}

/* ---- capture, void, refund ---- */

TestSuite(capturing_and_voiding, .init = start_plain, .fini = stop);

static int post_status(const char *path, const char *key, const char *body, char *status_out)
{
    struct test_reply r;
    call(&r, "POST", path, key, body);
    int status = r.status;
    if (status_out)
        snprintf(status_out, 32, "%s",
                 status == 200 ? test_reply_string(&r, "status") : error_code(&r));
    test_reply_dispose(&r);
    return status;
}

Test(capturing_and_voiding, a_capture_captures_the_charge)
{
    char id[64], path[128], state[32];
    authorize(id, NULL);
    path_of(path, id, "capture");
    cr_assert_eq(post_status(path, NULL, NULL, state), 200);
    cr_assert_str_eq(state, "captured");
}

Test(capturing_and_voiding, a_second_capture_gives_the_same_answer_and_captures_nothing_more)
{
    char id[64], path[128], state[32];
    authorize(id, NULL);
    path_of(path, id, "capture");
    cr_assert_eq(post_status(path, "cap-1", NULL, state), 200);
    cr_assert_eq(post_status(path, "cap-2", NULL, state), 200);
    cr_assert_str_eq(state, "captured");
    cr_assert_eq(metric("payment_gateway_captures_total", NULL), 1);
}

Test(capturing_and_voiding, a_capture_after_a_void_is_refused_with_409)
{
    char id[64], path[128], state[32];
    authorize(id, NULL);
    path_of(path, id, "void");
    cr_assert_eq(post_status(path, NULL, NULL, state), 200);
    cr_assert_str_eq(state, "voided");
    path_of(path, id, "capture");
    cr_assert_eq(post_status(path, NULL, NULL, state), 409);
    cr_assert_str_eq(state, "charge_voided");
}

Test(capturing_and_voiding, a_void_after_a_capture_is_refused_with_409)
{
    char id[64], path[128], state[32];
    authorize(id, NULL);
    path_of(path, id, "capture");
    cr_assert_eq(post_status(path, NULL, NULL, NULL), 200);
    path_of(path, id, "void");
    cr_assert_eq(post_status(path, NULL, NULL, state), 409);
    cr_assert_str_eq(state, "charge_captured");
}

Test(capturing_and_voiding, an_unknown_charge_is_404)
{
    char state[32];
    cr_assert_eq(post_status("/v1/charges/ch_nope/capture", NULL, NULL, state), 404);
    cr_assert_str_eq(state, "resource_missing");
    struct test_reply r;
    call(&r, "GET", "/v1/charges/ch_nope", NULL, NULL);
    cr_assert_eq(r.status, 404);
    test_reply_dispose(&r);
}

TestSuite(refunding, .init = start_plain, .fini = stop);

static void refund_body(char out[160], const char *id, int amount)
{
    snprintf(out, 160, "{\"charge\": \"%s\", \"amount\": %d}", id, amount);
}

Test(refunding, up_to_the_captured_amount_succeeds_in_parts)
{
    char id[64], path[128], body[160], state[32];
    authorize(id, NULL);
    path_of(path, id, "capture");
    cr_assert_eq(post_status(path, NULL, NULL, NULL), 200);
    refund_body(body, id, 1000);
    struct test_reply r;
    call(&r, "POST", "/v1/refunds", "re-1", body);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert_eq(strncmp(test_reply_string(&r, "id"), "re_", 3), 0);
    cr_assert_str_eq(test_reply_string(&r, "status"), "succeeded");
    cr_assert_str_eq(test_reply_string(&r, "charge"), id);
    test_reply_dispose(&r);
    refund_body(body, id, 2750);
    cr_assert_eq(post_status("/v1/refunds", "re-2", body, state), 200);
    call(&r, "GET", path, NULL, NULL); /* path is .../capture: not a GET route */
    cr_assert_eq(r.status, 405);
    test_reply_dispose(&r);
    snprintf(path, sizeof path, "/v1/charges/%s", id);
    call(&r, "GET", path, NULL, NULL);
    cr_assert_eq(number(&r, "amount_refunded"), 3750);
    test_reply_dispose(&r);
}

Test(refunding, beyond_the_captured_amount_is_refused_with_400)
{
    char id[64], path[128], body[160], state[32];
    authorize(id, NULL);
    path_of(path, id, "capture");
    cr_assert_eq(post_status(path, NULL, NULL, NULL), 200);
    refund_body(body, id, 3000);
    cr_assert_eq(post_status("/v1/refunds", NULL, body, NULL), 200);
    refund_body(body, id, 751);
    cr_assert_eq(post_status("/v1/refunds", NULL, body, state), 400);
    cr_assert_str_eq(state, "amount_too_large");
    cr_assert_eq(metric("payment_gateway_refunds_total", NULL), 1);
}

Test(refunding, a_repeated_refund_with_the_same_key_refunds_once)
{
    char id[64], path[128], body[160];
    authorize(id, NULL);
    path_of(path, id, "capture");
    cr_assert_eq(post_status(path, NULL, NULL, NULL), 200);
    refund_body(body, id, 3750);
    cr_assert_eq(post_status("/v1/refunds", "once", body, NULL), 200);
    cr_assert_eq(post_status("/v1/refunds", "once", body, NULL), 200);
    cr_assert_eq(metric("payment_gateway_refunds_total", NULL), 1);
}

Test(refunding, an_uncaptured_charge_is_refused_with_409)
{
    char id[64], body[160], state[32];
    authorize(id, NULL);
    refund_body(body, id, 100);
    cr_assert_eq(post_status("/v1/refunds", NULL, body, state), 409);
    cr_assert_str_eq(state, "charge_not_captured");
}

/* ---- faults ---- */

#define DRAWS 200

/* The statuses of DRAWS charges on a gateway started with faults, as a string of 0/1. */
static void error_pattern(char out[DRAWS + 1], const struct service_faults *faults)
{
    start(faults);
    for (int i = 0; i < DRAWS; i++) {
        struct test_reply r;
        call(&r, "POST", "/v1/charges", NULL,
             "{\"amount\": 100, \"currency\": \"EUR\", \"source\": \"tok_visa\"}");
        cr_assert(r.status == 200 || r.status == 503, "%d %s", r.status, r.body);
        if (r.status == 503)
            cr_assert_str_eq(r.content_type, "application/problem+json");
        out[i] = r.status == 503 ? '1' : '0';
        test_reply_dispose(&r);
    }
    out[DRAWS] = '\0';
    stop();
}

Test(injected_errors, repeat_exactly_for_the_same_seed_and_honour_the_rate)
{
    struct service_faults faults = {.error_rate = 0.25, .seed = 7, .seeded = true};
    char first[DRAWS + 1], second[DRAWS + 1], other[DRAWS + 1];
    error_pattern(first, &faults);
    error_pattern(second, &faults);
    cr_assert_str_eq(first, second, "same seed, same sequence of 503s");
    int errors = 0;
    for (int i = 0; i < DRAWS; i++)
        errors += first[i] == '1';
    /* 25% of 200 is 50; a binomial's standard deviation is about 6 */
    cr_assert(errors >= 25 && errors <= 75, "%d of %d requests failed", errors, DRAWS);
    faults.seed = 8;
    error_pattern(other, &faults);
    cr_assert_str_neq(first, other, "another seed, another sequence");
}

Test(injected_errors, change_nothing_and_are_counted)
{
    struct service_faults faults = {.error_rate = 1.0, .seed = 1, .seeded = true};
    start(&faults);
    char state[32];
    cr_assert_eq(post_status("/v1/charges", "k",
                             "{\"amount\": 100, \"currency\": \"EUR\", \"source\": \"tok_visa\"}",
                             state),
                 503);
    cr_assert_eq(metric("payment_gateway_charges_total", NULL), 0);
    cr_assert_eq(metric("payment_gateway_injected_errors_total", "kind=\"error\""), 1);
    stop();
}

Test(an_outage, answers_503_inside_the_window_and_200_after_it)
{
    struct service_faults faults = {.outage_from_s = 0, .outage_until_s = 0.6};
    start(&faults);
    char state[32];
    const char *body = "{\"amount\": 100, \"currency\": \"EUR\", \"source\": \"tok_visa\"}";
    cr_assert_eq(post_status("/v1/charges", "same-key", body, state), 503);
    struct timespec rest = {.tv_sec = 0, .tv_nsec = 700 * 1000000L};
    nanosleep(&rest, NULL);
    cr_assert_eq(post_status("/v1/charges", "same-key", body, state), 200,
                 "a key whose request was faulted is still free");
    cr_assert_eq(metric("payment_gateway_injected_errors_total", "kind=\"outage\""), 1);
    stop();
}

Test(added_latency, makes_a_client_with_a_shorter_timeout_give_up)
{
    struct service_faults faults = {.latency_ms = 400};
    start(&faults);
    struct http_reply reply;
    struct http_request req = {.service = "payment-gateway",
                               .base_url = gw.url,
                               .method = "GET",
                               .path = "/v1/charges/ch_x",
                               .timeout_ms = 100};
    int rc = http_send(&reply, &req);
    cr_assert_eq(rc, SHOP_EUNAVAILABLE);
    cr_assert(strstr(shop_error_message(), "no reply within 100 ms"), "%s", shop_error_message());
    req.timeout_ms = 3000;
    rc = http_send(&reply, &req);
    cr_assert_eq(rc, 0, "%s", shop_error_message());
    cr_assert_eq(reply.status, 404, "a patient client gets the answer");
    http_reply_dispose(&reply);
    stop();
}
