/*
 * infrastructure/service/serve.c — see serve.h.
 */
#include "infrastructure/service/serve.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "infrastructure/messaging/worker.h"

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
    struct event *stop_event; /* activated by serve_stop, from any thread */
    struct event *db_watch;   /* every second: is the database connection still there? */
    char *conninfo;           /* to connect again; NULL for the environment */
    bool verbose, db_lost;
    /* The service's background workers (relay, consumers), each a thread with its own
     * connection as the service's role; stopped before the service is closed. */
    struct worker_def worker_defs[SERVICE_MAX_WORKERS];
    struct worker *workers[SERVICE_MAX_WORKERS];
    size_t worker_count;
};

static void on_stop(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    event_base_loopbreak(((struct served *)arg)->base);
}

void serve_use_threads(void)
{
    static bool done;
    if (!done) {
        evthread_use_pthreads();
        done = true;
    }
}

/*
 * GET /health of every service with a database: the role its connection really runs as
 * (proof that it is confined to its own schema), "database": "up"/"down" (down makes
 * the service unhealthy: 503), then whatever the service itself adds.
 */
static bool serve_health(void *arg, cJSON *doc)
{
    struct served *s = arg;
    bool healthy = true;
    if (s->db) {
        PGresult *res = PQexec(s->db, "SELECT current_user");
        healthy = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1;
        if (healthy)
            cJSON_AddStringToObject(doc, "db_role", PQgetvalue(res, 0, 0));
        cJSON_AddStringToObject(doc, "database", healthy ? "up" : "down");
        PQclear(res);
    }
    if (s->instance.health && !s->instance.health(s->instance.ctx, doc))
        healthy = false;
    return healthy;
}

/*
 * The database went away (a restart, a failover, an administrator's
 * pg_terminate_backend): while it is gone the service answers 503 (SHOP_EUNAVAILABLE,
 * safe to retry) and /health says "down"; every second it tries to connect again, and
 * once it can, opens the context afresh on the new connection (its prepared statements
 * died with the old one) and serves it from the next request on.  No restart needed, in
 * either process layout.
 */
static void watch_database(evutil_socket_t fd, short what, void *arg)
{
    struct served *s = arg;
    (void)fd;
    (void)what;
    if (PQstatus(s->db) != CONNECTION_BAD)
        return;
    if (!s->db_lost) {
        fprintf(stderr, "%s: lost its database connection; connecting again every second\n",
                s->def->name);
        s->db_lost = true;
    }
    PGconn *fresh = NULL;
    struct service_instance instance;
    if (service_connect(&fresh, s->def, s->conninfo, s->verbose) < 0)
        return;
    struct service_env env = {.name = s->def->name,
                              .db = fresh,
                              .base = s->base,
                              .faults = &s->faults,
                              .verbose = s->verbose};
    if (s->def->open(&instance, &env) < 0) {
        PQfinish(fresh);
        return;
    }
    http_server_set_ctx(s->http, instance.ctx);
    if (s->def->close)
        s->def->close(s->instance.ctx);
    PQfinish(s->db);
    s->db = fresh;
    s->instance = instance;
    s->db_lost = false;
    fprintf(stderr, "%s: connected to its database again\n", s->def->name);
}

static void serve_metrics(void *arg, FILE *out)
{
    struct served *s = arg;
    if (s->instance.metrics)
        s->instance.metrics(s->instance.ctx, out);
    if (s->worker_count == 0)
        return;
    static const struct {
        const char *name, *help;
    } counters[] = {{"shop_worker_steps_total", "Steps a background worker ran (relay, consumer)."},
                    {"shop_worker_failures_total", "Steps of a background worker that failed."},
                    {"shop_worker_wakeups_total", "Notifications that woke a background worker."}};
    struct worker_stats stats[SERVICE_MAX_WORKERS];
    for (size_t i = 0; i < s->worker_count; i++)
        worker_stats(s->workers[i], &stats[i]);
    for (size_t c = 0; c < sizeof counters / sizeof counters[0]; c++) {
        fprintf(out, "# HELP %s %s\n# TYPE %s counter\n", counters[c].name, counters[c].help,
                counters[c].name);
        for (size_t i = 0; i < s->worker_count; i++)
            fprintf(out, "%s{service=\"%s\",worker=\"%s\"} %lu\n", counters[c].name, s->def->name,
                    s->worker_defs[i].name,
                    c == 0   ? stats[i].steps
                    : c == 1 ? stats[i].failures
                             : stats[i].wakeups);
    }
}

/* How a worker connects: as the service does, to its role (service_connect). */
static int serve_worker_connect(PGconn **out, void *arg)
{
    struct served *s = arg;
    return service_connect(out, s->def, s->conninfo, s->verbose);
}

/* Starts the service's workers (service_def.workers), each in its thread. */
static int start_workers(struct served *s)
{
    void *args[SERVICE_MAX_WORKERS] = {0};
    if (!s->def->workers || !s->def->db_role)
        return 0;
    size_t n = s->def->workers(s->worker_defs, args, SERVICE_MAX_WORKERS);
    if (n > SERVICE_MAX_WORKERS)
        n = SERVICE_MAX_WORKERS;
    struct worker_options options = {.listen = -1, .verbose = s->verbose};
    for (size_t i = 0; i < n; i++) {
        int rc = worker_start(&s->workers[i], &s->worker_defs[i], args[i], serve_worker_connect, s,
                              &options);
        if (rc < 0)
            return rc;
        s->worker_count = i + 1;
    }
    return 0;
}

static void stop_workers(struct served *s)
{
    for (size_t i = s->worker_count; i-- > 0;)
        worker_stop(s->workers[i]);
    s->worker_count = 0;
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
    s->conninfo = options->conninfo ? shop_xstrdup(options->conninfo) : NULL;
    s->verbose = options->verbose;

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
    /* A stop asked for before the loop runs must not be lost (a loopbreak would be:
     * the loop clears it when it starts); an activated event waits for the loop. */
    s->stop_event = event_new(s->base, -1, 0, on_stop, s);
    if (!s->stop_event)
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
                                               .health = serve_health,
                                               .metrics = serve_metrics,
                                               .hooks_ctx = s};
    if ((rc = http_server_new(&s->http, s->base, host, port, s->instance.routes,
                              s->instance.route_count, s->instance.ctx, &http_options)) < 0)
        goto fail;
    if (s->db) {
        static const struct timeval every_second = {1, 0};
        s->db_watch = event_new(s->base, -1, EV_PERSIST, watch_database, s);
        if (!s->db_watch)
            shop_out_of_memory();
        event_add(s->db_watch, &every_second);
    }
    if ((rc = start_workers(s)) < 0)
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

void serve_stop(struct served *s)
{
    if (s && s->stop_event)
        event_active(s->stop_event, EV_READ, 0);
}

void serve_close(struct served *s)
{
    if (!s)
        return;
    if (s->threaded) {
        pthread_join(s->thread, NULL);
        s->threaded = false;
    }
    /* The workers first: they may use what the service's close frees. */
    stop_workers(s);
    http_server_free(s->http);
    if (s->opened && s->def->close)
        s->def->close(s->instance.ctx);
    if (s->stop_event)
        event_free(s->stop_event);
    if (s->db_watch)
        event_free(s->db_watch);
    if (s->base)
        event_base_free(s->base);
    if (s->db)
        PQfinish(s->db);
    free(s->conninfo);
    free(s);
}
