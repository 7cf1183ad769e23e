/*
 * infrastructure/messaging/relay.h — the relay of a context: moves its outbox to the bus
 * (transactional outbox; docs/patterns/event-driven.md, ADR 0009).
 *
 * Two kinds of outbox, one guarantee (the message is on the bus once for every change
 * that committed, never for one that did not):
 *   RELAY_OUTBOX_TABLE  a state-row context (Catalog) writes <context>.outbox rows in the
 *                       transaction of the change; the relay, in ONE transaction, reads
 *                       the oldest rows, inserts them into messaging.bus and deletes them.
 *   RELAY_EVENT_STORE   an event-sourced context's event store already is written in the
 *                       transaction of the change; the relay reads its global log after
 *                       its checkpoint (gap-free, es_read_all), translates the domain
 *                       events other contexts need into integration events, inserts them
 *                       and moves its checkpoint (messaging.relays), in ONE transaction.
 *                       with_outbox: it also has a <context>.outbox table (Ordering's saga
 *                       writes its commands there), and the same step, under the same lock
 *                       and in the same transaction, moves those rows too (after the
 *                       events it read).
 * Either way the bus insert and "done" are one commit: a relay killed at any point
 * either published and recorded it, or did neither, and the next run publishes it once.
 * The bus's unique message_id makes a second relay's attempt a no-op as well; the
 * messaging.relays row, locked FOR UPDATE SKIP LOCKED, lets one relay of a context work
 * at a time, so a context's messages reach the bus in order.
 *
 * Crash points (crash_point.h): "relay.after-publish" (bus rows inserted, not committed),
 * "relay.after-commit" (committed, before the next step).
 * Read next: relay.c, consumer.h
 */
#ifndef SHOP_INFRASTRUCTURE_MESSAGING_RELAY_H
#define SHOP_INFRASTRUCTURE_MESSAGING_RELAY_H

#include "application/eventstore/event_store.h"
#include "application/messaging/message.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

enum relay_kind { RELAY_OUTBOX_TABLE, RELAY_EVENT_STORE };

/*
 * RELAY_EVENT_STORE: the published language of the context.  Translates one domain event
 * into the integration event others need (*publish true, *out filled, its payload
 * malloc'd), or says it stays inside (*publish false).  The message keeps the event's
 * ids (meta): the integration event is the same fact, told to the others.  An error
 * stops the relay at that event (it is retried; a context must translate what it wrote).
 */
typedef int relay_translate_fn(const struct es_event *event, struct outgoing_message *out,
                               bool *publish);

struct relay_source {
    const char *context; /* "catalog": its schema, its messaging.relays row, the bus's source */
    enum relay_kind kind;
    relay_translate_fn *translate; /* RELAY_EVENT_STORE only */
    bool with_outbox;              /* RELAY_EVENT_STORE only: also drain <context>.outbox */
};

#define RELAY_DEFAULT_BATCH 500

struct relay;

/* A relay of src on conn (borrowed; the context's role).  Creates its messaging.relays
 * row if there is none; SHOP_EREFUSED if the row is another role's (this role could
 * never take its lock). */
int relay_open(struct relay **out, PGconn *conn, const struct relay_source *src);

/*
 * One transaction: takes the relay's lock (another relay of the context holds it: *moved
 * 0, not an error), moves up to max (0: RELAY_DEFAULT_BATCH) messages to the bus, commits.
 * *moved is the number published.  SHOP_EUNAVAILABLE when the database is gone.
 */
int relay_step(struct relay *r, size_t max, size_t *moved);

void relay_close(struct relay *r);

/* The worker (worker.h) that runs a relay of src: it LISTENs on shop_outbox_<context> or
 * shop_events_<context> (both for an event store with_outbox), and its arg is src (which
 * must outlive the worker). */
struct worker_def;
void relay_worker_def(struct worker_def *out, const struct relay_source *src);

#endif
