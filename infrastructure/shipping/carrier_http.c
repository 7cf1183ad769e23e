/*
 * infrastructure/shipping/carrier_http.c — the carrier port over HTTP (a driven adapter
 * to an external system, through infrastructure/http/http_client.h).
 *
 *   book    POST /v1/shipments              Idempotency-Key: <key>
 *           201 {"id","tracking"}                  -> CARRIER_BOOKED
 *           422 type "/problems/undeliverable"     -> CARRIER_UNDELIVERABLE (an answer)
 *   cancel  POST /v1/shipments/{id}/cancel  Idempotency-Key: <key>
 *           200                                    -> 0 (also when cancelled before)
 * Any other answer becomes its SHOP_E* code (http_problem.h) with the carrier's detail;
 * no answer within the timeout is SHOP_EUNAVAILABLE "carrier at HOST:PORT: no reply
 * within N ms".
 *
 * Each call goes through the process's protection of the dependency "carrier"
 * (infrastructure/resilience/dependency.h): bulkhead -> circuit breaker -> retry ->
 * deadline.  Every call carries its key, so every call may be retried: the carrier
 * answers a repeated key with its first answer and books nothing twice.  The retries
 * stay inside the client's timeout (the call's deadline; each attempt gets the time
 * left).  For the breaker, a 5xx or no answer is a failure; a booking, an
 * undeliverable address (422) or any other answer of the contract is a success.  A
 * malformed key is refused before the protection sees the call.
 * Read next: docs/contracts/carrier.md, infrastructure/simulators/carrier.c
 */
#include "infrastructure/shipping/carrier_http.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "domain/shared/text.h"
#include "infrastructure/http/http_client.h"
#include "infrastructure/http/http_problem.h"
#include "infrastructure/resilience/dependency.h"
#include "infrastructure/service/service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct carrier_http {
    struct carrier_port base; /* first: the port */
    char url[SERVICE_URL_MAX];
    int timeout_ms;                 /* the deadline of one call, its retries included */
    const struct resilience *guard; /* the process's, for "carrier" */
};

static int check_key(const char *key)
{
    if (!key || !*key || strlen(key) > CARRIER_KEY_MAX || !text_is_printable_ascii(key))
        return shop_error_set(SHOP_EINVALID,
                              "an idempotency key must be 1-%d characters of "
                              "printable ASCII",
                              CARRIER_KEY_MAX);
    return 0;
}

/* One POST: what every attempt sends, and where the answer goes. */
struct post_call {
    struct carrier_http *c;
    struct http_reply *reply;
    const char *path, *key, *body;
};

static int refusal(const struct http_reply *reply, const cJSON *doc);

/* One attempt, given the time left before the call's deadline: 0 with the reply (any
 * status below 500), or the failure (no reply, a 5xx: the reply is disposed of). */
static int post_attempt(void *ctx, const struct deadline *d)
{
    struct post_call *p = ctx;
    int64_t left_ms = (deadline_remaining_us(d) + 999) / 1000;
    int timeout_ms = left_ms < p->c->timeout_ms ? (int)left_ms : p->c->timeout_ms;
    struct http_header_pair header = {"Idempotency-Key", p->key};
    struct http_request req = {.service = "carrier",
                               .base_url = p->c->url,
                               .method = "POST",
                               .path = p->path,
                               .body = p->body,
                               .headers = &header,
                               .n_headers = 1,
                               .timeout_ms = timeout_ms > 0 ? timeout_ms : 1};
    http_reply_dispose(p->reply);
    int rc = http_send(p->reply, &req);
    if (rc < 0 || p->reply->status < 500)
        return rc;
    cJSON *doc = p->reply->body ? cJSON_Parse(p->reply->body) : NULL;
    rc = refusal(p->reply, doc); /* 503: SHOP_EUNAVAILABLE; another 5xx: SHOP_EINTERNAL */
    cJSON_Delete(doc);
    http_reply_dispose(p->reply);
    return rc;
}

/* POSTs body (may be NULL) to path under key, through the protection; 0 with *out the
 * reply, or no reply (SHOP_EINVALID for a bad key, asked of nobody). */
static int post(struct carrier_http *c, struct http_reply *out, const char *path, const char *key,
                const char *body)
{
    int rc = check_key(key);
    if (rc < 0)
        return rc;
    struct post_call p = {c, out, path, key, body};
    struct resilience r = *c->guard;
    r.timeout_us = (int64_t)c->timeout_ms * 1000;
    return resilient_call(&r, RETRY_IDEMPOTENT, NULL, post_attempt, &p);
}

