/*
 * tests/integration/http_test.c — what every service's HTTP API gets from
 * infrastructure/http/: routing (404, 405 with Allow), bounded bodies (413), strict JSON
 * bodies (400), problem+json errors mapped from SHOP_E* codes and back, /health and
 * /metrics, and a client that gives up at its deadline.
 *
 * A tiny "notes" API stands in for a context: real sockets, a real libevent loop in a
 * background thread, the same client the command line uses.
 */
#include "domain/shared/error.h"
#include "infrastructure/http/http_client.h"
#include "infrastructure/http/http_problem.h"
#include "infrastructure/http/http_server.h"
#include "infrastructure/service/serve.h"
#include "tests/support/test_service.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- the stand-in API: notes kept in memory ---- */

#define MAX_NOTES 8
struct notes {
    char text[MAX_NOTES][64];
    int count;
};

static void add_note(struct http_exchange *x, void *ctx)
{
    struct notes *n = ctx;
    const cJSON *body;
    const char *text;
    int64_t copies;
    if (http_json_body(x, &body) < 0 || http_field_string(x, body, "text", &text) < 0 ||
        http_field_int(x, body, "copies", 1, 3, &copies) < 0)
        return;
    if (n->count + copies > MAX_NOTES) {
        http_reply_error(x, shop_error_set(SHOP_EREFUSED, "notes: at most %d", MAX_NOTES));
        return;
    }
    for (int64_t i = 0; i < copies; i++)
        snprintf(n->text[n->count++], sizeof n->text[0], "%s", text);
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddNumberToObject(doc, "count", n->count);
    http_reply_json(x, 201, doc);
}

static void get_note(struct http_exchange *x, void *ctx)
{
    struct notes *n = ctx;
    const char *id = http_param(x, "id");
    char *end;
    long i = strtol(id, &end, 10);
    if (*end || i < 0 || i >= n->count) {
        http_reply_error(x, shop_error_set(SHOP_ENOTFOUND, "no note '%s'", id));
        return;
    }
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "text", n->text[i]);
    cJSON_AddStringToObject(doc, "id", id);
    const char *shout = http_query(x, "shout");
    cJSON_AddBoolToObject(doc, "shout", shout && strcmp(shout, "yes") == 0);
    http_reply_json(x, 200, doc);
}

static void silent(struct http_exchange *x, void *ctx)
{
    (void)x;
    (void)ctx; /* forgets to reply: the server must answer 500 for it */
}

static const struct http_route note_routes[] = {
    {"POST", "/notes", add_note},
    {"GET", "/notes/{id}", get_note},
    {"DELETE", "/notes/{id}", silent},
};

struct running {
    struct event_base *base;
    struct http_server *server;
    pthread_t thread;
    struct notes notes;
    char url[64];
};

static void *loop(void *arg)
{
    event_base_dispatch(((struct running *)arg)->base);
    return NULL;
}

static void start_with(struct running *r, int timeout_s)
{
    *r = (struct running){0};
    serve_use_threads();
    r->base = event_base_new();
    struct http_server_options o = {.service = "notes", .max_body = 1024, .timeout_s = timeout_s};
    cr_assert_eq(
        http_server_new(&r->server, r->base, "127.0.0.1", 0, note_routes, 3, &r->notes, &o), 0,
        "%s", shop_error_message());
    snprintf(r->url, sizeof r->url, "http://127.0.0.1:%u", (unsigned)http_server_port(r->server));
    cr_assert_eq(pthread_create(&r->thread, NULL, loop, r), 0);
}

static void start(struct running *r)
{
    start_with(r, 0);
}

static void stop(struct running *r)
{
    event_base_loopbreak(r->base);
    pthread_join(r->thread, NULL);
    http_server_free(r->server);
    event_base_free(r->base);
}

static struct http_reply send_req(struct running *r, const char *method, const char *path,
                                  const char *body)
{
    struct http_reply reply;
    struct http_request req = {
        .service = "notes", .base_url = r->url, .method = method, .path = path, .body = body};
    cr_assert_eq(http_send(&reply, &req), 0, "%s", shop_error_message());
    return reply;
}

static cJSON *problem_of(const struct http_reply *reply)
{
    cr_assert_str_eq(reply->content_type, "application/problem+json");
    cJSON *doc = cJSON_Parse(reply->body);
    cr_assert(doc, "not JSON: %s", reply->body);
    cr_assert_eq(cJSON_GetObjectItem(doc, "status")->valueint, reply->status);
    return doc;
}

