/*
 * infrastructure/ordering/order_api.h — Ordering's HTTP API (a driving adapter: HTTP
 * requests in, application-service calls out).  Started by infrastructure/service/services.c
 * as the service "ordering".
 *
 *   POST /orders                 {"customer", "lines": [{"sku", "quantity"}], "ship_to",
 *                                 "postcode", "card"?}          201 {"order_id"}
 *   GET  /orders/{id}[?as_of=V]  the order (docs/api/ordering.md)          200
 *   GET  /orders[?customer=ID&status=placed|confirmed|cancelled]
 *                                newest first, among the newest ORDER_LIST_MAX   200
 *   POST /orders/{id}/cancel     {"reason"?}                  200 {"order_id", "status"}
 *   GET  /prices/{sku}           Ordering's replica of the price   200 {"sku", "price",
 *                                "catalog_version"}; 404 "unknown SKU X" (not heard of yet)
 * Errors are problem+json: 400 invalid input naming the field and the rule, 404 no such
 * order, 422 a rule refused it ("unknown SKU ABC", a confirmed order cannot be cancelled),
 * 503 the database (or, with catalog-http, Catalog) is unavailable.
 *
 * Prices: by default from Ordering's own replica of Catalog's prices
 * (price_list_replica_pg.c, kept by the subscription ordering.price-list), so placing an
 * order does not need Catalog up; a price Catalog has just changed is used once the
 * change has reached the replica (GET /prices/{sku} shows its catalog_version).  The
 * environment variable SHOP_PRICE_LIST chooses:
 *   replica (or unset)  ordering.prices
 *   catalog-http        Catalog's GET /products/{sku} for each line (price_list_http.c),
 *                       at SHOP_CATALOG_URL or SHOP_API_URL + 1
 * anything else stops the service from starting (SHOP_EINVALID).
 * Read next: order_api.c, docs/api/ordering.md
 */
#ifndef SHOP_INFRASTRUCTURE_ORDERING_ORDER_API_H
#define SHOP_INFRASTRUCTURE_ORDERING_ORDER_API_H

#include "infrastructure/service/service.h"

int order_api_open(struct service_instance *out, struct service_env *env);
void order_api_close(void *ctx);

#endif
