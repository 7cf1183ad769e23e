/*
 * infrastructure/messaging/trace.h — the causal tree of one conversation: every record
 * that carries one correlation id, each under the record that caused it
 * (docs/architecture.md §10; `shop trace CORRELATION_ID`).
 *
 * Every message carries its own id and its cause's (message_meta).  Following the cause
 * backwards turns the flat set of records into a tree: a node's parent is the node whose
 * message id is its causation id; a node with no known cause is a root.  Nodes are
 *   - domain events of the event-sourced contexts (OrderPlaced v1 in ordering.events);
 *   - bus messages that are not the published form of a domain event (a catalog
 *     change's integration event): those that are share the event's message id and are
 *     shown on the event's node ("published as ordering.OrderPlaced (bus #17)");
 *   - messages still in a state-row context's outbox (catalog.outbox), not yet relayed;
 *   - notifications, caused by the bus message they were made from.
 * and each node carries notes of what happened to its message afterwards: handled by a
 * subscriber (its inbox), waiting for a retry, or given up on (a dead letter).
 *
 * This file is the model and the linking, with no I/O; trace_pg.c fills it from
 * PostgreSQL; infrastructure/cli/cmd_trace.c prints it.
 * Read next: trace.c, trace_pg.c
 */
#ifndef SHOP_INFRASTRUCTURE_MESSAGING_TRACE_H
#define SHOP_INFRASTRUCTURE_MESSAGING_TRACE_H

#include "application/messaging/message.h"
#include "application/shared/message_meta.h"
#include "domain/shared/uuid.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TRACE_NONE ((size_t)-1)

enum trace_kind {
    TRACE_EVENT = 1,    /* a domain event of an event store */
    TRACE_MESSAGE,      /* a bus message with no domain event of its own */
    TRACE_NOTIFICATION, /* a row of notifications.notifications */
};

enum trace_note_kind {
    TRACE_HANDLED = 1, /* in a subscriber's inbox */
    TRACE_RETRYING,    /* in messaging.retries */
    TRACE_DEAD,        /* in messaging.dead_letters */
};

/* What happened to a node's message at one subscriber. */
struct trace_note {
    enum trace_note_kind kind;
    char subscriber[80]; /* "notifications.order-outcomes" */
    int64_t at_us;       /* handled, next attempt, or given up */
    int attempts;
    char *error; /* owned; NULL when none */
};

struct trace_node {
    enum trace_kind kind;
    shop_uuid message_id;   /* nil for a notification (it has no message of its own) */
    shop_uuid causation_id; /* nil: no cause recorded */
    char context[MESSAGE_CONTEXT_MAX + 1];
    char type[MESSAGE_TYPE_MAX + 1]; /* "OrderPlaced", "catalog.PriceChanged", "order-placed" */
    int64_t at_us;
    int64_t version; /* an event's stream version; 0 otherwise */
    char stream[MESSAGE_STREAM_MAX + 1];
    char traceparent[TRACEPARENT_SIZE];
    int64_t bus_position;                /* on the bus as bus_type; 0: not published */
    bool in_outbox;                      /* a message still in its context's outbox */
    char bus_type[MESSAGE_TYPE_MAX + 1]; /* "ordering.OrderPlaced" */
    char *text;                          /* a notification's text; owned */
    struct trace_note *notes;            /* owned */
    size_t note_count;
    /* set by trace_link */
    size_t parent;    /* TRACE_NONE for a root */
    size_t *children; /* indexes, oldest first; owned */
    size_t child_count;
};

struct trace {
    shop_uuid correlation_id;
    struct trace_node *nodes;
    size_t count, capacity;
    size_t *roots; /* set by trace_link, oldest first */
    size_t root_count;
};

void trace_init(struct trace *t, shop_uuid correlation_id);
void trace_dispose(struct trace *t);

/* Adds a copy of node (taking its text and notes) and returns its index. */
size_t trace_add(struct trace *t, const struct trace_node *node);

/* The index of the node whose message id is id; TRACE_NONE if none (or id is nil). */
size_t trace_find(const struct trace *t, shop_uuid id);

/* Adds a note to node i (taking note->error). */
void trace_add_note(struct trace *t, size_t i, const struct trace_note *note);

/*
 * Links the nodes into trees: sorts them by time (ties: in the order they were added),
 * then makes each the child of its cause.  A cause that is the node itself, or a loop of
 * causes, does not hide nodes: the oldest node of a loop becomes a root.
 */
void trace_link(struct trace *t);

/* The traceparent of the oldest node that has one; "" if none. */
const char *trace_traceparent(const struct trace *t);

/*
 * Collects every record with t->correlation_id from the database (trace_pg.c): the
 * domain events of ordering, payments and shipping, the bus, Catalog's outbox, the inboxes of
 * ordering and notifications, retries, dead letters and notifications.  A table that does not exist
 * (its context's migration has not run) is skipped.  Then trace_link.  SHOP_EUNAVAILABLE
 * and friends (sqlstate.h) when a query fails.
 */
int trace_collect_pg(struct trace *t, PGconn *conn);

#endif
