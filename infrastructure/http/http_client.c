/*
 * infrastructure/http/http_client.c — see http_client.h.  Each call runs a private
 * libevent loop for one connection and one request, so it can be used anywhere: in the
 * command line, and inside another service's request handler (a different loop).
 */
#include "infrastructure/http/http_client.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "infrastructure/http/http_problem.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct call {
    struct http_reply *out;
    bool done;
    enum evhttp_request_error error;
    bool failed;
};

static void on_error(enum evhttp_request_error error, void *arg)
{
    struct call *c = arg;
    c->failed = true;
    c->error = error;
}

static void on_done(struct evhttp_request *req, void *arg)
{
    struct call *c = arg;
    c->done = true;
    if (!req || evhttp_request_get_response_code(req) == 0) {
        c->failed = true;
        return;
    }
    c->out->status = evhttp_request_get_response_code(req);
    const char *type = evhttp_find_header(evhttp_request_get_input_headers(req), "Content-Type");
    if (type)
        c->out->content_type = shop_xstrdup(type);
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    size_t len = evbuffer_get_length(in);
    c->out->body = shop_xmalloc(len + 1);
    evbuffer_copyout(in, c->out->body, len);
    c->out->body[len] = '\0';
    c->out->body_len = len;
}

static enum evhttp_cmd_type method_of(const char *m)
{
    if (strcmp(m, "POST") == 0)
        return EVHTTP_REQ_POST;
    if (strcmp(m, "PUT") == 0)
        return EVHTTP_REQ_PUT;
    if (strcmp(m, "DELETE") == 0)
        return EVHTTP_REQ_DELETE;
    if (strcmp(m, "PATCH") == 0)
        return EVHTTP_REQ_PATCH;
    if (strcmp(m, "HEAD") == 0)
        return EVHTTP_REQ_HEAD;
    return EVHTTP_REQ_GET;
}

/*
 * A server may answer and close while we are still writing (413 for a body that is too
 * large): the write then raises SIGPIPE, which would end the process.  While a request
 * runs, SIGPIPE is blocked for this thread, and one raised by our writes is discarded
 * before it is unblocked; the failed write is reported by libevent as an error instead.
 * The rest of the process keeps its own SIGPIPE behaviour (`shop ... | head`).
 */
struct pipe_guard {
    sigset_t old;
    bool was_pending;
};

static void pipe_guard_begin(struct pipe_guard *g)
{
    sigset_t pipe_set, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &g->old);
    sigpending(&pending);
    g->was_pending = sigismember(&pending, SIGPIPE) == 1;
}

