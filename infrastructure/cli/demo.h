/*
 * infrastructure/cli/demo.h — the steps of `shop demo` that live in files of their own.
 * Read next: infrastructure/cli/cmd_demo.c
 */
#ifndef SHOP_INFRASTRUCTURE_CLI_DEMO_H
#define SHOP_INFRASTRUCTURE_CLI_DEMO_H

#include "infrastructure/cli/cli.h"

#include <cjson/cJSON.h>
#include <libpq-fe.h>

/* Prints the tour's text (nothing with --json, where the steps fill a JSON document). */
void demo_say(const struct cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Step 5: orders placed, confirmed and cancelled by Ordering's command handlers on the
 * PostgreSQL event store.  Adds "event_sourcing" to doc (may be NULL).  The connection's
 * role is switched to shop_ordering for the step and reset afterwards.
 */
int demo_event_sourcing(const struct cli *cli, PGconn *conn, cJSON *doc);

/*
 * Step 6: Catalog, Inventory and Ordering started as services in this process and used
 * over HTTP only.  Adds "services" to doc (may be NULL).
 */
int demo_services_step(const struct cli *cli, cJSON *doc);

/*
 * Step 7: Catalog, Ordering and Notifications as services with their workers; a price
 * change reaches Ordering's replica through outbox, relay, bus and consumer; an order is
 * placed with Catalog stopped; its trace and its notification.  Adds "messaging" to doc.
 */
int demo_messaging_step(const struct cli *cli, PGconn *conn, cJSON *doc);

/* ---- helpers of the steps that run services (demo_services.c) ---- */

struct served;
struct demo_service {
    const char *name;
    struct served *served;
    char url[64];
};

/* Starts the service NAME in this process (a thread, as `shop up --monolith` does), on a
 * port the kernel chooses, and points this process's clients at it; prints it, and adds
 * {name, address, db_role} to out (may be NULL). */
int demo_start_service(const struct cli *cli, struct demo_service *svc, const char *name,
                       cJSON *out);
void demo_stop_service(struct demo_service *svc);

/* One HTTP call to svc, printed as it goes; the reply's JSON in *out (may be NULL). */
int demo_call(const struct cli *cli, cJSON **out, const struct demo_service *svc,
              const char *method, const char *path, const char *body);
const char *demo_string(const cJSON *doc, const char *field); /* "?" if absent */
double demo_number(const cJSON *doc, const char *field);      /* -1 if absent */

#endif
