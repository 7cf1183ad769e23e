/*
 * infrastructure/service/serve.h — running services: one service on its own loop until
 * asked to stop.  `shop serve NAME` runs one in the main thread; `shop up --monolith`
 * runs one per thread; tests run one in a background thread on a port the kernel
 * chooses.  A service whose database connection is lost answers 503 and connects again
 * by itself (serve.c: watch_database).
 * Read next: serve.c, infrastructure/cli/cmd_serve.c.
 */
#ifndef SHOP_INFRASTRUCTURE_SERVICE_SERVE_H
#define SHOP_INFRASTRUCTURE_SERVICE_SERVE_H

#include "infrastructure/service/service.h"

#include <stdbool.h>
#include <stdint.h>

struct serve_options {
    const char *conninfo; /* NULL: SHOP_DATABASE_URL / libpq environment */
    const char *host;     /* NULL: from the service's URL (service_url) */
    int port;             /* -1: from the service's URL; 0: the kernel chooses */
    const char *api_url;  /* --api, for service_url; NULL for the environment */
    struct service_faults faults;
    bool verbose;
    bool log_requests;
};

/* A started service: its database connection, loop and HTTP server. */
struct served;

/*
 * Connects (as the service's role), opens the service and listens.  The loop is new and
 * not yet running: run it with serve_run (this thread) or serve_start_thread.
 */
int serve_open(struct served **out, const struct service_def *def,
               const struct serve_options *options);
uint16_t serve_port(const struct served *s);
const char *serve_host(const struct served *s);
const char *serve_name(const struct served *s);
struct event_base *serve_base(struct served *s);

/* Runs the loop here until serve_stop (from any thread or a signal handler's loop). */
int serve_run(struct served *s);
/* Runs the loop in a new thread. */
int serve_start_thread(struct served *s);
/* Asks the loop to finish the request in hand and return; safe from any thread. */
void serve_stop(struct served *s);
/* Waits for a thread started by serve_start_thread, then closes everything. */
void serve_close(struct served *s);

/* Makes libevent usable from several threads; call once before serve_open. */
void serve_use_threads(void);

#endif
