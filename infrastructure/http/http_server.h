/*
 * infrastructure/http/http_server.h — the HTTP side of every service: a JSON API on
 * libevent's evhttp, shared by the bounded contexts and the simulated external systems.
 *
 * Pattern: a driving adapter of the hexagon (as the command line is).  A context lists
 * its routes — method, path pattern, handler — and each handler turns a request into a
 * call of its application service and the result into JSON.  This file owns what every
 * API must get right the same way:
 *   - routing: an unknown path is 404, a known path with another method is 405 (with
 *     an Allow header);
 *   - bounds: request bodies above max_body are refused with 413 by evhttp before they
 *     are read, headers above max_headers are refused, a client that is slower than
 *     timeout_s is disconnected;
 *   - bodies: JSON parsed strictly (one document, nothing after it), else 400;
 *   - errors: application/problem+json (RFC 9457) naming the rule that was broken,
 *     mapped from the SHOP_E* code in one place (http_problem.c);
 *   - GET /health and GET /metrics (Prometheus text format) on every server.
 * Handlers reply exactly once, synchronously, before they return.
 * Read next: http_problem.h (errors both ways), http_client.h (the other side),
 * infrastructure/service/service.h (how a service is started).
 */
#ifndef SHOP_INFRASTRUCTURE_HTTP_HTTP_SERVER_H
#define SHOP_INFRASTRUCTURE_HTTP_HTTP_SERVER_H

#include "application/shared/message_meta.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct event_base;
struct http_server;
struct http_exchange; /* one request and its reply; valid during the handler only */

typedef void http_handler_fn(struct http_exchange *x, void *ctx);

#define HTTP_MAX_PATH_PARAMS 4

struct http_route {
    const char *method;  /* "GET", "POST", "PUT", "DELETE", "PATCH" */
    const char *pattern; /* "/products/{sku}/price": {name} matches one non-empty segment */
    http_handler_fn *handle;
};

struct http_server_options {
    const char *service; /* "catalog": in /health, /metrics and log lines */
    const char *version; /* shown by /health; default PACKAGE_VERSION */
    size_t max_body;     /* bytes; 0 means HTTP_DEFAULT_MAX_BODY */
    size_t max_headers;  /* bytes; 0 means HTTP_DEFAULT_MAX_HEADERS */
    int timeout_s;       /* read/write timeout; 0 means HTTP_DEFAULT_TIMEOUT_S */
    bool log_requests;   /* one line per request on stderr */
    /* Optional: adds fields to GET /health's JSON (e.g. the database role).  Returns
     * false if the service is not healthy (/health then answers 503). */
    bool (*health)(void *ctx, cJSON *doc);
    /* Optional: more Prometheus lines for GET /metrics. */
    void (*metrics)(void *ctx, FILE *out);
    /* The ctx given to health and metrics; NULL: the handlers' ctx. */
    void *hooks_ctx;
};

#define HTTP_DEFAULT_MAX_BODY (64 * 1024)
#define HTTP_DEFAULT_MAX_HEADERS (8 * 1024)
#define HTTP_DEFAULT_TIMEOUT_S 10

/*
 * Listens on host:port (port 0: the kernel chooses; http_server_port tells) and serves
 * routes (borrowed, must outlive the server) on base, passing ctx to every handler.
 * SHOP_EUNAVAILABLE "cannot listen on HOST:PORT: <reason>" if the address is taken.
 */
int http_server_new(struct http_server **out, struct event_base *base, const char *host,
                    uint16_t port, const struct http_route *routes, size_t route_count, void *ctx,
                    const struct http_server_options *options);
uint16_t http_server_port(const struct http_server *server);
/* Hands the next requests' handlers another ctx (a service opened afresh). */
void http_server_set_ctx(struct http_server *server, void *ctx);
void http_server_free(struct http_server *server);

/* ---- the request ---- */
const char *http_method(const struct http_exchange *x); /* "GET" */
const char *http_path(const struct http_exchange *x);   /* decoded path, no query */
/* A path parameter of the route's pattern, decoded ("sku" for {sku}); NULL if none. */
const char *http_param(const struct http_exchange *x, const char *name);
/* A query-string parameter, decoded; NULL if absent. */
const char *http_query(const struct http_exchange *x, const char *name);
/* A request header (case-insensitive name); NULL if absent. */
const char *http_header(const struct http_exchange *x, const char *name);
/*
 * The W3C trace context of the request (docs/architecture.md §10): its `traceparent`
 * header when that is well-formed, otherwise a new one that starts a trace.  Handlers put
 * it in the message_meta of the command, so every message the request causes carries it.
 */
void http_traceparent(const struct http_exchange *x, char out[TRACEPARENT_SIZE]);
/*
 * Whether the request came with a body of one byte or more, however it was sent
 * (Content-Length or chunked): for routes whose body is optional.
 */
bool http_has_body(const struct http_exchange *x);
/*
 * The body parsed as one JSON object.  On failure replies 400 (problem "malformed-json",
 * or "invalid-input" when it is JSON but not an object, or empty) and returns < 0:
 * the handler then just returns.  The document belongs to the exchange.
 */
int http_json_body(struct http_exchange *x, const cJSON **out);

/* ---- the reply (exactly one per exchange) ---- */
/* Replies status with doc as application/json; takes doc (frees it). */
void http_reply_json(struct http_exchange *x, int status, cJSON *doc);
/* Adds a response header before replying (e.g. "Location"). */
void http_reply_header(struct http_exchange *x, const char *name, const char *value);
/*
 * Replies application/problem+json: {"type", "title", "status", "detail"}; `rule` is a
 * short slug for the broken rule ("invalid-input", "not-found", ...), detail one line.
 */
void http_reply_problem(struct http_exchange *x, int status, const char *rule, const char *detail);
/* Replies the problem for a SHOP_E* code with shop_error_message() as detail. */
void http_reply_error(struct http_exchange *x, int error_code);

/*
 * Field readers for handlers: each returns 0, or replies 400 "invalid-input" naming the
 * field ("name: missing", "quantity: must be an integer") and returns SHOP_EINVALID.
 * Strings are borrowed from the body.
 */
int http_field_string(struct http_exchange *x, const cJSON *body, const char *field,
                      const char **out);
int http_field_int(struct http_exchange *x, const cJSON *body, const char *field, int64_t min,
                   int64_t max, int64_t *out);
/* Optional string: *out = NULL when absent (null or missing); wrong type is refused. */
int http_field_string_opt(struct http_exchange *x, const cJSON *body, const char *field,
                          const char **out);

#endif
