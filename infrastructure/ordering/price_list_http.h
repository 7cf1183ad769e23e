/*
 * infrastructure/ordering/price_list_http.h — the price-list port on Catalog's HTTP API.
 *
 * Pattern: a driven adapter (hexagonal architecture) that is a client of another bounded
 * context's published API.  Ordering asks Catalog `GET /products/{sku}` for each line of
 * an order being placed; Catalog answers {"sku", "name", "price": "12.50 EUR"}.
 *   200          the price, as Money
 *   404          SHOP_ENOTFOUND "unknown SKU ABC"
 *   no reply within the timeout, refused connection, 5xx
 *                SHOP_EUNAVAILABLE "catalog at http://...: ..."  (the order is not placed)
 *   anything else (a 200 without a price, another 4xx)
 *                SHOP_EINTERNAL naming what Catalog said
 * This makes placing an order depend on Catalog being up; docs/architecture.md §2 plans a
 * local replica of the prices fed by Catalog's PriceChanged events to remove that.
 * Read next: application/ordering/price_list.h, infrastructure/http/http_client.h,
 * tests/integration/price_list_http_test.c
 */
#ifndef SHOP_INFRASTRUCTURE_ORDERING_PRICE_LIST_HTTP_H
#define SHOP_INFRASTRUCTURE_ORDERING_PRICE_LIST_HTTP_H

#include "application/ordering/price_list.h"

/* How long one price may take before Catalog counts as unavailable. */
#define PRICE_LIST_HTTP_TIMEOUT_MS 2000

/*
 * base_url: where Catalog listens, "http://127.0.0.1:8081" (copied).  timeout_ms: per
 * request; 0 means PRICE_LIST_HTTP_TIMEOUT_MS.  Free it with price_list_free.
 */
int price_list_http_new(struct price_list **out, const char *base_url, int timeout_ms);

#endif
