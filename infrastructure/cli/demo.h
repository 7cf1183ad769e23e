/*
 * infrastructure/cli/demo.h — the steps of `shop demo` that live in files of their own.
 * Read next: infrastructure/cli/cmd_demo.c, infrastructure/cli/demo_fulfilment.c
 */
#ifndef SHOP_INFRASTRUCTURE_CLI_DEMO_H
#define SHOP_INFRASTRUCTURE_CLI_DEMO_H

#include "infrastructure/cli/cli.h"

#include <cjson/cJSON.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <sys/types.h>

/* Prints the tour's text (nothing with --json, where the steps fill a JSON document). */
void demo_say(const struct cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The system the demo runs on: the services at their addresses, or a `shop up` the demo
 * started itself (up_pid > 0), which demo_system_stop stops. */
struct demo_system {
    pid_t up_pid;
    char log[256]; /* where the started `shop up` writes */
};

/*
 * Step 5: uses the services if every one answers /health, or starts `shop up` (a child
 * process with its own process group, its output in a temporary log) and waits until
 * they all answer.  Adds "system": "running" / "started" to doc (may be NULL).
 */
int demo_system_start(const struct cli *cli, struct demo_system *sys, cJSON *doc);
/* Stops the `shop up` the demo started, if it did (SIGTERM, then SIGKILL after 15 s). */
void demo_system_stop(const struct cli *cli, struct demo_system *sys);

/*
 * Steps 6 to 9 on the running system: a catalogue and stock, four orders with the four
 * outcomes of docs/cli.md, the patterns they touched, and the checks that the system is
 * left consistent.  *ok: every order had the outcome the shop promises and no stock of
 * the demo's products is left reserved.  Adds "fulfilment" to doc (may be NULL).
 */
int demo_fulfilment_step(const struct cli *cli, PGconn *conn, cJSON *doc, bool *ok);

/* Members of a reply: "?" / -1 when absent. */
const char *demo_string(const cJSON *doc, const char *field);
double demo_number(const cJSON *doc, const char *field);

#endif
