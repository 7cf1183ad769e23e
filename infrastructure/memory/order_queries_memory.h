/*
 * infrastructure/memory/order_queries_memory.h — which orders exist, from any event store.
 *
 * The in-memory twin of infrastructure/ordering/order_queries_pg.c: it reads the event
 * store's global log from the beginning (through the port, so it works on the in-memory
 * event store of fast tests) and keeps the streams whose version-1 event is an
 * OrderPlaced.  Fine for tests; far too slow for a real log, which is why the service
 * uses the PostgreSQL adapter.
 * Read next: application/ordering/order_queries.h
 */
#ifndef SHOP_INFRASTRUCTURE_MEMORY_ORDER_QUERIES_MEMORY_H
#define SHOP_INFRASTRUCTURE_MEMORY_ORDER_QUERIES_MEMORY_H

#include "application/eventstore/event_store.h"
#include "application/ordering/order_queries.h"

/* events: borrowed. */
int order_queries_memory_new(struct order_queries **out, struct event_store *events);

#endif