/* A string member of a JSON object, or NULL. */
static const char *member(const cJSON *doc, const char *name)
{
    const cJSON *v = doc ? cJSON_GetObjectItemCaseSensitive(doc, name) : NULL;
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* An answer that is not a success: its code, with the carrier's detail as the message. */
static int refusal(const struct http_reply *reply, const cJSON *doc)
{
    const char *detail = member(doc, "detail");
    int code = http_problem_code(reply->status);
    if (detail && *detail)
        return shop_error_set(code, "carrier: %s", detail);
    return shop_error_set(code, "carrier answered %d %s", reply->status,
                          http_status_title(reply->status));
}

/* Copies a carrier text into a field of max bytes; SHOP_EINTERNAL if it does not fit. */
static int copy_text(char *dst, size_t max, const char *src, const char *what)
{
    if (!src || !*src || strlen(src) > max || !text_is_printable_ascii(src))
        return shop_error_set(SHOP_EINTERNAL, "carrier answered a booking without a usable %s",
                              what);
    memcpy(dst, src, strlen(src) + 1);
    return 0;
}

static int http_book(struct carrier_port *self, struct carrier_booking *out, const char *key,
                     const struct carrier_booking_request *req)
{
    struct carrier_http *c = (struct carrier_http *)self;
    struct http_reply reply = {0};
    cJSON *doc = NULL, *body = cJSON_CreateObject();
    char *text = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    if (!body)
        shop_out_of_memory();
    cJSON_AddStringToObject(body, "reference", req->reference);
    cJSON_AddStringToObject(body, "ship_to", req->ship_to->text);
    cJSON_AddStringToObject(body, "postcode", req->postcode->code);
    if (!(text = cJSON_PrintUnformatted(body)))
        shop_out_of_memory();
    if ((rc = post(c, &reply, "/v1/shipments", key, text)) < 0)
        goto done;
    doc = reply.body ? cJSON_Parse(reply.body) : NULL;
    if (reply.status == 201) {
        out->verdict = CARRIER_BOOKED;
        if ((rc = copy_text(out->id, SHIPMENT_CARRIER_ID_MAX, member(doc, "id"), "id")) < 0 ||
            (rc = copy_text(out->tracking, SHIPMENT_TRACKING_MAX, member(doc, "tracking"),
                            "tracking number")) < 0)
            memset(out, 0, sizeof *out);
    } else if (reply.status == 422 && member(doc, "type") &&
               strcmp(member(doc, "type"), "/problems/undeliverable") == 0) {
        out->verdict = CARRIER_UNDELIVERABLE;
    } else {
        rc = refusal(&reply, doc);
    }

done:
    cJSON_Delete(doc);
    cJSON_Delete(body);
    free(text);
    http_reply_dispose(&reply);
    return rc;
}

static int http_cancel(struct carrier_port *self, const char *key, const char *carrier_id)
{
    struct carrier_http *c = (struct carrier_http *)self;
    struct http_reply reply = {0};
    cJSON *doc = NULL;
    char *escaped = http_escape(carrier_id);
    size_t n = strlen(escaped) + 32;
    char *path = shop_xmalloc(n);
    int rc;

    snprintf(path, n, "/v1/shipments/%s/cancel", escaped);
    if ((rc = post(c, &reply, path, key, NULL)) < 0)
        goto done;
    if (reply.status != 200) {
        doc = reply.body ? cJSON_Parse(reply.body) : NULL;
        rc = refusal(&reply, doc);
    }

done:
    cJSON_Delete(doc);
    free(path);
    free(escaped);
    http_reply_dispose(&reply);
    return rc;
}

static void http_free(struct carrier_port *self)
{
    free(self);
}

int carrier_http_new(struct carrier_port **out, const char *base_url, int timeout_ms)
{
    struct carrier_http *c;
    char url[SERVICE_URL_MAX], host[SERVICE_URL_MAX];
    uint16_t port;
    int rc;

    *out = NULL;
    if (base_url) {
        if (strlen(base_url) >= sizeof url)
            return shop_error_set(SHOP_EINVALID, "carrier URL is too long");
        memcpy(url, base_url, strlen(base_url) + 1);
    } else if ((rc = service_url(url, "carrier", NULL)) < 0) {
        return rc;
    }
    if ((rc = service_url_split(url, host, sizeof host, &port)) < 0)
        return rc;
    if (timeout_ms < 0)
        return shop_error_set(SHOP_EINVALID, "carrier timeout %d ms is below 0", timeout_ms);
    const struct resilience *guard;
    if ((rc = dependency_resilience(&guard, "carrier")) < 0)
        return rc;
    c = shop_xcalloc(1, sizeof *c);
    c->guard = guard;
    c->base = (struct carrier_port){CARRIER_PORT_VERSION, http_book, http_cancel, http_free};
    memcpy(c->url, url, sizeof url);
    c->timeout_ms = timeout_ms ? timeout_ms : CARRIER_HTTP_DEFAULT_TIMEOUT_MS;
    *out = &c->base;
    return 0;
}
