/*
 * infrastructure/memory/event_store_memory.h — the in-memory adapter of the event-store port.
 *
 * Keeps the same promises as the PostgreSQL adapter (tests/contract/event_store_contract.c),
 * including its visibility rule: every append is a "transaction" with an increasing id, and
 * read_all returns only events of transactions older than every one still open.  A test
 * can hold a second writer's transaction open (event_store_memory_open_other) to watch
 * that rule work.
 * Single-threaded.  Read next: infrastructure/memory/event_store_memory.c
 */
#ifndef SHOP_INFRASTRUCTURE_MEMORY_EVENT_STORE_MEMORY_H
#define SHOP_INFRASTRUCTURE_MEMORY_EVENT_STORE_MEMORY_H

#include "application/eventstore/event_store.h"
#include "application/shared/clock.h"

/* clock (borrowed, may be NULL for the system clock) stamps recorded_at_us. */
int event_store_memory_new(struct event_store **out, struct shop_clock *clock);

/*
 * Starts a "concurrent" transaction in the store's transaction id sequence and returns
 * its id without appending anything: a way for tests to model a second writer that took a
 * transaction id and has not committed.  Appends through event_store_memory_append_in add
 * to it; event_store_memory_end(store, id, commit) finishes it.
 */
int event_store_memory_open_other(struct event_store *store, uint64_t *out_transaction_id);
int event_store_memory_append_in(struct event_store *store, uint64_t transaction_id,
                                 const char *stream_id, int64_t expected_version,
                                 const struct es_new_event *events, size_t n);
int event_store_memory_end(struct event_store *store, uint64_t transaction_id, int commit);

#endif
