/*
 * infrastructure/simulators/payment_gateway.c — the simulated payment gateway's HTTP side
 * (see payment_gateway.h): JSON in, a gateway_ledger call, JSON out, with the fault plan
 * applied first.
 *
 * Pattern: a simulated external system.  Every /v1 handler goes through the same steps:
 *   1. faults: sleep the added latency; an injected error or an outage answers 503 and
 *      stops here, so a faulted request changes nothing and uses no idempotency key;
 *   2. read the request (Stripe-style 400 invalid_request for a wrong field);
 *   3. the ledger decides, under the request's Idempotency-Key;
 *   4. the result is written as Stripe writes it: the object, or {"error": {...}}.
 * Read next: gateway_ledger.c (the rules), infrastructure/payments/payment_gateway_http.c
 * (the shop's client of this service).
 */
#include "infrastructure/simulators/payment_gateway.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "infrastructure/simulators/faults.h"
#include "infrastructure/simulators/gateway_ledger.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct gateway_sim {
    struct gw_ledger *ledger;
    struct fault_injector faults;
};

/* ---- faults ---- */

static void sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) /* interrupted: sleep the rest */
        ;
}

/* Step 1: true when the request was answered 503 by the fault plan. */
static bool faulted(struct http_exchange *x, struct gateway_sim *gw)
{
    int delay_ms = 0;
    enum fault_verdict verdict = fault_injector_next(&gw->faults, fault_now_s(), &delay_ms);
    if (delay_ms > 0)
        sleep_ms(delay_ms);
    switch (verdict) {
    case FAULT_NONE: return false;
    case FAULT_ERROR:
        http_reply_problem(x, 503, "unavailable", "payment gateway: injected error (--error-rate)");
        return true;
    case FAULT_OUTAGE:
        http_reply_problem(x, 503, "unavailable", "payment gateway: outage (--outage)");
        return true;
    }
    return false;
}

/* ---- replies ---- */

static const char *error_type(const struct gw_result *r)
{
    if (r->status == 402)
        return "card_error";
    if (strcmp(r->code, "idempotency_key_in_use") == 0)
        return "idempotency_error";
    return "invalid_request_error";
}

static void reply(struct http_exchange *x, const struct gw_result *r)
{
    cJSON *doc = cJSON_CreateObject();
    if (r->replayed)
        http_reply_header(x, "Idempotent-Replayed", "true");
    if (r->status != 200) {
        cJSON *error = cJSON_AddObjectToObject(doc, "error");
        cJSON_AddStringToObject(error, "type", error_type(r));
        cJSON_AddStringToObject(error, "code", r->code);
        cJSON_AddStringToObject(error, "message", r->message);
        http_reply_json(x, r->status, doc);
        return;
    }
    cJSON_AddStringToObject(doc, "id", r->id);
    cJSON_AddStringToObject(doc, "object", r->object);
    cJSON_AddStringToObject(doc, "status", r->state);
    cJSON_AddNumberToObject(doc, "amount", (double)r->amount);
    cJSON_AddStringToObject(doc, "currency", r->currency);
    if (strcmp(r->object, "charge") == 0) {
        cJSON_AddBoolToObject(doc, "captured", strcmp(r->state, "captured") == 0);
        cJSON_AddNumberToObject(doc, "amount_refunded", (double)r->amount_refunded);
    } else {
        cJSON_AddStringToObject(doc, "charge", r->charge);
    }
    http_reply_json(x, 200, doc);
}

/* ---- reading requests (Stripe-style 400s) ---- */

static bool read_amount(struct gw_result *out, const cJSON *body, int64_t *amount)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, "amount");
    if (!cJSON_IsNumber(v) || v->valuedouble != v->valuedouble || v->valuedouble < 1 ||
        v->valuedouble > (double)GW_AMOUNT_MAX ||
        (double)(int64_t)v->valuedouble != v->valuedouble) {
        gw_result_invalid(out, "amount: must be an integer number of minor units, 1-99999999");
        return false;
    }
    *amount = (int64_t)v->valuedouble;
    return true;
}

static bool read_string(struct gw_result *out, const cJSON *body, const char *field,
                        const char **value)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, field);
    if (!cJSON_IsString(v) || !*v->valuestring) {
        char message[64];
        snprintf(message, sizeof message, "%s: must be a non-empty string", field);
        gw_result_invalid(out, message);
        return false;
    }
    *value = v->valuestring;
    return true;
}

static const char *idempotency_key(struct http_exchange *x)
{
    return http_header(x, "Idempotency-Key");
}

/* ---- handlers ---- */

static void create_charge(struct http_exchange *x, void *ctx)
{
    struct gateway_sim *gw = ctx;
    struct gw_result r;
    const cJSON *body;
    const char *currency, *source;
    int64_t amount;
    bool capture = true;

    if (faulted(x, gw) || http_json_body(x, &body) < 0)
        return;
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(body, "capture");
    if (c && !cJSON_IsBool(c))
        gw_result_invalid(&r, "capture: must be true or false");
    else if (read_amount(&r, body, &amount) && read_string(&r, body, "currency", &currency) &&
             read_string(&r, body, "source", &source)) {
        capture = !c || cJSON_IsTrue(c);
        gw_ledger_charge(gw->ledger, &r, idempotency_key(x), amount, currency, source, capture);
    }
    reply(x, &r);
}

