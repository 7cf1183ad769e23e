/*
 * infrastructure/shipping/carrier_http.h — the carrier port over HTTP: the adapter that
 * talks to the carrier (docs/contracts/carrier.md), in production the simulated one of
 * `shop serve carrier`.  Calls go through the process's bulkhead, circuit breaker and
 * retry of "carrier" (infrastructure/resilience/dependency.h); while the breaker is open
 * every call is SHOP_EUNAVAILABLE "circuit breaker carrier is open" at once.
 * Read next: infrastructure/shipping/carrier_http.c
 */
#ifndef SHOP_INFRASTRUCTURE_SHIPPING_CARRIER_HTTP_H
#define SHOP_INFRASTRUCTURE_SHIPPING_CARRIER_HTTP_H

#include "application/shipping/carrier.h"

/* How long a call waits for the carrier's answer, unless told otherwise. */
#define CARRIER_HTTP_DEFAULT_TIMEOUT_MS 2000

/*
 * base_url: "http://HOST:PORT" (copied), or NULL for service_url("carrier") (SHOP_CARRIER_URL,
 * SHOP_API_URL + 9).  timeout_ms: per call, its retries included; 0 for the default.
 * SHOP_EINVALID also for a bad SHOP_BREAKER_CARRIER_* setting.
 */
int carrier_http_new(struct carrier_port **out, const char *base_url, int timeout_ms);

#endif
