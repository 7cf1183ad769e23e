/*
 * infrastructure/http/http_server.c — see http_server.h.  libevent's evhttp reads and
 * writes HTTP (request line, headers, bodies, keep-alive, size limits, timeouts); this
 * file adds routing, JSON bodies, problem replies, /health and /metrics.
 * Read next: http_problem.c, infrastructure/catalog/catalog_api.c (a user).
 */
#include "config.h"

#include "infrastructure/http/http_server.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "infrastructure/http/http_problem.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define HTTP_STATUS_MIN 100
#define HTTP_STATUS_COUNT 500 /* 100..599 */

struct route_stats {
    unsigned long by_status[HTTP_STATUS_COUNT];
    double seconds_sum;
    unsigned long count;
};

struct http_server {
    struct evhttp *http;
    struct evhttp_bound_socket *socket;
    const struct http_route *routes;
    size_t route_count;
    void *ctx;
    struct http_server_options options;
    struct route_stats *stats; /* one per route, then /health, /metrics, unmatched */
    uint16_t port;
    time_t started;
};

struct http_exchange {
    struct http_server *server;
    struct evhttp_request *req;
    const struct http_route *route;
    size_t stats_index;
    char *path; /* decoded */
    const char *raw_path;
    struct {
        char name[32];
        char *value;
    } params[HTTP_MAX_PATH_PARAMS];
    size_t param_count;
    struct evkeyvalq query;
    bool query_parsed;
    cJSON *body;
    bool replied;
    int status;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *method_name(enum evhttp_cmd_type cmd)
{
    switch (cmd) {
    case EVHTTP_REQ_GET: return "GET";
    case EVHTTP_REQ_POST: return "POST";
    case EVHTTP_REQ_HEAD: return "HEAD";
    case EVHTTP_REQ_PUT: return "PUT";
    case EVHTTP_REQ_DELETE: return "DELETE";
    case EVHTTP_REQ_OPTIONS: return "OPTIONS";
    case EVHTTP_REQ_TRACE: return "TRACE";
    case EVHTTP_REQ_CONNECT: return "CONNECT";
    case EVHTTP_REQ_PATCH: return "PATCH";
    }
    return "?";
}

/* ------------------------------------------------------------------ routing */

/* Does path match pattern?  Fills x->params with the {name} segments, decoded. */
static bool match(struct http_exchange *x, const char *pattern, const char *path)
{
    size_t n = 0;
    const char *p = pattern, *s = path;
    while (*p && *s) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            size_t seg = strcspn(s, "/");
            if (!close || seg == 0 || n == HTTP_MAX_PATH_PARAMS)
                goto no;
            size_t name_len = (size_t)(close - p - 1);
            if (name_len >= sizeof x->params[n].name)
                goto no;
            memcpy(x->params[n].name, p + 1, name_len);
            x->params[n].name[name_len] = '\0';
            char *raw = shop_xstrndup(s, seg);
            size_t decoded_len = 0;
            x->params[n].value = evhttp_uridecode(raw, 0, &decoded_len);
            free(raw);
            if (!x->params[n].value || strlen(x->params[n].value) != decoded_len) {
                free(x->params[n].value); /* a NUL byte in a path segment: no match */
                goto no;
            }
            n++;
            p = close + 1;
            s += seg;
        } else if (*p++ != *s++) {
            goto no;
        }
    }
    if (*p == '\0' && *s == '\0') {
        x->param_count = n;
        return true;
    }
no:
    for (size_t i = 0; i < n; i++)
        free(x->params[i].value);
    x->param_count = 0;
    return false;
}

/* ------------------------------------------------------------------ replies */

static void send_text(struct http_exchange *x, int status, const char *content_type,
                      const char *text, size_t len)
{
    if (x->replied)
        return;
    x->replied = true;
    x->status = status;
    struct evbuffer *buf = evbuffer_new();
    if (!buf)
        shop_out_of_memory();
    evbuffer_add(buf, text, len);
    struct evkeyvalq *headers = evhttp_request_get_output_headers(x->req);
    evhttp_add_header(headers, "Content-Type", content_type);
    evhttp_send_reply(x->req, status, http_status_title(status), buf);
    evbuffer_free(buf);
}

