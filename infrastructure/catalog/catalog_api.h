/*
 * infrastructure/catalog/catalog_api.h — Catalog's HTTP API (a driving adapter: HTTP
 * requests in, application-service calls out).  `shop serve catalog`.
 *
 *   POST /products              {"sku", "name", "price": "12.50 EUR"}   201 the product
 *   PUT  /products/{sku}/price  {"price": "13.00 EUR"}                  200 the product
 *   GET  /products                                       200 every product, by SKU
 *   GET  /products/{sku}                                 200 the product; 404 unknown SKU
 * Ordering's price list asks GET /products/{sku} (infrastructure/ordering/price_list_http.c).
 * Started by infrastructure/service/services.c.
 * Read next: catalog_api.c, docs/api/catalog.md
 */
#ifndef SHOP_INFRASTRUCTURE_CATALOG_CATALOG_API_H
#define SHOP_INFRASTRUCTURE_CATALOG_CATALOG_API_H

#include "infrastructure/service/service.h"

int catalog_api_open(struct service_instance *out, struct service_env *env);
void catalog_api_close(void *ctx);

#endif
