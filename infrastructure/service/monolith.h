/*
 * infrastructure/service/monolith.h — the modular monolith: every bounded context in ONE
 * process, one thread per context, each with its own event loop, its own HTTP server at
 * the context's usual address and its own database connection as the context's role.
 *
 * Pattern: modular monolith (docs/patterns/microservices.md).  The contexts are the same
 * code as in the one-process-per-context layout (the table of services.c, opened by
 * serve.c); only the packaging changes.  A client cannot tell the layouts apart: same
 * addresses, same routes, same grants; only `shop status` shows one pid for all.
 * Read next: serve.h (one service on its loop), infrastructure/cli/cmd_up.c (its user).
 */
#ifndef SHOP_INFRASTRUCTURE_SERVICE_MONOLITH_H
#define SHOP_INFRASTRUCTURE_SERVICE_MONOLITH_H

#include "infrastructure/service/serve.h"

#include <stddef.h>

struct monolith;

/* Called for each service started, e.g. to print where it listens. */
typedef void monolith_started_fn(void *ctx, struct served *s);

/*
 * Opens every service of defs (count of them) with options and starts each on a thread
 * of its own.  All or nothing: if one cannot open (its database role, its address), the
 * ones already started are stopped and closed, and its error is returned.
 */
int monolith_start(struct monolith **out, const struct service_def *const *defs, size_t count,
                   const struct serve_options *options, monolith_started_fn *on_started, void *ctx);

/* Asks every service's loop to finish the request in hand; safe from a signal's loop. */
void monolith_stop(struct monolith *m);

/* Waits for every thread (after monolith_stop), closes every service; NULL does nothing. */
void monolith_free(struct monolith *m);

#endif
