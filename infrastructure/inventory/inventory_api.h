/*
 * infrastructure/inventory/inventory_api.h — Inventory's HTTP API (a driving adapter: HTTP
 * requests in, application-service calls out).  `shop serve inventory`.
 *
 *   POST /stock/{sku}/receipts            {"quantity": 10}   200 the stock item
 *   GET  /stock, GET /stock/{sku}         200 {sku, on_hand, reserved, available}
 *   POST /reservations                    {"order_id", "lines": [{"sku", "quantity"}]}
 *                                         201 reserved, all lines or none; 422 "out of stock"
 *   GET  /reservations/{order_id}
 *   POST /reservations/{order_id}/release, /commit
 * Started by infrastructure/service/services.c.
 * Read next: inventory_api.c, docs/api/inventory.md
 */
#ifndef SHOP_INFRASTRUCTURE_INVENTORY_INVENTORY_API_H
#define SHOP_INFRASTRUCTURE_INVENTORY_INVENTORY_API_H

#include "infrastructure/service/service.h"

int inventory_api_open(struct service_instance *out, struct service_env *env);
void inventory_api_close(void *ctx);

#endif