void http_reply_json(struct http_exchange *x, int status, cJSON *doc)
{
    char *text = doc ? cJSON_PrintUnformatted(doc) : shop_xstrdup("");
    if (!text)
        shop_out_of_memory();
    cJSON_Delete(doc);
    send_text(x, status, "application/json", text, strlen(text));
    free(text);
}

void http_reply_header(struct http_exchange *x, const char *name, const char *value)
{
    evhttp_add_header(evhttp_request_get_output_headers(x->req), name, value);
}

void http_reply_problem(struct http_exchange *x, int status, const char *rule, const char *detail)
{
    cJSON *doc = cJSON_CreateObject();
    char type[96];
    snprintf(type, sizeof type, "/problems/%s", rule);
    cJSON_AddStringToObject(doc, "type", type);
    cJSON_AddStringToObject(doc, "title", http_status_title(status));
    cJSON_AddNumberToObject(doc, "status", status);
    cJSON_AddStringToObject(doc, "detail", detail && *detail ? detail : http_status_title(status));
    char *text = cJSON_PrintUnformatted(doc);
    if (!text)
        shop_out_of_memory();
    cJSON_Delete(doc);
    send_text(x, status, "application/problem+json", text, strlen(text));
    free(text);
}

void http_reply_error(struct http_exchange *x, int error_code)
{
    const char *msg = shop_error_message();
    http_reply_problem(x, http_problem_status(error_code), http_problem_rule(error_code),
                       *msg ? msg : shop_error_name(error_code));
}

/* ------------------------------------------------------------------ request */

const char *http_method(const struct http_exchange *x)
{
    return method_name(evhttp_request_get_command(x->req));
}

const char *http_path(const struct http_exchange *x) { return x->path; }

const char *http_param(const struct http_exchange *x, const char *name)
{
    for (size_t i = 0; i < x->param_count; i++)
        if (strcmp(x->params[i].name, name) == 0)
            return x->params[i].value;
    return NULL;
}

const char *http_query(const struct http_exchange *x, const char *name)
{
    return x->query_parsed ? evhttp_find_header(&x->query, name) : NULL;
}

const char *http_header(const struct http_exchange *x, const char *name)
{
    return evhttp_find_header(evhttp_request_get_input_headers(x->req), name);
}

/*
 * Whether JSON text holds the escape \u0000 (a backslash that is not itself escaped):
 * cJSON would decode it into a string that ends there, and a field would be cut short
 * without anyone noticing ("Cup\u0000x" read as "Cup").
 */
static bool has_escaped_nul(const char *json)
{
    for (const char *p = strstr(json, "\\u0000"); p; p = strstr(p + 1, "\\u0000")) {
        size_t backslashes = 0;
        while (p - backslashes > json && p[-(ptrdiff_t)backslashes - 1] == '\\')
            backslashes++;
        if (backslashes % 2 == 0)
            return true;
    }
    return false;
}

bool http_has_body(const struct http_exchange *x)
{
    return evbuffer_get_length(evhttp_request_get_input_buffer(x->req)) > 0;
}

int http_json_body(struct http_exchange *x, const cJSON **out)
{
    *out = NULL;
    if (x->body) {
        *out = x->body;
        return 0;
    }
    struct evbuffer *in = evhttp_request_get_input_buffer(x->req);
    size_t len = evbuffer_get_length(in);
    if (len == 0) {
        http_reply_problem(x, 400, "invalid-input", "the request needs a JSON object as its body");
        return SHOP_EINVALID;
    }
    char *text = shop_xmalloc(len + 1);
    evbuffer_copyout(in, text, len);
    text[len] = '\0';
    if (strlen(text) != len) {
        free(text);
        http_reply_problem(x, 400, "malformed-json", "the body contains a NUL byte");
        return SHOP_EINVALID;
    }
    if (has_escaped_nul(text)) {
        free(text);
        http_reply_problem(x, 400, "invalid-input",
                           "the body contains the NUL character (\\u0000), which no field may hold");
        return SHOP_EINVALID;
    }
    const char *end = NULL;
    cJSON *doc = cJSON_ParseWithOpts(text, &end, 1);
    if (!doc) {
        char detail[160];
        size_t at = end && end >= text ? (size_t)(end - text) : 0;
        snprintf(detail, sizeof detail, "the body is not valid JSON (at byte %zu)", at);
        free(text);
        http_reply_problem(x, 400, "malformed-json", detail);
        return SHOP_EINVALID;
    }
    free(text);
    if (!cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        http_reply_problem(x, 400, "invalid-input", "the body must be a JSON object");
        return SHOP_EINVALID;
    }
    x->body = doc;
    *out = doc;
    return 0;
}

