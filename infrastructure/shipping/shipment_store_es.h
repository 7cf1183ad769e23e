/*
 * infrastructure/shipping/shipment_store_es.h — the shipment-store port on an event store.
 *
 * A shipment's stream is "shipment-<order id>"; load() reads it whole and folds it with
 * shipment_evolve(), append() encodes the events (shipment_codec.c) and appends them with
 * the expected version.  No snapshots: a shipment has at most a few events.
 * Works on any event_store adapter: PostgreSQL's "shipping" schema in the service,
 * in memory in fast tests.
 * Read next: infrastructure/shipping/shipment_store_es.c
 */
#ifndef SHOP_INFRASTRUCTURE_SHIPPING_SHIPMENT_STORE_ES_H
#define SHOP_INFRASTRUCTURE_SHIPPING_SHIPMENT_STORE_ES_H

#include "application/eventstore/event_store.h"
#include "application/shipping/shipment_store.h"

/* events: borrowed. */
int shipment_store_es_new(struct shipment_store **out, struct event_store *events);

#endif
