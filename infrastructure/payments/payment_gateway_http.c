/*
 * infrastructure/payments/payment_gateway_http.c — the payment gateway port over HTTP (a
 * driven adapter; anti-corruption layer between the shop's Money and the gateway's wire
 * format, docs/contracts/payment-gateway.md).
 *
 * Each call goes through the process's protection of the dependency "payment-gateway"
 * (infrastructure/resilience/dependency.h): bulkhead -> circuit breaker -> retry ->
 * deadline (resilient_call.h).  The call's deadline is the client's timeout; each attempt
 * is one synchronous request given the time that is left (http_client.h).  Only a call
 * with an idempotency key is retried: the gateway answers a repeated key with its first
 * answer, so a retry after a lost answer never charges twice; a call without one is made
 * once.  The breaker hears of the gateway's health only: a 5xx, no answer or an answer
 * outside the contract is a failure; a decline (402) or any other answer of the
 * contract is a success (a gateway that says no promptly is healthy).  A request this
 * side refuses (a charge id too long) never reaches the protection at all.
 *
 * The answer is read into the gateway's own terms (struct gw_result: status, id, error
 * code and message) and turned into the port's result by gw_result_error, the mapping
 * the in-memory twin uses, so both adapters report the same refusal with the same code.
 * An answer that is not what the contract promises (a 200 without an id, a body that is
 * not JSON) is SHOP_EINTERNAL naming what was wrong; a 5xx or no answer is
 * SHOP_EUNAVAILABLE, and so is a call the breaker refuses ("circuit breaker
 * payment-gateway is open") or the bulkhead turns away.
 * Read next: infrastructure/simulators/payment_gateway.c (the other side).
 */
#include "infrastructure/payments/payment_gateway_http.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "infrastructure/http/http_client.h"
#include "infrastructure/resilience/dependency.h"
#include "infrastructure/service/service.h"
#include "infrastructure/simulators/gateway_ledger.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct payment_gateway_http {
    struct payment_gateway base; /* first: the port */
    char url[SERVICE_URL_MAX];
    int timeout_ms;                 /* the deadline of one call, its retries included */
    const struct resilience *guard; /* the process's, for "payment-gateway" */
};

static void copy_member(char *out, size_t size, const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    snprintf(out, size, "%s", cJSON_IsString(v) ? v->valuestring : "");
}

/*
 * Sends one request and reads the gateway's answer into *out.  0 when the gateway
 * answered in its own terms (any status of the contract), SHOP_EUNAVAILABLE when it did
 * not answer or answered 5xx, SHOP_EINTERNAL for an answer outside the contract.
 */
static int exchange(struct gw_result *out, struct payment_gateway_http *g, const char *method,
                    const char *path, const char *body, const char *key, int timeout_ms)
{
    struct http_header_pair header = {"Idempotency-Key", key};
    struct http_request req = {.service = "payment-gateway",
                               .base_url = g->url,
                               .method = method,
                               .path = path,
                               .body = body,
                               .headers = key ? &header : NULL,
                               .n_headers = key ? 1 : 0,
                               .timeout_ms = timeout_ms};
    struct http_reply reply;
    cJSON *doc = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = http_send(&reply, &req)) < 0)
        return rc; /* "payment-gateway at ...: no reply within ... ms", refused, reset */
    doc = reply.body ? cJSON_Parse(reply.body) : NULL;
    if (reply.status >= 500) {
        const cJSON *detail = doc ? cJSON_GetObjectItemCaseSensitive(doc, "detail") : NULL;
        rc = shop_error_set(SHOP_EUNAVAILABLE, "payment gateway answered %d: %s", reply.status,
                            cJSON_IsString(detail) ? detail->valuestring : "no detail");
        goto done;
    }
    if (!cJSON_IsObject(doc)) {
        rc = shop_error_set(SHOP_EINTERNAL, "payment gateway answered %d without a JSON object",
                            reply.status);
        goto done;
    }
    out->status = reply.status;
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(doc, "error");
    const cJSON *detail = cJSON_GetObjectItemCaseSensitive(doc, "detail");
    if (reply.status == 200) {
        copy_member(out->id, sizeof out->id, doc, "id");
        copy_member(out->state, sizeof out->state, doc, "status");
        if (!*out->id || !*out->state)
            rc = shop_error_set(SHOP_EINTERNAL,
                                "payment gateway answered 200 without id and status");
    } else if (cJSON_IsObject(error)) {
        copy_member(out->code, sizeof out->code, error, "code");
        copy_member(out->message, sizeof out->message, error, "message");
    } else if (cJSON_IsString(detail)) { /* a problem+json of the transport: 400, 404, 413 */
        snprintf(out->code, sizeof out->code, "http_%d", reply.status);
        snprintf(out->message, sizeof out->message, "%s", detail->valuestring);
    } else {
        rc = shop_error_set(SHOP_EINTERNAL, "payment gateway answered %d without an error",
                            reply.status);
    }

done:
    cJSON_Delete(doc);
    http_reply_dispose(&reply);
    return rc;
}

static struct payment_gateway_http *http_of(struct payment_gateway *g)
{
    return (struct payment_gateway_http *)g;
}

/* One call: what every attempt sends, and where its answer goes. */
struct gw_call {
    struct payment_gateway_http *g;
    const char *method, *path, *body, *key;
    struct gw_result *result;
};

