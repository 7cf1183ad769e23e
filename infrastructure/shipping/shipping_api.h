/*
 * infrastructure/shipping/shipping_api.h — Shipping's HTTP API
 * (a driving adapter: HTTP requests in, application-service calls out).
 * Started by infrastructure/service/services.c.
 */
#ifndef SHOP_INFRASTRUCTURE_SHIPPING_SHIPPING_API_H
#define SHOP_INFRASTRUCTURE_SHIPPING_SHIPPING_API_H

#include "infrastructure/service/service.h"

int shipping_api_open(struct service_instance *out, struct service_env *env);
void shipping_api_close(void *ctx);

#endif