static void pipe_guard_end(struct pipe_guard *g)
{
    sigset_t pipe_set, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigpending(&pending);
    if (!g->was_pending && sigismember(&pending, SIGPIPE) == 1) {
        struct timespec zero = {0, 0};
        sigtimedwait(&pipe_set, NULL, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &g->old, NULL);
}

int http_send(struct http_reply *out, const struct http_request *req)
{
    *out = (struct http_reply){0};
    const char *service = req->service ? req->service : "service";
    int timeout_ms = req->timeout_ms > 0 ? req->timeout_ms : HTTP_CLIENT_DEFAULT_TIMEOUT_MS;
    struct evhttp_uri *uri = evhttp_uri_parse(req->base_url);
    const char *host = uri ? evhttp_uri_get_host(uri) : NULL;
    int port = uri ? evhttp_uri_get_port(uri) : -1;
    const char *scheme = uri ? evhttp_uri_get_scheme(uri) : NULL;
    if (!uri || !host || !*host || !scheme || strcmp(scheme, "http") != 0) {
        if (uri)
            evhttp_uri_free(uri);
        return shop_error_set(SHOP_EINVALID, "%s: address '%s' is not http://HOST:PORT", service,
                              req->base_url);
    }
    if (port < 0)
        port = 80;

    int rc = 0;
    struct call c = {.out = out};
    struct event_base *base = event_base_new();
    if (!base)
        shop_out_of_memory();
    struct evhttp_connection *conn =
        evhttp_connection_base_new(base, NULL, host, (unsigned short)port);
    if (!conn)
        shop_out_of_memory();
    struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
    evhttp_connection_set_timeout_tv(conn, &tv);
    evhttp_connection_set_retries(conn, 0);
    evhttp_connection_set_max_body_size(conn, HTTP_CLIENT_MAX_REPLY);

    struct evhttp_request *r = evhttp_request_new(on_done, &c);
    if (!r)
        shop_out_of_memory();
    evhttp_request_set_error_cb(r, on_error);
    struct evkeyvalq *headers = evhttp_request_get_output_headers(r);
    char host_header[300];
    snprintf(host_header, sizeof host_header, "%s:%d", host, port);
    evhttp_add_header(headers, "Host", host_header);
    evhttp_add_header(headers, "Accept", "application/json, application/problem+json");
    evhttp_add_header(headers, "Connection", "close");
    for (size_t i = 0; i < req->n_headers; i++)
        evhttp_add_header(headers, req->headers[i].name, req->headers[i].value);
    if (req->body) {
        evhttp_add_header(headers, "Content-Type", "application/json");
        evbuffer_add(evhttp_request_get_output_buffer(r), req->body, strlen(req->body));
    }
    /* evhttp_make_request owns r from here, even when it fails */
    struct pipe_guard guard;
    pipe_guard_begin(&guard);
    if (evhttp_make_request(conn, r, method_of(req->method), req->path) != 0) {
        c.failed = true;
    } else {
        event_base_dispatch(base);
    }
    pipe_guard_end(&guard);
    if (c.failed || !c.done || out->status == 0) {
        http_reply_dispose(out);
        if (c.error == EVREQ_HTTP_TIMEOUT)
            rc = shop_error_set(SHOP_EUNAVAILABLE, "%s at %s:%d: no reply within %d ms", service,
                                host, port, timeout_ms);
        else if (c.error == EVREQ_HTTP_DATA_TOO_LONG)
            rc = shop_error_set(SHOP_EINTERNAL, "%s at %s:%d: reply larger than %d bytes",
                                service, host, port, HTTP_CLIENT_MAX_REPLY);
        else
            rc = shop_error_set(SHOP_EUNAVAILABLE,
                                "%s at %s:%d: cannot connect, or the connection closed "
                                "without a reply",
                                service, host, port);
    }
    evhttp_connection_free(conn);
    event_base_free(base);
    evhttp_uri_free(uri);
    return rc;
}

void http_reply_dispose(struct http_reply *reply)
{
    free(reply->body);
    free(reply->content_type);
    *reply = (struct http_reply){0};
}

/* The problem's detail (or the body's first line, or the status) as the message. */
static int problem_error(const struct http_reply *reply, const char *service)
{
    int code = http_problem_code(reply->status);
    cJSON *doc = reply->body ? cJSON_Parse(reply->body) : NULL;
    const cJSON *detail = doc ? cJSON_GetObjectItemCaseSensitive(doc, "detail") : NULL;
    int rc;
    if (cJSON_IsString(detail) && *detail->valuestring)
        rc = shop_error_set(code, "%s", detail->valuestring);
    else
        rc = shop_error_set(code, "%s answered %d %s", service, reply->status,
                            http_status_title(reply->status));
    cJSON_Delete(doc);
    return rc;
}

int http_call(cJSON **out, const struct http_request *req)
{
    struct http_reply reply;
    if (out)
        *out = NULL;
    int rc = http_send(&reply, req);
    if (rc < 0)
        return rc;
    const char *service = req->service ? req->service : "service";
    if (reply.status < 200 || reply.status >= 300) {
        rc = problem_error(&reply, service);
    } else if (out && reply.body_len > 0) {
        *out = cJSON_ParseWithOpts(reply.body, NULL, 1);
        if (!*out)
            rc = shop_error_set(SHOP_EINTERNAL, "%s answered %d with a body that is not JSON",
                                service, reply.status);
    }
    http_reply_dispose(&reply);
    return rc;
}

char *http_escape(const char *s)
{
    char *e = evhttp_uriencode(s, -1, 0);
    if (!e)
        shop_out_of_memory();
    return e;
}
