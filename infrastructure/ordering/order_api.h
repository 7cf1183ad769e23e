/*
 * infrastructure/ordering/order_api.h — Ordering's HTTP API
 * (a driving adapter: HTTP requests in, application-service calls out).
 * Started by infrastructure/service/services.c.
 */
#ifndef SHOP_INFRASTRUCTURE_ORDERING_ORDER_API_H
#define SHOP_INFRASTRUCTURE_ORDERING_ORDER_API_H

#include "infrastructure/service/service.h"

int order_api_open(struct service_instance *out, struct service_env *env);
void order_api_close(void *ctx);

#endif
