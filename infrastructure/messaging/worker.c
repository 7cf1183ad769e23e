/*
 * infrastructure/messaging/worker.c — a background worker: a relay or a consumer in a
 * thread of its own, on a database connection of its own (see worker.h).
 *
 * The loop:
 *     connect (the service's connect: its role), LISTEN on the channels, def->open
 *     step until it says there is no more work
 *     poll() on the connection's socket and on a stop pipe, for poll_ms at most:
 *         the socket is readable: PQconsumeInput, PQnotifies (a wake-up: step again)
 *         the stop pipe is readable: close and leave
 *         poll_ms passed: step again anyway (a notification lost is a delay, not a loss)
 *     after a notification, also look again after 10, 20, 40... ms (WORKER_RECHECK_FIRST_MS)
 * A lost connection (a failed step with CONNECTION_BAD, or PQconsumeInput failing) closes
 * the worker's state and connection, and every second a new connection is tried; the
 * state is opened again on it.  NOTIFY never carries data: it only says "look now".
 * worker_stop writes a byte into the pipe, so a worker waiting in poll() stops at once,
 * and one in the middle of a step stops after it.
 * Read next: relay.c, consumer.c, infrastructure/service/serve.c (who starts workers)
 */
#include "infrastructure/messaging/worker.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WORKER_RECONNECT_MS 1000

/*
 * A wake-up may come before its work can be seen: readers of the bus and of the event
 * log see a transaction only once every older transaction of the cluster has finished
 * (gap-free reading, consumer.c), and a long one elsewhere can hold that back.  So after
 * a notification the worker also looks again after 10 ms, 20 ms, 40 ms... until the
 * interval reaches poll_ms: the message comes as soon as it is visible, not a whole
 * poll later.  Empty steps cost one short transaction each.
 */
#define WORKER_RECHECK_FIRST_MS 10

struct worker {
    const struct worker_def *def;
    void *arg;
    worker_connect_fn *connect;
    void *connect_arg;
    int poll_ms;
    bool listen, verbose;
    int stop_pipe[2];
    atomic_bool stopping;
    pthread_t thread;
    atomic_ulong steps, failures, wakeups;
    PGconn *conn;
    void *ctx;
    bool open;
};

static int env_int(const char *name, int fallback)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return fallback;
    char *end;
    long n = strtol(v, &end, 10);
    return *end == '\0' && n >= 0 && n <= 3600000 ? (int)n : fallback;
}

/* Waits for the stop pipe, the connection's socket (sock < 0: none) or ms.  Returns
 * 1 when asked to stop, 2 when the socket is readable, 0 on timeout. */
static int wait_for(struct worker *w, int sock, int ms)
{
    struct pollfd fds[2] = {{.fd = w->stop_pipe[0], .events = POLLIN},
                            {.fd = sock, .events = POLLIN}};
    int n = poll(fds, sock >= 0 ? 2 : 1, ms);
    if (n < 0 && errno != EINTR)
        return 0;
    if (atomic_load(&w->stopping) || (n > 0 && (fds[0].revents & POLLIN)))
        return 1;
    return n > 0 && sock >= 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) ? 2 : 0;
}

static void disconnect(struct worker *w)
{
    if (w->open && w->def->close)
        w->def->close(w->ctx);
    w->open = false;
    w->ctx = NULL;
    if (w->conn)
        PQfinish(w->conn);
    w->conn = NULL;
}

/* Connects, LISTENs, opens the worker's state.  0 or an error (logged by the caller). */
static int connect_and_open(struct worker *w)
{
    int rc = w->connect(&w->conn, w->connect_arg);
    if (rc < 0) {
        w->conn = NULL;
        return rc;
    }
    for (int i = 0; w->listen && i < WORKER_MAX_CHANNELS && w->def->channels[i]; i++) {
        char *quoted =
            PQescapeIdentifier(w->conn, w->def->channels[i], strlen(w->def->channels[i]));
        if (!quoted)
            shop_out_of_memory();
        char sql[128];
        snprintf(sql, sizeof sql, "LISTEN %s", quoted);
        PQfreemem(quoted);
        PGresult *res = PQexec(w->conn, sql);
        bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
        PQclear(res);
        if (!ok) {
            rc = shop_error_set(SHOP_EUNAVAILABLE, "LISTEN %s: %s", w->def->channels[i],
                                PQerrorMessage(w->conn));
            disconnect(w);
            return rc;
        }
    }
    if ((rc = w->def->open(&w->ctx, w->conn, w->arg)) < 0) {
        disconnect(w);
        return rc;
    }
    w->open = true;
    return 0;
}

