/*
 * infrastructure/simulators/payment_gateway.h — the simulated payment gateway, an external system
 * (a driving adapter: HTTP requests in, application-service calls out).
 * Started by infrastructure/service/services.c.
 */
#ifndef SHOP_INFRASTRUCTURE_SIMULATORS_PAYMENT_GATEWAY_H
#define SHOP_INFRASTRUCTURE_SIMULATORS_PAYMENT_GATEWAY_H

#include "infrastructure/service/service.h"

int payment_gateway_open(struct service_instance *out, struct service_env *env);
void payment_gateway_close(void *ctx);

#endif