static const char *detail(cJSON *problem)
{
    return cJSON_GetObjectItem(problem, "detail")->valuestring;
}

Test(an_api, answers_a_command_and_a_query)
{
    struct running r;
    start(&r);
    struct http_reply a = send_req(&r, "POST", "/notes", "{\"text\":\"milk\",\"copies\":2}");
    cr_expect_eq(a.status, 201);
    cr_expect_str_eq(a.content_type, "application/json");
    struct http_reply b = send_req(&r, "GET", "/notes/1?shout=yes", NULL);
    cr_expect_eq(b.status, 200);
    cJSON *doc = cJSON_Parse(b.body);
    cr_expect_str_eq(cJSON_GetObjectItem(doc, "text")->valuestring, "milk");
    cr_expect(cJSON_IsTrue(cJSON_GetObjectItem(doc, "shout")));
    cJSON_Delete(doc);
    http_reply_dispose(&a);
    http_reply_dispose(&b);
    stop(&r);
    cr_expect_eq(r.notes.count, 2);
}

Test(an_api, decodes_path_parameters_and_keeps_an_escaped_slash_in_its_segment)
{
    struct running r;
    start(&r);
    struct http_reply a = send_req(&r, "GET", "/notes/a%2Fb", NULL);
    cr_expect_eq(a.status, 404);
    cJSON *p = problem_of(&a);
    cr_expect_str_eq(detail(p), "no note 'a/b'");
    cJSON_Delete(p);
    http_reply_dispose(&a);
    stop(&r);
}

Test(an_api, answers_404_for_an_unknown_path_and_405_for_a_wrong_method)
{
    struct running r;
    start(&r);
    struct http_reply a = send_req(&r, "GET", "/nothing/here", NULL);
    cr_expect_eq(a.status, 404);
    cJSON *p = problem_of(&a);
    cr_expect_str_eq(cJSON_GetObjectItem(p, "type")->valuestring, "/problems/not-found");
    cJSON_Delete(p);
    struct http_reply b = send_req(&r, "PUT", "/notes/1", "{}");
    cr_expect_eq(b.status, 405);
    cJSON_Delete(problem_of(&b));
    struct http_reply c = send_req(&r, "GET", "/notes", NULL);
    cr_expect_eq(c.status, 405);
    cJSON_Delete(problem_of(&c));
    http_reply_dispose(&a);
    http_reply_dispose(&b);
    http_reply_dispose(&c);
    stop(&r);
    cr_expect_eq(r.notes.count, 0);
}

Test(an_api, refuses_bodies_that_are_not_one_json_object_and_stores_nothing)
{
    static const struct {
        const char *body, *type, *detail_part;
    } bad[] = {
        {"", "/problems/invalid-input", "needs a JSON object"},
        {"{\"text\":", "/problems/malformed-json", "not valid JSON"},
        {"{\"text\":\"a\",\"copies\":1} {}", "/problems/malformed-json", "not valid JSON"},
        {"[1,2]", "/problems/invalid-input", "must be a JSON object"},
        {"\"text\"", "/problems/invalid-input", "must be a JSON object"},
        {"{\"copies\":1}", "/problems/invalid-input", "text: missing"},
        {"{\"text\":7,\"copies\":1}", "/problems/invalid-input", "text: must be a string"},
        {"{\"text\":\"a\",\"copies\":\"1\"}", "/problems/invalid-input",
         "copies: must be an integer"},
        {"{\"text\":\"a\",\"copies\":1.5}", "/problems/invalid-input",
         "copies: must be an integer"},
        {"{\"text\":\"a\",\"copies\":4}", "/problems/invalid-input", "copies: must be 1-3"},
        {"{\"text\":\"a\",\"copies\":null}", "/problems/invalid-input", "copies: missing"},
    };
    struct running r;
    start(&r);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct http_reply a = send_req(&r, "POST", "/notes", bad[i].body);
        cr_expect_eq(a.status, 400, "body %s: status %d", bad[i].body, a.status);
        cJSON *p = problem_of(&a);
        cr_expect_str_eq(cJSON_GetObjectItem(p, "type")->valuestring, bad[i].type, "body %s",
                         bad[i].body);
        cr_expect(strstr(detail(p), bad[i].detail_part), "body %s: detail %s", bad[i].body,
                  detail(p));
        cJSON_Delete(p);
        http_reply_dispose(&a);
    }
    stop(&r);
    cr_expect_eq(r.notes.count, 0);
}

