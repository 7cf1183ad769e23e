/*
 * infrastructure/payments/payment_api.h — Payments' HTTP API
 * (a driving adapter: HTTP requests in, application-service calls out).
 * Started by infrastructure/service/services.c.
 */
#ifndef SHOP_INFRASTRUCTURE_PAYMENTS_PAYMENT_API_H
#define SHOP_INFRASTRUCTURE_PAYMENTS_PAYMENT_API_H

#include "infrastructure/service/service.h"

int payment_api_open(struct service_instance *out, struct service_env *env);
void payment_api_close(void *ctx);

#endif
