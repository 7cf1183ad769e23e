/*
 * tests/contract/event_store_contract.h — what each adapter's fixture supplies to the
 * event-store contract suite (tests/contract/event_store_contract.c).
 */
#ifndef SHOP_TESTS_CONTRACT_EVENT_STORE_CONTRACT_H
#define SHOP_TESTS_CONTRACT_EVENT_STORE_CONTRACT_H

#include "application/eventstore/event_store.h"

#include <stdint.h>

/* A new, empty store (each test gets its own). */
struct event_store *contract_es_new(void);
void contract_es_free(struct event_store *store);

/*
 * A second writer: begins a transaction on its own connection (or the in-memory model of
 * one) and appends `event` to stream_id with ES_EXPECT_ANY, leaving the transaction open.
 * contract_es_finish_slow_writer commits (commit=1) or rolls it back (commit=0).
 */
void contract_es_start_slow_writer(const char *stream_id, const struct es_new_event *event);
void contract_es_finish_slow_writer(int commit);

/*
 * The same in two steps: begin the second writer's transaction and make it take its
 * transaction id now (PostgreSQL: SELECT pg_current_xact_id()), then append later, after
 * other writers — an old transaction whose event gets a higher position than theirs.
 * contract_es_start_slow_writer is these two in a row.
 */
void contract_es_begin_slow_writer(void);
void contract_es_slow_writer_append(const char *stream_id, const struct es_new_event *event);

#endif