Test(an_api, refuses_an_oversize_body_with_413_before_reading_it)
{
    struct running r;
    start(&r);
    char body[4096];
    memset(body, ' ', sizeof body - 1);
    body[sizeof body - 1] = '\0';
    memcpy(body, "{\"text\":\"a\",\"copies\":1}", 23);
    struct http_reply a = send_req(&r, "POST", "/notes", body);
    cr_expect_eq(a.status, 413);
    http_reply_dispose(&a);
    stop(&r);
    cr_expect_eq(r.notes.count, 0);
}

Test(an_api, disconnects_a_client_that_stops_sending_halfway)
{
    struct running r;
    start_with(&r, 1);
    char reply[512];
    double took = test_http_raw(r.url,
                                "POST /notes HTTP/1.1\r\nHost: x\r\nContent-Length: 40\r\n\r\n"
                                "{\"text\":",
                                reply, sizeof reply, 10);
    cr_expect(took >= 0.9 && took < 5.0, "the server let a stalled client hold on for %.2f s",
              took);
    stop(&r);
    cr_expect_eq(r.notes.count, 0);
}

Test(an_api, refuses_oversize_headers)
{
    struct running r;
    start(&r);
    static char request[20000];
    char filler[12000];
    memset(filler, 'x', sizeof filler - 1);
    filler[sizeof filler - 1] = '\0';
    snprintf(request, sizeof request,
             "POST /notes HTTP/1.1\r\nHost: x\r\nX-Filler: %s\r\nContent-Length: 23\r\n\r\n"
             "{\"text\":\"a\",\"copies\":1}",
             filler);
    char reply[512];
    test_http_raw(r.url, request, reply, sizeof reply, 5);
    /* evhttp answers 4xx or drops the connection; either way nothing is stored */
    cr_expect(reply[0] == '\0' || strncmp(reply, "HTTP/1.1 4", 10) == 0, "%s", reply);
    stop(&r);
    cr_expect_eq(r.notes.count, 0);
}

Test(an_api, maps_a_refusal_to_422_and_the_client_back_to_the_same_code_and_message)
{
    struct running r;
    start(&r);
    struct http_request req = {.service = "notes",
                               .base_url = r.url,
                               .method = "POST",
                               .path = "/notes",
                               .body = "{\"text\":\"a\",\"copies\":3}"};
    cJSON *out = NULL;
    for (int i = 0; i < 2; i++) {
        cr_expect_eq(http_call(&out, &req), 0, "%s", shop_error_message());
        cJSON_Delete(out);
    }
    cr_expect_eq(http_call(&out, &req), SHOP_EREFUSED);
    cr_expect_str_eq(shop_error_message(), "notes: at most 8");
    cr_expect_null(out);
    req.method = "GET";
    req.path = "/notes/99";
    req.body = NULL;
    cr_expect_eq(http_call(&out, &req), SHOP_ENOTFOUND);
    cr_expect_str_eq(shop_error_message(), "no note '99'");
    stop(&r);
    cr_expect_eq(r.notes.count, 6);
}

Test(an_api, answers_500_when_a_handler_forgets_to_reply)
{
    struct running r;
    start(&r);
    struct http_reply a = send_req(&r, "DELETE", "/notes/1", NULL);
    cr_expect_eq(a.status, 500);
    cJSON_Delete(problem_of(&a));
    http_reply_dispose(&a);
    stop(&r);
}

Test(a_service, stops_when_asked_before_its_loop_has_started, .timeout = 20)
{
    /* the stop is asked for at once; serve_close must not wait forever */
    struct served *s = NULL;
    const struct service_def *def = service_find("payment-gateway");
    struct serve_options o = {.host = "127.0.0.1", .port = 0};
    serve_use_threads();
    cr_assert_eq(serve_open(&s, def, &o), 0, "%s", shop_error_message());
    cr_assert_eq(serve_start_thread(s), 0);
    serve_stop(s);
    serve_close(s);
}

