/*
 * infrastructure/ordering/saga_store_pg.h — the saga store on PostgreSQL: ordering.sagas
 * and ordering.outbox (0008_saga.sql), the adapter of application/ordering/saga_store.h.
 *
 * Every call runs on the borrowed connection inside the caller's open transaction (the
 * consumer's, which also writes the inbox row of the message handled, or the deadline
 * timer's): the store never begins or commits.  save() is ONE statement, so the row and
 * its commands are written together or not at all whatever the caller does next.
 * Read next: saga_store_pg.c, tests/contract/saga_store_contract.c
 */
#ifndef SHOP_INFRASTRUCTURE_ORDERING_SAGA_STORE_PG_H
#define SHOP_INFRASTRUCTURE_ORDERING_SAGA_STORE_PG_H

#include "application/ordering/saga_store.h"

#include <libpq-fe.h>

/* A store on conn (borrowed: it must outlive the store; the ordering role). */
int saga_store_pg_new(struct saga_store **out, PGconn *conn);

/*
 * The saga's data column as JSON (malloc'd) and back, strictly (the codec the store uses;
 * exposed for tests).  Decoding refuses with SHOP_EINVALID, naming the member, anything
 * the decider could not trust.
 */
int saga_data_encode(char **out_json, const fulfilment_saga *saga);
int saga_data_decode(fulfilment_saga *out, const char *json);

#endif