/* One attempt, given the time left before the call's deadline. */
static int attempt(void *ctx, const struct deadline *d)
{
    struct gw_call *c = ctx;
    int64_t left_ms = (deadline_remaining_us(d) + 999) / 1000;
    int timeout_ms = left_ms < c->g->timeout_ms ? (int)left_ms : c->g->timeout_ms;
    return exchange(c->result, c->g, c->method, c->path, c->body, c->key,
                    timeout_ms > 0 ? timeout_ms : 1);
}

/*
 * Sends the request through the protection: retried only with a key (idempotent), the
 * whole bounded by the client's timeout.  Results as exchange(), or SHOP_EUNAVAILABLE
 * when the bulkhead or the breaker refused it.
 */
static int call(struct gw_result *out, struct payment_gateway_http *g, const char *method,
                const char *path, const char *body, const char *key)
{
    struct gw_call c = {g, method, path, body, key, out};
    struct resilience r = *g->guard;
    r.timeout_us = (int64_t)g->timeout_ms * 1000;
    memset(out, 0, sizeof *out);
    return resilient_call(&r, key && *key ? RETRY_IDEMPOTENT : RETRY_NOT_IDEMPOTENT, NULL, attempt,
                          &c);
}

static int charge_path(char out[160], const char *charge_id, const char *action)
{
    if (!charge_id || !*charge_id || strlen(charge_id) > GW_ID_MAX)
        return shop_error_set(SHOP_EINVALID, "a charge id of 1-%d characters is needed", GW_ID_MAX);
    char *escaped = http_escape(charge_id);
    snprintf(out, 160, "/v1/charges/%s/%s", escaped, action);
    free(escaped);
    return 0;
}

static int http_authorize(struct payment_gateway *self, struct gateway_authorization *out,
                          money amount, const char *card, const char *key)
{
    struct gw_result r;
    memset(out, 0, sizeof *out);
    if (!amount.currency)
        return shop_error_set(SHOP_EINVALID, "amount: has no currency");
    cJSON *body = cJSON_CreateObject();
    cJSON_AddNumberToObject(body, "amount", (double)amount.minor);
    cJSON_AddStringToObject(body, "currency", amount.currency->code);
    cJSON_AddStringToObject(body, "source", card ? card : "");
    cJSON_AddFalseToObject(body, "capture");
    char *text = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    if (!text)
        shop_out_of_memory();
    int rc = call(&r, http_of(self), "POST", "/v1/charges", text, key);
    free(text);
    if (rc < 0 || (rc = gw_result_error(&r)) < 0)
        return rc;
    out->approved = r.status == 200;
    if (out->approved)
        snprintf(out->charge_id, sizeof out->charge_id, "%s", r.id);
    else
        snprintf(out->decline_reason, sizeof out->decline_reason, "%s",
                 *r.code ? r.code : "declined");
    return 0;
}

static int charge_action(struct payment_gateway *self, const char *charge_id, const char *key,
                         const char *action)
{
    struct gw_result r;
    char path[160];
    int rc = charge_path(path, charge_id, action);
    if (rc < 0 || (rc = call(&r, http_of(self), "POST", path, NULL, key)) < 0)
        return rc;
    return gw_result_error(&r);
}

static int http_capture(struct payment_gateway *self, const char *charge_id, const char *key)
{
    return charge_action(self, charge_id, key, "capture");
}

static int http_void(struct payment_gateway *self, const char *charge_id, const char *key)
{
    return charge_action(self, charge_id, key, "void");
}

static int http_refund(struct payment_gateway *self, char out[PAYMENT_GATEWAY_ID_MAX + 1],
                       const char *charge_id, money amount, const char *key)
{
    struct gw_result r;
    out[0] = '\0';
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "charge", charge_id ? charge_id : "");
    cJSON_AddNumberToObject(body, "amount", (double)amount.minor);
    char *text = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    if (!text)
        shop_out_of_memory();
    int rc = call(&r, http_of(self), "POST", "/v1/refunds", text, key);
    free(text);
    if (rc < 0 || (rc = gw_result_error(&r)) < 0)
        return rc;
    snprintf(out, PAYMENT_GATEWAY_ID_MAX + 1, "%s", r.id);
    return 0;
}

static void http_free(struct payment_gateway *self)
{
    free(self);
}

int payment_gateway_http_new(struct payment_gateway **out, const char *base_url, int timeout_ms)
{
    char url[SERVICE_URL_MAX];
    *out = NULL;
    if (!base_url) {
        int rc = service_url(url, "payment-gateway", NULL);
        if (rc < 0)
            return rc;
        base_url = url;
    }
    if (strlen(base_url) >= SERVICE_URL_MAX)
        return shop_error_set(SHOP_EINVALID, "payment gateway URL is too long");
    const struct resilience *guard;
    int rc = dependency_resilience(&guard, "payment-gateway");
    if (rc < 0)
        return rc;
    struct payment_gateway_http *g = shop_xcalloc(1, sizeof *g);
    g->guard = guard;
    g->base = (struct payment_gateway){.version = PAYMENT_GATEWAY_VERSION,
                                       .authorize = http_authorize,
                                       .capture = http_capture,
                                       .void_charge = http_void,
                                       .refund = http_refund,
                                       .free = http_free};
    snprintf(g->url, sizeof g->url, "%s", base_url);
    g->timeout_ms = timeout_ms > 0 ? timeout_ms : PAYMENT_GATEWAY_HTTP_TIMEOUT_MS;
    *out = &g->base;
    return 0;
}
