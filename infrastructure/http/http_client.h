/*
 * infrastructure/http/http_client.h — synchronous HTTP requests with deadlines, on
 * libevent's evhttp client: what the command line and the adapters that call another
 * service (price list → Catalog, payment gateway, carrier) use.
 *
 * A request either gets a reply within its timeout or fails with SHOP_EUNAVAILABLE
 * naming the service and what happened ("catalog at 127.0.0.1:8081: connection
 * refused", "...: no reply within 2000 ms").  A reply with a problem+json body is turned
 * back into its SHOP_E* code and one-line detail (http_problem.h) by http_call.
 * Read next: http_problem.h, infrastructure/service/service.h (where services listen).
 */
#ifndef SHOP_INFRASTRUCTURE_HTTP_HTTP_CLIENT_H
#define SHOP_INFRASTRUCTURE_HTTP_HTTP_CLIENT_H

#include <cjson/cJSON.h>
#include <stddef.h>

#define HTTP_CLIENT_DEFAULT_TIMEOUT_MS 5000
#define HTTP_CLIENT_MAX_REPLY (4 * 1024 * 1024)

struct http_header_pair {
    const char *name;
    const char *value;
};

struct http_request {
    const char *service; /* for messages: "catalog" */
    const char *base_url; /* "http://127.0.0.1:8081" */
    const char *method;   /* "GET", "POST", ... */
    const char *path;     /* "/products/ABC-1" — already escaped, with query */
    const char *body;     /* NULL for none; sent as application/json */
    const struct http_header_pair *headers; /* extra headers, n_headers of them */
    size_t n_headers;
    int timeout_ms;       /* 0 means HTTP_CLIENT_DEFAULT_TIMEOUT_MS */
};

struct http_reply {
    int status;  /* 0 if no reply */
    char *body;  /* NUL-terminated, owned; NULL if none */
    size_t body_len;
    char *content_type; /* owned; NULL if none */
};

/*
 * Sends req and waits for the whole reply.  Returns 0 with any HTTP status in *out
 * (the caller frees with http_reply_dispose), or SHOP_EUNAVAILABLE when no reply came
 * (refused, reset, timed out), SHOP_EINVALID for a malformed base_url.
 */
int http_send(struct http_reply *out, const struct http_request *req);
void http_reply_dispose(struct http_reply *reply);

/*
 * http_send, then: 2xx with a JSON body → 0 and *out = the parsed document (caller
 * frees; NULL when the body is empty); any other status → the SHOP_E* code of
 * http_problem_code with the problem's detail as the message; a 2xx body that is not
 * JSON → SHOP_EINTERNAL.  out may be NULL when the body does not matter.
 */
int http_call(cJSON **out, const struct http_request *req);

/* s percent-encoded for a path segment or a query value; the caller frees it. */
char *http_escape(const char *s);

#endif
