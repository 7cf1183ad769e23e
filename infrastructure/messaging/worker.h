/*
 * infrastructure/messaging/worker.h — a background worker of a service: a relay or a
 * consumer running in its own thread, on its own database connection.
 *
 * The loop (worker.c):
 *     connect (through the service's connect function: the context's role) and LISTEN
 *     loop:  step() until it says there is no more work
 *            wait for a notification on one of the channels, or poll_ms, or stop
 * NOTIFY only wakes the worker; it also runs every poll_ms without one, so a
 * notification lost while it was disconnected (or never sent) delays the work by one
 * poll at most, and loses nothing.  A lost connection is made again every second; the
 * worker's ctx is closed and opened again on the new connection.
 *
 * Settings every worker reads from the environment (documented in docs/cli.md):
 *   SHOP_MESSAGING_POLL_MS   poll interval, default WORKER_DEFAULT_POLL_MS
 *   SHOP_MESSAGING_LISTEN    0: do not LISTEN, poll only (bench/messaging compares)
 * Read next: relay.h, consumer.h
 */
#ifndef SHOP_INFRASTRUCTURE_MESSAGING_WORKER_H
#define SHOP_INFRASTRUCTURE_MESSAGING_WORKER_H

#include <libpq-fe.h>
#include <stdbool.h>

#define WORKER_DEFAULT_POLL_MS 1000
#define WORKER_MAX_CHANNELS    4

struct worker_def {
    const char *name; /* for the log and /metrics: "catalog relay", "ordering price-list" */
    /* Channels to LISTEN on ("shop_bus", "shop_outbox_catalog"), NULL-terminated. */
    const char *channels[WORKER_MAX_CHANNELS + 1];
    /* Builds the worker's state on a fresh connection (called again after a reconnect). */
    int (*open)(void **ctx, PGconn *conn, void *arg);
    /* Does the work there is, in one or more transactions; *more: call again at once. */
    int (*step)(void *ctx, bool *more);
    void (*close)(void *ctx);
};

/* How a worker connects: the service's own connect (service_connect), so the worker runs
 * as the context's role. */
typedef int worker_connect_fn(PGconn **out, void *connect_arg);

struct worker_options {
    int poll_ms;  /* 0: $SHOP_MESSAGING_POLL_MS or WORKER_DEFAULT_POLL_MS */
    int listen;   /* 1 listen, 0 poll only, -1: $SHOP_MESSAGING_LISTEN (default 1) */
    bool verbose; /* log each step that did work */
};

struct worker;

/* Starts the thread; the first connection is made in the thread (a database that is not
 * there yet is retried every second). */
int worker_start(struct worker **out, const struct worker_def *def, void *arg,
                 worker_connect_fn *connect, void *connect_arg, const struct worker_options *opt);

/* Asks the worker to stop after its current step, waits for it, closes everything. */
void worker_stop(struct worker *w);

/* Steps run and steps that failed, for /metrics. */
struct worker_stats {
    unsigned long steps;
    unsigned long failures;
    unsigned long wakeups; /* notifications received */
};
void worker_stats(const struct worker *w, struct worker_stats *out);

#endif
