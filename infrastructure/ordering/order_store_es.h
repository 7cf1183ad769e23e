/*
 * infrastructure/ordering/order_store_es.h — the order-store port on an event store.
 *
 * Orders are event-sourced: load() reads the newest snapshot and the events after it from
 * the order's stream ("order-<id>") and folds them with order_evolve(); append() encodes
 * the events (order_codec.c) and appends them with the expected version, adding a
 * snapshot when the stream's version crosses a multiple of snapshot_every.
 * Works on any event_store adapter: PostgreSQL in the service, in-memory in fast tests.
 * Read next: infrastructure/ordering/order_store_es.c
 */
#ifndef SHOP_INFRASTRUCTURE_ORDERING_ORDER_STORE_ES_H
#define SHOP_INFRASTRUCTURE_ORDERING_ORDER_STORE_ES_H

#include "application/eventstore/event_store.h"
#include "application/ordering/order_store.h"

/* How many events between snapshots of an order, unless configured otherwise. */
#define ORDER_SNAPSHOT_EVERY_DEFAULT 100

/*
 * events: borrowed.  snapshot_every: a snapshot each time the version reaches a multiple
 * of it; 0 turns snapshots off.
 */
int order_store_es_new(struct order_store **out, struct event_store *events, int snapshot_every);

/*
 * The order as it was at version to_version (>= 1) of its stream, or at its last version if
 * the stream is shorter: `shop order show --as-of`.  Folds the events from the first, never
 * from a snapshot.  store must come from order_store_es_new.  A stream without events is
 * order_init()'s state at version 0, as load() gives.
 */
int order_store_es_load_as_of(struct order_store *store, order *out, int64_t *out_version,
                              const order_id *id, int64_t to_version);

#endif
