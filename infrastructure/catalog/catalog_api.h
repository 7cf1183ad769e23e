/*
 * infrastructure/catalog/catalog_api.h — Catalog's HTTP API
 * (a driving adapter: HTTP requests in, application-service calls out).
 * Started by infrastructure/service/services.c.
 */
#ifndef SHOP_INFRASTRUCTURE_CATALOG_CATALOG_API_H
#define SHOP_INFRASTRUCTURE_CATALOG_CATALOG_API_H

#include "infrastructure/service/service.h"

int catalog_api_open(struct service_instance *out, struct service_env *env);
void catalog_api_close(void *ctx);

#endif
