/*
 * application/messaging/dispatcher.c — in-process domain-event dispatch (observer).
 *
 * A table of (type, observer) pairs and a loop over it.  What makes it the observer
 * pattern of an event-driven system rather than a list of function calls is what the
 * loop promises (dispatcher.h): it runs after the commit, it calls every observer of the
 * type whatever the others return, and a failure is reported, never propagated, so an
 * observer cannot undo or block a change that has happened.
 * Read next: tests/unit/dispatcher_test.c, docs/patterns/event-driven.md
 */
#include "application/messaging/dispatcher.h"

#include "domain/shared/error.h"

#include <string.h>

void dispatcher_init(struct dispatcher *d, dispatcher_log_fn *log, void *log_ctx)
{
    memset(d, 0, sizeof *d);
    d->log = log;
    d->log_ctx = log_ctx;
}

int dispatcher_subscribe(struct dispatcher *d, const char *type, const char *name,
                         domain_event_observer *fn, void *ctx)
{
    if (d->count == DISPATCHER_MAX_OBSERVERS)
        return shop_error_set(SHOP_EINVALID, "at most %d observers may subscribe",
                              DISPATCHER_MAX_OBSERVERS);
    d->observers[d->count].type = type;
    d->observers[d->count].name = name;
    d->observers[d->count].fn = fn;
    d->observers[d->count].ctx = ctx;
    d->count++;
    return 0;
}

size_t dispatcher_dispatch(struct dispatcher *d, const struct domain_event *e)
{
    size_t failed = 0;
    if (!d)
        return 0;
    for (size_t i = 0; i < d->count; i++) {
        if (strcmp(d->observers[i].type, "*") != 0 && strcmp(d->observers[i].type, e->type) != 0)
            continue;
        int rc = d->observers[i].fn(d->observers[i].ctx, e);
        if (rc < 0) {
            failed++;
            if (d->log)
                d->log(d->log_ctx, d->observers[i].name, e, rc, shop_error_message());
        }
    }
    return failed;
}
