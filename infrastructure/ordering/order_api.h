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
 * Errors are problem+json: 400 invalid input naming the field and the rule, 404 no such
 * order, 422 a rule refused it ("unknown SKU ABC", a confirmed order cannot be cancelled),
 * 503 Catalog or the database is unavailable.
 * Read next: order_api.c, docs/api/ordering.md
 */
#ifndef SHOP_INFRASTRUCTURE_ORDERING_ORDER_API_H
#define SHOP_INFRASTRUCTURE_ORDERING_ORDER_API_H

#include "infrastructure/service/service.h"

int order_api_open(struct service_instance *out, struct service_env *env);
void order_api_close(void *ctx);

#endif
