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

#endif
