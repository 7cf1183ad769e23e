/*
 * infrastructure/payments/payment_store_es.h — the payment-store port on an event store.
 *
 * A payment's stream is "payment-<id>"; load() reads it whole and folds it with
 * payment_evolve(); append() encodes the events (payment_codec.c) and appends them with the
 * expected version.  No snapshots: a payment has a handful of events (authorized, captured,
 * a few refunds), so reading them all is the cheapest thing that is right.
 * Works on any event_store adapter: PostgreSQL in the service, in-memory in fast tests.
 * Read next: payment_store_es.c
 */
#ifndef SHOP_INFRASTRUCTURE_PAYMENTS_PAYMENT_STORE_ES_H
#define SHOP_INFRASTRUCTURE_PAYMENTS_PAYMENT_STORE_ES_H

#include "application/eventstore/event_store.h"
#include "application/payments/payment_store.h"

/* events: borrowed. */
int payment_store_es_new(struct payment_store **out, struct event_store *events);

#endif
