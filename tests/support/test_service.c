/*
 * tests/support/test_service.c — see test_service.h.
 */
#include "tests/support/test_service.h"

#include "domain/shared/error.h"
#include "infrastructure/http/http_client.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

void test_service_start(struct test_service *t, const char *name, const char *db_name,
                        const struct service_faults *faults)
{
    const struct service_def *def = service_find(name);
    cr_assert(def, "no service %s", name);
    char conninfo[128];
    snprintf(conninfo, sizeof conninfo, "dbname=%s", db_name ? db_name : "postgres");
    struct serve_options options = {.conninfo = conninfo, .host = "127.0.0.1", .port = 0};
    if (faults)
        options.faults = *faults;
    serve_use_threads();
    int rc = serve_open(&t->served, def, &options);
    cr_assert_eq(rc, 0, "starting %s: %s", name, shop_error_message());
    snprintf(t->url, sizeof t->url, "http://127.0.0.1:%u", (unsigned)serve_port(t->served));
    cr_assert_eq(serve_start_thread(t->served), 0, "%s", shop_error_message());
}

void test_service_stop(struct test_service *t)
{
    if (!t->served)
        return;
    serve_stop(t->served);
    serve_close(t->served);
    t->served = NULL;
}

void test_http(struct test_reply *out, const char *url, const char *method, const char *path,
               const char *body)
{
    struct http_reply reply;
    struct http_request req = {
        .service = "test", .base_url = url, .method = method, .path = path, .body = body};
    int rc = http_send(&reply, &req);
    cr_assert_eq(rc, 0, "%s %s%s: %s", method, url, path, shop_error_message());
    out->status = reply.status;
    out->body = reply.body ? reply.body : calloc(1, 1);
    out->content_type = reply.content_type;
    out->json = cJSON_Parse(out->body);
}

void test_reply_dispose(struct test_reply *r)
{
    free(r->body);
    free(r->content_type);
    cJSON_Delete(r->json);
    *r = (struct test_reply){0};
}

long test_service_counter(const char *url, const char *name, const char *labels_part)
{
    struct test_reply r;
    size_t n = strlen(name);
    long value = -1;
    test_http(&r, url, "GET", "/metrics", NULL);
    cr_assert_eq(r.status, 200, "GET %s/metrics: %d", url, r.status);
    for (char *line = strtok(r.body, "\n"); line; line = strtok(NULL, "\n"))
        if (strncmp(line, name, n) == 0 && (line[n] == '{' || line[n] == ' ') &&
            (!labels_part || strstr(line, labels_part))) {
            value = atol(strrchr(line, ' ') + 1);
            break;
        }
    test_reply_dispose(&r);
    cr_assert_geq(value, 0, "no %s in %s/metrics", name, url);
    return value;
}

const char *test_reply_string(const struct test_reply *r, const char *field)
{
    const cJSON *v = r->json ? cJSON_GetObjectItemCaseSensitive(r->json, field) : NULL;
    return cJSON_IsString(v) ? v->valuestring : "";
}

double test_http_raw(const char *url, const char *text, char *reply, size_t size, int wait_s)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    a.sin_port = htons((uint16_t)atoi(strrchr(url, ':') + 1));
    cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0, "connecting to %s", url);
    struct timeval tv = {.tv_sec = wait_s};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    size_t len = strlen(text), sent = 0;
    while (sent < len) {
        ssize_t n = send(fd, text + sent, len - sent, MSG_NOSIGNAL);
        if (n <= 0)
            break;
        sent += (size_t)n;
    }
    size_t got = 0;
    ssize_t n;
    while (got + 1 < size && (n = recv(fd, reply + got, size - 1 - got, 0)) > 0)
        got += (size_t)n;
    reply[got] = '\0';
    clock_gettime(CLOCK_MONOTONIC, &t1);
    close(fd);
    return (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
}