static int field_refused(struct http_exchange *x, const char *field, const char *what)
{
    char detail[200];
    snprintf(detail, sizeof detail, "%s: %s", field, what);
    http_reply_problem(x, 400, "invalid-input", detail);
    return SHOP_EINVALID;
}

int http_field_string(struct http_exchange *x, const cJSON *body, const char *field,
                      const char **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, field);
    *out = NULL;
    if (!v || cJSON_IsNull(v))
        return field_refused(x, field, "missing");
    if (!cJSON_IsString(v))
        return field_refused(x, field, "must be a string");
    *out = v->valuestring;
    return 0;
}

int http_field_string_opt(struct http_exchange *x, const cJSON *body, const char *field,
                          const char **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, field);
    *out = NULL;
    if (!v || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsString(v))
        return field_refused(x, field, "must be a string");
    *out = v->valuestring;
    return 0;
}

int http_field_int(struct http_exchange *x, const cJSON *body, const char *field, int64_t min,
                   int64_t max, int64_t *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, field);
    char what[96];
    *out = 0;
    if (!v || cJSON_IsNull(v))
        return field_refused(x, field, "missing");
    if (!cJSON_IsNumber(v))
        return field_refused(x, field, "must be an integer");
    double d = v->valuedouble;
    if (d != d || d < (double)min || d > (double)max) {
        snprintf(what, sizeof what, "must be %lld-%lld", (long long)min, (long long)max);
        return field_refused(x, field, what);
    }
    if ((double)(int64_t)d != d)
        return field_refused(x, field, "must be an integer");
    *out = (int64_t)d;
    return 0;
}

/* ------------------------------------------------------------------ built-ins */

static void serve_health(struct http_exchange *x)
{
    struct http_server *s = x->server;
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "service", s->options.service);
    cJSON_AddStringToObject(doc, "version", s->options.version);
    cJSON_AddNumberToObject(doc, "pid", (double)getpid());
    cJSON_AddNumberToObject(doc, "uptime_s", (double)(time(NULL) - s->started));
    void *hooks = s->options.hooks_ctx ? s->options.hooks_ctx : s->ctx;
    bool healthy = s->options.health ? s->options.health(hooks, doc) : true;
    cJSON_AddStringToObject(doc, "status", healthy ? "up" : "down");
    http_reply_json(x, healthy ? 200 : 503, doc);
}

static void print_stats(FILE *out, const char *service, const char *method, const char *route,
                        const struct route_stats *st)
{
    for (int i = 0; i < HTTP_STATUS_COUNT; i++)
        if (st->by_status[i])
            fprintf(out,
                    "shop_http_requests_total{service=\"%s\",method=\"%s\",route=\"%s\","
                    "status=\"%d\"} %lu\n",
                    service, method, route, i + HTTP_STATUS_MIN, st->by_status[i]);
}

