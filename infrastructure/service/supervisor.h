/*
 * infrastructure/service/supervisor.h — runs programs as child processes and keeps them
 * running: what `shop up` does with one `shop serve NAME` per service.
 *
 * Pattern: a process supervisor (as in Erlang/OTP's one_for_one, runit, systemd), the
 * operational half of microservices (docs/patterns/microservices.md).  One event loop
 * (libevent) does everything, no busy waiting:
 *   - each child's stdout and stderr come through one pipe and are printed line by line,
 *     prefixed with the child's name ("catalog         | ...");
 *   - a child that ends (SIGCHLD) is told about ("exited with status 3", "killed by
 *     signal 9") and started again after a delay that doubles from backoff_initial_s to
 *     backoff_max_s, and starts over once a child has stayed up stable_after_s;
 *   - SIGINT, SIGTERM or SIGHUP stops everything: SIGTERM to every child, SIGKILL to
 *     those still running stop_grace_s later, and supervisor_run returns once every
 *     child has been reaped and every pipe read to its end.
 * Children are in a process group of their own (Ctrl-C reaches the supervisor only, which
 * stops them in order) and get SIGTERM if the supervisor dies (PR_SET_PDEATHSIG), so no
 * child outlives it.
 * Read next: infrastructure/cli/cmd_up.c (its user), monolith.h (the other layout).
 */
#ifndef SHOP_INFRASTRUCTURE_SERVICE_SUPERVISOR_H
#define SHOP_INFRASTRUCTURE_SERVICE_SUPERVISOR_H

#include <stdio.h>

struct supervisor;

struct supervisor_options {
    double backoff_initial_s; /* first restart delay; 0 means 0.5 */
    double backoff_max_s;     /* the delay doubles up to this; 0 means 30 */
    double stable_after_s;    /* up this long: the next delay starts over; 0 means 30 */
    double stop_grace_s;      /* SIGTERM, then SIGKILL after this; 0 means 5 */
    const char *own_name;     /* the prefix of the supervisor's own lines; "shop up" */
    FILE *out;                /* where every line goes; NULL means stdout */
    /* Called once when a stop signal arrives, before the children are told (the
     * monolith stops its threads here); may be NULL. */
    void (*on_stop)(void *ctx);
    void *on_stop_ctx;
};

struct supervisor *supervisor_new(const struct supervisor_options *options);
void supervisor_free(struct supervisor *sup);

/* Adds a child: `path` is executed with argv (NULL-terminated; both copied). */
void supervisor_add(struct supervisor *sup, const char *name, const char *path,
                    const char *const argv[]);

/* Widens the name column for lines printed with supervisor_say under other names. */
void supervisor_reserve_name(struct supervisor *sup, const char *name);

/* Prints one line "name | text" in the supervisor's output. */
void supervisor_say(struct supervisor *sup, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Starts every child and supervises them until a stop signal, then stops them.  Returns
 * 0 after a requested stop, SHOP_EINTERNAL if the event loop could not run.
 */
int supervisor_run(struct supervisor *sup);

#endif