static void get_charge(struct http_exchange *x, void *ctx)
{
    struct gateway_sim *gw = ctx;
    struct gw_result r;
    if (faulted(x, gw))
        return;
    gw_ledger_get(gw->ledger, &r, http_param(x, "id"));
    reply(x, &r);
}

static void capture_charge(struct http_exchange *x, void *ctx)
{
    struct gateway_sim *gw = ctx;
    struct gw_result r;
    if (faulted(x, gw))
        return;
    gw_ledger_capture(gw->ledger, &r, idempotency_key(x), http_param(x, "id"));
    reply(x, &r);
}

static void void_charge(struct http_exchange *x, void *ctx)
{
    struct gateway_sim *gw = ctx;
    struct gw_result r;
    if (faulted(x, gw))
        return;
    gw_ledger_void(gw->ledger, &r, idempotency_key(x), http_param(x, "id"));
    reply(x, &r);
}

static void create_refund(struct http_exchange *x, void *ctx)
{
    struct gateway_sim *gw = ctx;
    struct gw_result r;
    const cJSON *body;
    const char *charge;
    int64_t amount;

    if (faulted(x, gw) || http_json_body(x, &body) < 0)
        return;
    if (read_string(&r, body, "charge", &charge) && read_amount(&r, body, &amount))
        gw_ledger_refund(gw->ledger, &r, idempotency_key(x), charge, amount);
    reply(x, &r);
}

static const struct http_route routes[] = {
    {"POST", "/v1/charges", create_charge},
    {"GET", "/v1/charges/{id}", get_charge},
    {"POST", "/v1/charges/{id}/capture", capture_charge},
    {"POST", "/v1/charges/{id}/void", void_charge},
    {"POST", "/v1/refunds", create_refund},
};

/* ---- health and metrics ---- */

static bool health(void *ctx, cJSON *doc)
{
    struct gateway_sim *gw = ctx;
    cJSON *f = cJSON_AddObjectToObject(doc, "faults");
    cJSON_AddNumberToObject(f, "latency_ms", gw->faults.plan.latency_ms);
    cJSON_AddNumberToObject(f, "error_rate", gw->faults.plan.error_rate);
    cJSON_AddNumberToObject(f, "outage_from_s", gw->faults.plan.outage_from_s);
    cJSON_AddNumberToObject(f, "outage_until_s", gw->faults.plan.outage_until_s);
    return true;
}

static void counter(FILE *out, const char *name, const char *help, const char *labels,
                    unsigned long value)
{
    fprintf(out, "# HELP %s %s\n# TYPE %s counter\n%s{service=\"payment-gateway\"%s} %lu\n", name,
            help, name, name, labels, value);
}

static void metrics(void *ctx, FILE *out)
{
    struct gateway_sim *gw = ctx;
    const struct gw_counters *c = gw_ledger_counters(gw->ledger);
    counter(out, "payment_gateway_charges_total", "Charges approved.", "", c->charges);
    counter(out, "payment_gateway_declines_total", "Charges declined.", "", c->declines);
    counter(out, "payment_gateway_captures_total", "Charges captured.", "", c->captures);
    counter(out, "payment_gateway_voids_total", "Charges voided.", "", c->voids);
    counter(out, "payment_gateway_refunds_total", "Refunds made.", "", c->refunds);
    counter(out, "payment_gateway_idempotent_replays_total",
            "Answers repeated for an Idempotency-Key.", "", c->replays);
    counter(out, "payment_gateway_idempotency_conflicts_total",
            "Requests refused for reusing a key with other parameters.", "", c->key_conflicts);
    fprintf(out, "# HELP payment_gateway_injected_errors_total Requests answered 503 by the "
                 "fault plan.\n# TYPE payment_gateway_injected_errors_total counter\n");
    fprintf(out,
            "payment_gateway_injected_errors_total{service=\"payment-gateway\",kind=\"error\"} "
            "%lu\n",
            gw->faults.injected_errors);
    fprintf(out,
            "payment_gateway_injected_errors_total{service=\"payment-gateway\",kind=\"outage\"} "
            "%lu\n",
            gw->faults.outage_errors);
}

/* ---- the service ---- */

int payment_gateway_open(struct service_instance *out, struct service_env *env)
{
    struct gateway_sim *gw = shop_xcalloc(1, sizeof *gw);
    static const struct service_faults none = {0};
    const struct service_faults *plan = env->faults ? env->faults : &none;

    fault_injector_init(&gw->faults, plan, fault_now_s());
    gw->ledger = gw_ledger_new(plan->seeded ? (uint64_t)plan->seed
                                            : (uint64_t)time(NULL) ^ (uint64_t)getpid() << 32);
    *out = (struct service_instance){.routes = routes,
                                     .route_count = sizeof routes / sizeof routes[0],
                                     .ctx = gw,
                                     .health = health,
                                     .metrics = metrics};
    return 0;
}

void payment_gateway_close(void *ctx)
{
    struct gateway_sim *gw = ctx;
    if (!gw)
        return;
    gw_ledger_free(gw->ledger);
    free(gw);
}