static void serve_metrics(struct http_exchange *x)
{
    struct http_server *s = x->server;
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (!out)
        shop_out_of_memory();
    const char *svc = s->options.service;
    fprintf(out, "# HELP shop_http_requests_total HTTP requests answered, by route and status.\n"
                 "# TYPE shop_http_requests_total counter\n");
    for (size_t i = 0; i < s->route_count; i++)
        print_stats(out, svc, s->routes[i].method, s->routes[i].pattern, &s->stats[i]);
    print_stats(out, svc, "GET", "/health", &s->stats[s->route_count]);
    print_stats(out, svc, "GET", "/metrics", &s->stats[s->route_count + 1]);
    print_stats(out, svc, "*", "unmatched", &s->stats[s->route_count + 2]);
    fprintf(out, "# HELP shop_http_request_duration_seconds Time spent answering, by route.\n"
                 "# TYPE shop_http_request_duration_seconds summary\n");
    for (size_t i = 0; i < s->route_count; i++) {
        fprintf(out,
                "shop_http_request_duration_seconds_sum{service=\"%s\",method=\"%s\","
                "route=\"%s\"} %.6f\n",
                svc, s->routes[i].method, s->routes[i].pattern, s->stats[i].seconds_sum);
        fprintf(out,
                "shop_http_request_duration_seconds_count{service=\"%s\",method=\"%s\","
                "route=\"%s\"} %lu\n",
                svc, s->routes[i].method, s->routes[i].pattern, s->stats[i].count);
    }
    fprintf(out, "# HELP shop_up 1 while the service runs.\n# TYPE shop_up gauge\n"
                 "shop_up{service=\"%s\"} 1\n",
            svc);
    if (s->options.metrics)
        s->options.metrics(s->options.hooks_ctx ? s->options.hooks_ctx : s->ctx, out);
    fclose(out);
    send_text(x, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
    free(text);
}

/* ------------------------------------------------------------------ dispatch */

static void dispatch(struct http_exchange *x, const char *method)
{
    struct http_server *s = x->server;
    char allow[128] = "";
    bool path_known = false;

    if (strcmp(x->raw_path, "/health") == 0 || strcmp(x->raw_path, "/metrics") == 0) {
        bool health = x->raw_path[1] == 'h';
        x->stats_index = s->route_count + (health ? 0 : 1);
        if (strcmp(method, "GET") != 0) {
            http_reply_header(x, "Allow", "GET");
            http_reply_problem(x, 405, "method-not-allowed", "this path accepts GET only");
        } else if (health) {
            serve_health(x);
        } else {
            serve_metrics(x);
        }
        return;
    }
    for (size_t i = 0; i < s->route_count; i++) {
        if (!match(x, s->routes[i].pattern, x->raw_path))
            continue;
        if (strcmp(s->routes[i].method, method) == 0) {
            x->route = &s->routes[i];
            x->stats_index = i;
            s->routes[i].handle(x, s->ctx);
            if (!x->replied) {
                shop_error_set(SHOP_EINTERNAL, "%s %s: the handler gave no reply", method,
                               s->routes[i].pattern);
                http_reply_error(x, SHOP_EINTERNAL);
            }
            return;
        }
        for (size_t k = 0; k < x->param_count; k++)
            free(x->params[k].value);
        x->param_count = 0;
        path_known = true;
        size_t used = strlen(allow);
        if (!strstr(allow, s->routes[i].method))
            snprintf(allow + used, sizeof allow - used, "%s%s", used ? ", " : "",
                     s->routes[i].method);
    }
    x->stats_index = s->route_count + 2;
    char detail[300];
    if (path_known) {
        http_reply_header(x, "Allow", allow);
        snprintf(detail, sizeof detail, "%s is not allowed here; allowed: %s", method, allow);
        http_reply_problem(x, 405, "method-not-allowed", detail);
    } else {
        snprintf(detail, sizeof detail, "no such resource: %.200s", x->path);
        http_reply_problem(x, 404, "not-found", detail);
    }
}

static void on_request(struct evhttp_request *req, void *arg)
{
    struct http_server *s = arg;
    struct http_exchange x = {.server = s, .req = req};
    double t0 = now_s();
    const char *method = method_name(evhttp_request_get_command(req));
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *raw = uri ? evhttp_uri_get_path(uri) : NULL;
    x.raw_path = raw && *raw ? raw : "/";
    /* Matching is on the raw path (so an escaped "/" stays inside its segment); the
     * decoded path is for messages. */
    size_t decoded_len = 0;
    x.path = evhttp_uridecode(x.raw_path, 0, &decoded_len);
    if (!x.path)
        x.path = shop_xstrdup(x.raw_path);

    TAILQ_INIT(&x.query);
    const char *q = uri ? evhttp_uri_get_query(uri) : NULL;
    if (q && evhttp_parse_query_str(q, &x.query) != 0) {
        evhttp_clear_headers(&x.query);
        x.stats_index = s->route_count + 2; /* refused before routing: unmatched */
        http_reply_problem(&x, 400, "invalid-input", "the query string cannot be read");
    } else {
        x.query_parsed = true;
        shop_error_clear();
        dispatch(&x, method);
    }

    double elapsed = now_s() - t0;
    struct route_stats *st = &s->stats[x.stats_index];
    if (x.status >= HTTP_STATUS_MIN && x.status < HTTP_STATUS_MIN + HTTP_STATUS_COUNT)
        st->by_status[x.status - HTTP_STATUS_MIN]++;
    st->count++;
    st->seconds_sum += elapsed;
    if (s->options.log_requests)
        fprintf(stderr, "%s: %s %.200s %d %.1f ms\n", s->options.service, method,
                x.path, x.status, elapsed * 1000.0);

    for (size_t i = 0; i < x.param_count; i++)
        free(x.params[i].value);
    if (x.query_parsed)
        evhttp_clear_headers(&x.query);
    cJSON_Delete(x.body);
    free(x.path);
}

/* ------------------------------------------------------------------ lifecycle */

int http_server_new(struct http_server **out, struct event_base *base, const char *host,
                    uint16_t port, const struct http_route *routes, size_t route_count, void *ctx,
                    const struct http_server_options *options)
{
    *out = NULL;
    struct http_server *s = shop_xcalloc(1, sizeof *s);
    s->routes = routes;
    s->route_count = route_count;
    s->ctx = ctx;
    if (options)
        s->options = *options;
    if (!s->options.service)
        s->options.service = "shop";
    if (!s->options.version)
        s->options.version = PACKAGE_VERSION;
    if (!s->options.max_body)
        s->options.max_body = HTTP_DEFAULT_MAX_BODY;
    if (!s->options.max_headers)
        s->options.max_headers = HTTP_DEFAULT_MAX_HEADERS;
    if (!s->options.timeout_s)
        s->options.timeout_s = HTTP_DEFAULT_TIMEOUT_S;
    s->stats = shop_xcalloc(route_count + 3, sizeof *s->stats);
    s->started = time(NULL);

    s->http = evhttp_new(base);
    if (!s->http)
        shop_out_of_memory();
    evhttp_set_max_body_size(s->http, (ev_ssize_t)s->options.max_body);
    evhttp_set_max_headers_size(s->http, (ev_ssize_t)s->options.max_headers);
    evhttp_set_timeout(s->http, s->options.timeout_s);
    evhttp_set_allowed_methods(s->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_PUT |
                                            EVHTTP_REQ_DELETE | EVHTTP_REQ_PATCH |
                                            EVHTTP_REQ_HEAD | EVHTTP_REQ_OPTIONS);
    evhttp_set_default_content_type(s->http, "application/json");
    evhttp_set_gencb(s->http, on_request, s);

    s->socket = evhttp_bind_socket_with_handle(s->http, host, port);
    if (!s->socket) {
        int err = errno;
        http_server_free(s);
        return shop_error_set(SHOP_EUNAVAILABLE, "cannot listen on %s:%u: %s", host,
                              (unsigned)port, err ? strerror(err) : "address not usable");
    }
    struct sockaddr_storage addr;
    socklen_t addr_len = sizeof addr;
    evutil_socket_t fd = evhttp_bound_socket_get_fd(s->socket);
    if (getsockname(fd, (struct sockaddr *)&addr, &addr_len) == 0) {
        if (addr.ss_family == AF_INET)
            s->port = ntohs(((struct sockaddr_in *)&addr)->sin_port);
        else if (addr.ss_family == AF_INET6)
            s->port = ntohs(((struct sockaddr_in6 *)&addr)->sin6_port);
    }
    *out = s;
    return 0;
}

uint16_t http_server_port(const struct http_server *server) { return server->port; }
void http_server_set_ctx(struct http_server *server, void *ctx) { server->ctx = ctx; }

void http_server_free(struct http_server *server)
{
    if (!server)
        return;
    if (server->http)
        evhttp_free(server->http);
    free(server->stats);
    free(server);
}

void http_traceparent(const struct http_exchange *x, char out[TRACEPARENT_SIZE])
{
    const char *given = http_header(x, "traceparent");
    if (given && *given && message_meta_traceparent_valid(given)) {
        snprintf(out, TRACEPARENT_SIZE, "%s", given);
        return;
    }
    if (message_meta_new_traceparent(out) < 0)
        out[0] = '\0'; /* no random source: the request goes on without a trace id */
}
