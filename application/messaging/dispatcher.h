/*
 * application/messaging/dispatcher.h — in-process domain-event dispatch (the observer
 * pattern; docs/patterns/event-driven.md).
 *
 * Observers subscribe to a context's domain events by type ("PriceChanged") or to all of
 * them ("*").  An application service dispatches the events of a command AFTER the
 * transaction that recorded them has committed, so an observer never sees an event that
 * did not happen.  Observers are for what may be lost in a crash — a log line, a
 * counter, a cache — because nothing is stored between the commit and the dispatch:
 * what must happen for certain goes through the outbox (application/messaging/message.h)
 * and a subscriber, which retries until it has happened.
 *
 * One failing observer neither stops the others nor undoes the commit: the dispatcher
 * calls every observer of the event, counts the failures and reports each one through
 * the dispatcher's log function (with the observer's name, the event and the message).
 * Read next: application/messaging/dispatcher.c, tests/unit/dispatcher_test.c
 */
#ifndef SHOP_APPLICATION_MESSAGING_DISPATCHER_H
#define SHOP_APPLICATION_MESSAGING_DISPATCHER_H

#include "application/shared/message_meta.h"

#include <stddef.h>

#define DISPATCHER_MAX_OBSERVERS 32

/* One domain event as observers see it: which context, which type, and the context's
 * own event struct (a product_event, an order_event...) that the observer knows. */
struct domain_event {
    const char *context;            /* "catalog" */
    const char *type;               /* "PriceChanged" */
    const void *event;              /* the context's event struct */
    const struct message_meta *meta; /* may be NULL */
};

/* An observer: 0, or a SHOP_E* code with the message set (shop_error_set). */
typedef int domain_event_observer(void *ctx, const struct domain_event *e);

/* Called for each failed observer: its name, the event, the failure's code and message. */
typedef void dispatcher_log_fn(void *log_ctx, const char *observer, const struct domain_event *e,
                               int rc, const char *message);

struct dispatcher {
    struct {
        const char *type; /* "*" for every type */
        const char *name; /* for the log: "price log" */
        domain_event_observer *fn;
        void *ctx;
    } observers[DISPATCHER_MAX_OBSERVERS];
    size_t count;
    dispatcher_log_fn *log; /* NULL: failures are counted, not reported */
    void *log_ctx;
};

void dispatcher_init(struct dispatcher *d, dispatcher_log_fn *log, void *log_ctx);

/* Adds an observer of `type` ("*": all).  SHOP_EINVALID when DISPATCHER_MAX_OBSERVERS are
 * already subscribed. */
int dispatcher_subscribe(struct dispatcher *d, const char *type, const char *name,
                         domain_event_observer *fn, void *ctx);

/* Calls every observer of e->type, in subscription order, each once, whatever the others
 * return.  Returns the number that failed.  d may be NULL (no observers). */
size_t dispatcher_dispatch(struct dispatcher *d, const struct domain_event *e);

#endif
