/*
 * tests/contract/price_list_contract.h — what every adapter of Ordering's price-list port
 * (application/ordering/price_list.h) promises, whoever keeps the prices: the in-memory
 * list of the unit tests, the Catalog service asked over HTTP, or Ordering's replica fed
 * by Catalog's events.
 */
#ifndef SHOP_TESTS_CONTRACT_PRICE_LIST_CONTRACT_H
#define SHOP_TESTS_CONTRACT_PRICE_LIST_CONTRACT_H

#include "application/ordering/price_list.h"

/* A price list over an empty catalogue (each test gets its own). */
struct price_list *contract_prices_new(void);
/* The catalogue's owner sets the price of a SKU ("24.90 EUR"), adding it if new. */
void contract_prices_set(const char *sku, const char *price);
void contract_prices_free(struct price_list *prices);

#endif
