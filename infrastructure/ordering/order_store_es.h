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

#endif
