/*
 * tests/contract/order_queries_contract.h — what each adapter's fixture supplies to the
 * order-queries contract suite (tests/contract/order_queries_contract.c).
 */
#ifndef SHOP_TESTS_CONTRACT_ORDER_QUERIES_CONTRACT_H
#define SHOP_TESTS_CONTRACT_ORDER_QUERIES_CONTRACT_H

#include "application/eventstore/event_store.h"
#include "application/ordering/order_queries.h"

/* A new, empty Ordering event store and the adapter under test reading the same orders. */
void contract_oq_open(struct event_store **out_events, struct order_queries **out_queries);
void contract_oq_close(struct event_store *events, struct order_queries *queries);

#endif
