/*
 * infrastructure/postgres/event_store_pg.h — the PostgreSQL adapter of the event-store port.
 *
 * Each event-sourced context keeps its events in its own schema (ordering.events, later
 * payments.events, shipping.events), created by a migration; the adapter is bound to one
 * context's schema and to one connection (one connection per thread: an adapter is never
 * shared between threads).
 * Read next: infrastructure/postgres/event_store_pg.c
 */
#ifndef SHOP_INFRASTRUCTURE_POSTGRES_EVENT_STORE_PG_H
#define SHOP_INFRASTRUCTURE_POSTGRES_EVENT_STORE_PG_H

#include "application/eventstore/event_store.h"

#include <libpq-fe.h>

/*
 * A store on conn (borrowed: the caller closes it after es_free) for the events of
 * `context`, one of the event-sourced contexts ("ordering"), whose schema the migrations
 * created.  Prepares its statements on conn.  SHOP_EINVALID for an unknown context,
 * SHOP_EUNAVAILABLE/SHOP_EREFUSED if the statements cannot be prepared (e.g. not migrated).
 */
int event_store_pg_new(struct event_store **out, PGconn *conn, const char *context);

#endif
