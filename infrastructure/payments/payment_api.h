/*
 * infrastructure/payments/payment_api.h — Payments' HTTP API (a driving adapter: HTTP
 * requests in, application-service calls out).  `shop serve payments`.
 *
 *   POST /payments                {"order_id", "amount": "37.50 EUR", "card": "tok_visa"}
 *                                 201 {"payment_id", "status": "authorized"};
 *                                 422 "payment declined"
 *   POST /payments/{id}/capture   200 the payment
 *   POST /payments/{id}/void      200 the payment
 *   POST /payments/{id}/refunds   {"amount": "10.00 EUR"}   200 the payment
 *   GET  /payments/{id}           200 the payment
 * A gateway that does not answer is 503 (SHOP_EUNAVAILABLE).  The reference is
 * docs/api/payments.md.  Started by infrastructure/service/services.c.
 */
#ifndef SHOP_INFRASTRUCTURE_PAYMENTS_PAYMENT_API_H
#define SHOP_INFRASTRUCTURE_PAYMENTS_PAYMENT_API_H

#include "infrastructure/service/service.h"

int payment_api_open(struct service_instance *out, struct service_env *env);
void payment_api_close(void *ctx);

#endif
