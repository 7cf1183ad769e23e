/*
 * infrastructure/simulators/carrier.h — the simulated parcel carrier, an external system
 * the shop ships through (`shop serve carrier`): quotes, bookings and cancellations over
 * HTTP, postcode 00000 undeliverable, an Idempotency-Key honoured on every POST, and the
 * faults of faults.h (latency, error rate, outage window, seed).  Shipping reaches it
 * through its carrier port (infrastructure/shipping/carrier_http.c).
 * Started by infrastructure/service/services.c.
 * Read next: carrier.c, docs/contracts/carrier.md
 */
#ifndef SHOP_INFRASTRUCTURE_SIMULATORS_CARRIER_H
#define SHOP_INFRASTRUCTURE_SIMULATORS_CARRIER_H

#include "infrastructure/service/service.h"

int carrier_open(struct service_instance *out, struct service_env *env);
void carrier_close(void *ctx);

#endif
