/*
 * infrastructure/inventory/inventory_api.h — Inventory's HTTP API
 * (a driving adapter: HTTP requests in, application-service calls out).
 * Started by infrastructure/service/services.c.
 */
#ifndef SHOP_INFRASTRUCTURE_INVENTORY_INVENTORY_API_H
#define SHOP_INFRASTRUCTURE_INVENTORY_INVENTORY_API_H

#include "infrastructure/service/service.h"

int inventory_api_open(struct service_instance *out, struct service_env *env);
void inventory_api_close(void *ctx);

#endif
