/*
 * tests/support/fake_catalog.c — see fake_catalog.h.
 */
#include "tests/support/fake_catalog.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "infrastructure/http/http_server.h"
#include "infrastructure/service/serve.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define FAKE_MAX_PRODUCTS 128

struct fake_catalog {
    struct event_base *base;
    struct http_server *server;
    pthread_t thread;
    pthread_mutex_t lock;
    char url[FAKE_URL_SIZE];
    struct {
        char sku[40];
        char price[40];
    } products[FAKE_MAX_PRODUCTS];
    size_t count;
    int fail_status;
    unsigned requests;
};

static void get_product(struct http_exchange *x, void *ctx)
{
    struct fake_catalog *c = ctx;
    const char *sku = http_param(x, "sku");
    char price[40] = "";
    int fail;

    pthread_mutex_lock(&c->lock);
    c->requests++;
    fail = c->fail_status;
    for (size_t i = 0; i < c->count && !price[0]; i++)
        if (strcmp(c->products[i].sku, sku) == 0)
            snprintf(price, sizeof price, "%s", c->products[i].price);
    for (size_t i = 0; i < c->count && !price[0]; i++)
        if (strcmp(c->products[i].sku, "*") == 0)
            snprintf(price, sizeof price, "%s", c->products[i].price);
    pthread_mutex_unlock(&c->lock);

    if (fail) {
        http_reply_problem(x, fail, "unavailable", "the fake catalog is failing on purpose");
        return;
    }
    if (!price[0]) {
        char detail[96];
        snprintf(detail, sizeof detail, "product %s not found", sku);
        http_reply_problem(x, 404, "not-found", detail);
        return;
    }
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "sku", sku);
    cJSON_AddStringToObject(doc, "name", "A product");
    cJSON_AddStringToObject(doc, "price", price);
    http_reply_json(x, 200, doc);
}

static const struct http_route routes[] = {{"GET", "/products/{sku}", get_product}};

static void *run(void *arg)
{
    struct fake_catalog *c = arg;
    event_base_dispatch(c->base);
    return NULL;
}

struct fake_catalog *fake_catalog_start(void)
{
    struct fake_catalog *c = shop_xcalloc(1, sizeof *c);
    struct http_server_options options = {.service = "fake-catalog"};
    serve_use_threads();
    pthread_mutex_init(&c->lock, NULL);
    c->base = event_base_new();
    cr_assert(c->base, "event_base_new");
    cr_assert_eq(http_server_new(&c->server, c->base, "127.0.0.1", 0, routes, 1, c, &options), 0,
                 "fake catalog: %s", shop_error_message());
    snprintf(c->url, sizeof c->url, "http://127.0.0.1:%u", (unsigned)http_server_port(c->server));
    cr_assert_eq(pthread_create(&c->thread, NULL, run, c), 0, "fake catalog: thread");
    return c;
}

void fake_catalog_stop(struct fake_catalog *c)
{
    if (!c)
        return;
    event_base_loopbreak(c->base);
    pthread_join(c->thread, NULL);
    http_server_free(c->server);
    event_base_free(c->base);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

const char *fake_catalog_url(const struct fake_catalog *c)
{
    return c->url;
}

void fake_catalog_set(struct fake_catalog *c, const char *sku, const char *price)
{
    pthread_mutex_lock(&c->lock);
    size_t i = 0;
    while (i < c->count && strcmp(c->products[i].sku, sku) != 0)
        i++;
    cr_assert_lt(i, FAKE_MAX_PRODUCTS, "fake catalog: too many products");
    snprintf(c->products[i].sku, sizeof c->products[i].sku, "%s", sku);
    snprintf(c->products[i].price, sizeof c->products[i].price, "%s", price);
    if (i == c->count)
        c->count++;
    pthread_mutex_unlock(&c->lock);
}

void fake_catalog_fail_with(struct fake_catalog *c, int status)
{
    pthread_mutex_lock(&c->lock);
    c->fail_status = status;
    pthread_mutex_unlock(&c->lock);
}

unsigned fake_catalog_requests(struct fake_catalog *c)
{
    pthread_mutex_lock(&c->lock);
    unsigned n = c->requests;
    pthread_mutex_unlock(&c->lock);
    return n;
}

/* A TCP socket bound to 127.0.0.1 on a port the kernel chooses; its URL in out. */
static int bound_socket(char out[FAKE_URL_SIZE])
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert_geq(fd, 0, "socket");
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0, "bind");
    cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0, "getsockname");
    snprintf(out, FAKE_URL_SIZE, "http://127.0.0.1:%u", (unsigned)ntohs(a.sin_port));
    return fd;
}

void fake_closed_url(char out[FAKE_URL_SIZE])
{
    close(bound_socket(out)); /* bound, never listened: connecting is refused */
}

int fake_silent_listener(char out[FAKE_URL_SIZE])
{
    int fd = bound_socket(out);
    cr_assert_eq(listen(fd, 16), 0, "listen");
    return fd;
}
