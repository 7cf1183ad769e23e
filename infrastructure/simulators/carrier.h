/*
 * infrastructure/simulators/carrier.h — the simulated carrier, an external system
 * (a driving adapter: HTTP requests in, application-service calls out).
 * Started by infrastructure/service/services.c.
 */
#ifndef SHOP_INFRASTRUCTURE_SIMULATORS_CARRIER_H
#define SHOP_INFRASTRUCTURE_SIMULATORS_CARRIER_H

#include "infrastructure/service/service.h"

int carrier_open(struct service_instance *out, struct service_env *env);
void carrier_close(void *ctx);

#endif