Test(an_api, reports_health_and_counts_requests_in_prometheus_text)
{
    struct running r;
    start(&r);
    struct http_reply a = send_req(&r, "GET", "/notes/0", NULL);
    http_reply_dispose(&a);
    struct http_reply h = send_req(&r, "GET", "/health", NULL);
    cr_expect_eq(h.status, 200);
    cJSON *doc = cJSON_Parse(h.body);
    cr_expect_str_eq(cJSON_GetObjectItem(doc, "service")->valuestring, "notes");
    cr_expect_str_eq(cJSON_GetObjectItem(doc, "status")->valuestring, "up");
    cr_expect_eq(cJSON_GetObjectItem(doc, "pid")->valueint, (int)getpid());
    cJSON_Delete(doc);
    struct http_reply m = send_req(&r, "GET", "/metrics", NULL);
    cr_expect_eq(m.status, 200);
    cr_expect(strstr(m.body, "shop_http_requests_total{service=\"notes\",method=\"GET\","
                             "route=\"/notes/{id}\",status=\"404\"} 1\n"),
              "%s", m.body);
    cr_expect(strstr(m.body, "route=\"/health\",status=\"200\"} 1\n"), "%s", m.body);
    http_reply_dispose(&h);
    http_reply_dispose(&m);
    stop(&r);
}

/* A query string that cannot be read is refused before routing: it is counted as
 * unmatched, not as a request of whichever route comes first in the table. */
Test(an_api, counts_an_unreadable_query_string_as_unmatched)
{
    struct running r;
    start(&r);
    struct http_reply a = send_req(&r, "GET", "/notes/0?broken", NULL);
    cr_expect_eq(a.status, 400, "%s", a.body);
    http_reply_dispose(&a);
    struct http_reply m = send_req(&r, "GET", "/metrics", NULL);
    cr_expect_eq(m.status, 200);
    cr_expect(!strstr(m.body, "route=\"/notes\",status=\"400\""), "%s", m.body);
    cr_expect(strstr(m.body, "shop_http_requests_total{service=\"notes\",method=\"*\","
                             "route=\"unmatched\",status=\"400\"} 1\n"),
              "%s", m.body);
    http_reply_dispose(&m);
    stop(&r);
}

Test(a_client, says_unavailable_when_nothing_listens)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t len = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &len);
    close(fd); /* the port is free again: nothing listens there */
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u", (unsigned)ntohs(a.sin_port));
    struct http_reply reply;
    struct http_request req = {
        .service = "catalog", .base_url = url, .method = "GET", .path = "/products"};
    cr_expect_eq(http_send(&reply, &req), SHOP_EUNAVAILABLE);
    cr_expect(strstr(shop_error_message(), "catalog at 127.0.0.1:"), "%s", shop_error_message());
    cr_expect(strstr(shop_error_message(), ": cannot connect"), "%s", shop_error_message());
}

Test(a_client, gives_up_at_its_deadline_when_the_server_never_answers)
{
    /* listens (the kernel accepts the connection) but never reads or answers */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    cr_assert_eq(listen(fd, 4), 0);
    socklen_t len = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &len);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u", (unsigned)ntohs(a.sin_port));
    struct http_reply reply;
    struct http_request req = {.service = "carrier",
                               .base_url = url,
                               .method = "GET",
                               .path = "/v1/quotes",
                               .timeout_ms = 300};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    cr_expect_eq(http_send(&reply, &req), SHOP_EUNAVAILABLE);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double waited = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    cr_expect_str_eq(strstr(shop_error_message(), "no reply"), "no reply within 300 ms");
    cr_expect(waited >= 0.25 && waited < 3.0, "waited %.3f s", waited);
    close(fd);
}

Test(a_client, refuses_an_address_that_is_not_http_host_port)
{
    struct http_reply reply;
    struct http_request req = {
        .service = "catalog", .base_url = "ftp://x:1", .method = "GET", .path = "/"};
    cr_expect_eq(http_send(&reply, &req), SHOP_EINVALID);
}

Test(problem_mapping, round_trips_every_code_through_its_http_status)
{
    int codes[] = {SHOP_EINVALID, SHOP_ENOTFOUND, SHOP_ECONFLICT, SHOP_EREFUSED, SHOP_EUNAVAILABLE};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        cr_expect_eq(http_problem_code(http_problem_status(codes[i])), codes[i], "%s",
                     shop_error_name(codes[i]));
    cr_expect_eq(http_problem_code(413), SHOP_EINVALID);
    cr_expect_eq(http_problem_code(405), SHOP_EINVALID);
    cr_expect_eq(http_problem_code(504), SHOP_EUNAVAILABLE);
    cr_expect_eq(http_problem_code(204), SHOP_OK);
}