/* Takes what the server sent: notifications count as wake-ups.  False: connection lost. */
static bool drain_notifications(struct worker *w, bool *woken)
{
    if (!PQconsumeInput(w->conn) || PQstatus(w->conn) != CONNECTION_OK)
        return false;
    PGnotify *n;
    while ((n = PQnotifies(w->conn)) != NULL) {
        atomic_fetch_add(&w->wakeups, 1);
        *woken = true;
        PQfreemem(n);
    }
    return true;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    bool reported_down = false;
    int recheck_ms = 0;
    while (!atomic_load(&w->stopping)) {
        if (!w->open) {
            if (connect_and_open(w) < 0) {
                if (!reported_down)
                    fprintf(stderr, "%s: %s; trying again every second\n", w->def->name,
                            shop_error_message());
                reported_down = true;
                if (wait_for(w, -1, WORKER_RECONNECT_MS) == 1)
                    break;
                continue;
            }
            if (reported_down)
                fprintf(stderr, "%s: connected to its database again\n", w->def->name);
            reported_down = false;
        }

        bool more = true;
        while (more && !atomic_load(&w->stopping)) {
            more = false;
            int rc = w->def->step(w->ctx, &more);
            atomic_fetch_add(&w->steps, 1);
            if (rc < 0) {
                atomic_fetch_add(&w->failures, 1);
                fprintf(stderr, "%s: %s\n", w->def->name, shop_error_message());
                more = false; /* tried again at the next wake-up or poll */
            } else if (w->verbose && more) {
                fprintf(stderr, "%s: a step did work; more to do\n", w->def->name);
            }
        }
        if (PQstatus(w->conn) != CONNECTION_OK) {
            fprintf(stderr, "%s: lost its database connection; connecting again every second\n",
                    w->def->name);
            reported_down = true;
            disconnect(w);
            continue; /* try at once; then every second */
        }

        /* Notifications that came in with the step's results are already buffered: they
         * ask for another step at once. */
        bool woken = false;
        PGnotify *n;
        while ((n = PQnotifies(w->conn)) != NULL) {
            atomic_fetch_add(&w->wakeups, 1);
            woken = true;
            PQfreemem(n);
        }
        if (woken) {
            recheck_ms = WORKER_RECHECK_FIRST_MS;
            continue;
        }
        /* After a wake-up, look again soon, then less and less soon, up to poll_ms. */
        int wait_ms = recheck_ms > 0 && recheck_ms < w->poll_ms ? recheck_ms : w->poll_ms;
        recheck_ms = recheck_ms > 0 && recheck_ms < w->poll_ms ? recheck_ms * 2 : 0;
        int why = wait_for(w, PQsocket(w->conn), wait_ms);
        if (why == 1)
            break;
        if (why == 2 && drain_notifications(w, &woken)) {
            if (woken)
                recheck_ms = WORKER_RECHECK_FIRST_MS;
        } else if (why == 2) {
            fprintf(stderr, "%s: lost its database connection; connecting again every second\n",
                    w->def->name);
            reported_down = true;
            disconnect(w);
        }
    }
    disconnect(w);
    return NULL;
}

int worker_start(struct worker **out, const struct worker_def *def, void *arg,
                 worker_connect_fn *connect, void *connect_arg, const struct worker_options *opt)
{
    static const struct worker_options defaults = {.listen = -1};
    *out = NULL;
    if (!opt)
        opt = &defaults;
    struct worker *w = shop_xcalloc(1, sizeof *w);
    w->def = def;
    w->arg = arg;
    w->connect = connect;
    w->connect_arg = connect_arg;
    w->poll_ms =
        opt->poll_ms > 0 ? opt->poll_ms : env_int("SHOP_MESSAGING_POLL_MS", WORKER_DEFAULT_POLL_MS);
    if (w->poll_ms <= 0)
        w->poll_ms = WORKER_DEFAULT_POLL_MS;
    w->listen = opt->listen >= 0 ? opt->listen != 0 : env_int("SHOP_MESSAGING_LISTEN", 1) != 0;
    w->verbose = opt->verbose;
    if (pipe(w->stop_pipe) < 0) {
        free(w);
        return shop_error_set(SHOP_EIO, "%s: cannot make a pipe: %s", def->name, strerror(errno));
    }
    fcntl(w->stop_pipe[0], F_SETFD, FD_CLOEXEC);
    fcntl(w->stop_pipe[1], F_SETFD, FD_CLOEXEC);
    if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
        close(w->stop_pipe[0]);
        close(w->stop_pipe[1]);
        free(w);
        return shop_error_set(SHOP_EIO, "%s: cannot start a thread", def->name);
    }
    *out = w;
    return 0;
}

void worker_stop(struct worker *w)
{
    if (!w)
        return;
    atomic_store(&w->stopping, true);
    char byte = 1;
    if (write(w->stop_pipe[1], &byte, 1) < 0) {
        /* the flag alone stops it at the next wake-up */
    }
    pthread_join(w->thread, NULL);
    close(w->stop_pipe[0]);
    close(w->stop_pipe[1]);
    free(w);
}

void worker_stats(const struct worker *w, struct worker_stats *out)
{
    out->steps = atomic_load(&w->steps);
    out->failures = atomic_load(&w->failures);
    out->wakeups = atomic_load(&w->wakeups);
}
