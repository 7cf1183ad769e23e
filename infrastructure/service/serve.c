/*
 * infrastructure/service/serve.c — see serve.h.
 */
#include "infrastructure/service/serve.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"

#include <event2/event.h>
#include <event2/thread.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct served {
    const struct service_def *def;
    PGconn *db;
    struct event_base *base;
    struct http_server *http;
    struct service_instance instance;
    struct service_faults faults;
    bool opened;
    pthread_t thread;
    bool threaded;
    char host[128];
};

void serve_use_threads(void)
{
    static bool done;
    if (!done) {
        evthread_use_pthreads();
        done = true;
    }
}

int serve_open(struct served **out, const struct service_def *def,
               const struct serve_options *options)
{
    char url[SERVICE_URL_MAX], host[128];
    uint16_t port = 0;
    int rc;

    *out = NULL;
    struct served *s = shop_xcalloc(1, sizeof *s);
    s->def = def;
    s->faults = options->faults;

    if (options->host && options->port >= 0) {
        snprintf(host, sizeof host, "%s", options->host);
        port = (uint16_t)options->port;
    } else {
        if ((rc = service_url(url, def->name, options->api_url)) < 0 ||
            (rc = service_url_split(url, host, sizeof host, &port)) < 0)
            goto fail;
        if (options->host)
            snprintf(host, sizeof host, "%s", options->host);
        if (options->port >= 0)
            port = (uint16_t)options->port;
    }
    snprintf(s->host, sizeof s->host, "%s", host);
    if (def->db_role &&
        (rc = service_connect(&s->db, def, options->conninfo, options->verbose)) < 0)
        goto fail;
    s->base = event_base_new();
    if (!s->base)
        shop_out_of_memory();
    struct service_env env = {.name = def->name,
                              .db = s->db,
                              .base = s->base,
                              .faults = &s->faults,
                              .verbose = options->verbose};
    if ((rc = def->open(&s->instance, &env)) < 0)
        goto fail;
    s->opened = true;
    struct http_server_options http_options = {.service = def->name,
                                               .log_requests = options->log_requests,
                                               .health = s->instance.health,
                                               .metrics = s->instance.metrics};
    if ((rc = http_server_new(&s->http, s->base, host, port, s->instance.routes,
                              s->instance.route_count, s->instance.ctx, &http_options)) < 0)
        goto fail;
    *out = s;
    return 0;
fail:
    serve_close(s);
    return rc;
}

uint16_t serve_port(const struct served *s) { return http_server_port(s->http); }
const char *serve_host(const struct served *s) { return s->host; }
const char *serve_name(const struct served *s) { return s->def->name; }
struct event_base *serve_base(struct served *s) { return s->base; }

int serve_run(struct served *s)
{
    /* A client that goes away while we answer must not end the service: SIGPIPE is
     * blocked for the loop's thread, and the failed write closes that connection only. */
    sigset_t pipe_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, NULL);
    if (event_base_dispatch(s->base) < 0)
        return shop_error_set(SHOP_EINTERNAL, "%s: the event loop failed", s->def->name);
    return 0;
}

static void *thread_main(void *arg)
{
    serve_run(arg);
    return NULL;
}

int serve_start_thread(struct served *s)
{
    if (pthread_create(&s->thread, NULL, thread_main, s) != 0)
        return shop_error_set(SHOP_EIO, "%s: cannot start a thread", s->def->name);
    s->threaded = true;
    return 0;
}

static void break_loop(evutil_socket_t fd, short what, void *base)
{
    (void)fd;
    (void)what;
    event_base_loopbreak(base);
}

void serve_stop(struct served *s)
{
    /* Not event_base_loopbreak alone: a loop that has not started yet (a thread just
     * created) would forget it and run forever.  A timer due now breaks the loop from
     * inside, whenever the loop runs. */
    static const struct timeval now;
    if (s && s->base && event_base_once(s->base, -1, EV_TIMEOUT, break_loop, s->base, &now) < 0)
        event_base_loopbreak(s->base);
}

void serve_close(struct served *s)
{
    if (!s)
        return;
    if (s->threaded) {
        pthread_join(s->thread, NULL);
        s->threaded = false;
    }
    http_server_free(s->http);
    if (s->opened && s->def->close)
        s->def->close(s->instance.ctx);
    if (s->base)
        event_base_free(s->base);
    if (s->db)
        PQfinish(s->db);
    free(s);
}
