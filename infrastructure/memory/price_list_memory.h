/*
 * infrastructure/memory/price_list_memory.h — a price list held in memory.
 *
 * Pattern: an adapter of the price-list port (application/ordering/price_list.h) for
 * tests and the demo: the test sets the prices it needs, and the command handler reads
 * them as it would read Catalog's.
 * Read next: application/ordering/order_service.c
 */
#ifndef SHOP_INFRASTRUCTURE_MEMORY_PRICE_LIST_MEMORY_H
#define SHOP_INFRASTRUCTURE_MEMORY_PRICE_LIST_MEMORY_H

#include "application/ordering/price_list.h"

/* An empty list: every SKU is unknown.  Free it with price_list_free. */
int price_list_memory_new(struct price_list **out);

/* Sets (or changes) the unit price of product.  list must come from price_list_memory_new. */
void price_list_memory_set(struct price_list *list, const sku *product, money unit_price);

#endif
