/*
 * tests/contract/shipping_es_fixture.h — an empty event store for Shipping's contract
 * tests, one per adapter: in memory, or PostgreSQL's "shipping" schema as the context's
 * role (shop_shipping), so the grants of 0006 are tested too.
 */
#ifndef SHOP_TESTS_CONTRACT_SHIPPING_ES_FIXTURE_H
#define SHOP_TESTS_CONTRACT_SHIPPING_ES_FIXTURE_H

#include "application/eventstore/event_store.h"

struct event_store *shipping_es_new(void);
void shipping_es_free(struct event_store *store);

#endif
