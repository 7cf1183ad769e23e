/*
 * tests/contract/payment_store_contract.h — what each event-store fixture supplies to the
 * payment-store contract suite (tests/contract/payment_store_contract.c).
 */
#ifndef SHOP_TESTS_CONTRACT_PAYMENT_STORE_CONTRACT_H
#define SHOP_TESTS_CONTRACT_PAYMENT_STORE_CONTRACT_H

#include "application/eventstore/event_store.h"

/* A new, empty event store for Payments (each test gets its own). */
struct event_store *contract_payment_events_new(void);
void contract_payment_events_free(struct event_store *store);

#endif
