/*
 * infrastructure/payments/payment_gateway_http.h — the payment gateway port over HTTP: the
 * shop's client of the card gateway (the simulator `shop serve payment-gateway`, or
 * anything that speaks docs/contracts/payment-gateway.md).
 *
 * Every call has a deadline (timeout_ms): a gateway that does not answer in time is
 * SHOP_EUNAVAILABLE "payment-gateway at HOST:PORT: no reply within N ms", and so is a 503
 * (an outage or an injected error).  The idempotency key travels as the Idempotency-Key
 * header, so a call repeated after such a failure is safe.  Calls go through the
 * process's bulkhead, circuit breaker and retry of "payment-gateway"
 * (infrastructure/resilience/dependency.h); a call with a key is retried inside its
 * deadline, and while the breaker is open every call is SHOP_EUNAVAILABLE "circuit breaker
 * payment-gateway is open" at once, without a request.
 * Read next: payment_gateway_http.c, tests/contract/payment_gateway_contract.c
 */
#ifndef SHOP_INFRASTRUCTURE_PAYMENTS_PAYMENT_GATEWAY_HTTP_H
#define SHOP_INFRASTRUCTURE_PAYMENTS_PAYMENT_GATEWAY_HTTP_H

#include "application/payments/payment_gateway.h"

#define PAYMENT_GATEWAY_HTTP_TIMEOUT_MS 2000

/*
 * base_url: "http://127.0.0.1:8088" (NULL: service_url("payment-gateway")); copied.
 * timeout_ms: per call, its retries included; 0 means PAYMENT_GATEWAY_HTTP_TIMEOUT_MS.
 * SHOP_EINVALID also for a bad SHOP_BREAKER_PAYMENT_GATEWAY_* setting.
 */
int payment_gateway_http_new(struct payment_gateway **out, const char *base_url, int timeout_ms);

#endif
