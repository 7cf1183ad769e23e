/*
 * infrastructure/simulators/payment_gateway.h — the simulated card payment gateway, an
 * external system the shop pays through (`shop serve payment-gateway`).  Stripe-like:
 *
 *   POST /v1/charges               {"amount": 3750, "currency": "EUR", "source": "tok_visa",
 *                                   "capture": false}          200 charge "authorized"
 *                                  source "tok_chargeDeclined"  402 card_declined
 *   GET  /v1/charges/{id}                                       200 the charge as it is
 *   POST /v1/charges/{id}/capture                               200 "captured" (again: same)
 *   POST /v1/charges/{id}/void                                  200 "voided"
 *   POST /v1/refunds               {"charge": "ch_..", "amount": 1000}
 *                                                               200 refund "succeeded"
 * Every POST honours an Idempotency-Key header (the first answer again; another request
 * under the same key is 409).  The wire format is docs/contracts/payment-gateway.md.
 *
 * Faults (infrastructure/simulators/faults.h, from `--latency-ms --error-rate --outage
 * --seed`) apply to every /v1 request: the latency is added before the answer as a
 * BLOCKING sleep of the service's loop (a simulator serves one request at a time, which is
 * enough to make a client's timeout fire), and an injected error or an outage is a 503
 * problem+json that changes nothing.  /health and /metrics are never faulted; /metrics
 * adds counters of charges, declines, captures, voids, refunds, replays and injected
 * errors.
 *
 * The rules themselves live in gateway_ledger.c, shared with the in-memory twin.
 * Started by infrastructure/service/services.c.  Read next: payment_gateway.c.
 */
#ifndef SHOP_INFRASTRUCTURE_SIMULATORS_PAYMENT_GATEWAY_H
#define SHOP_INFRASTRUCTURE_SIMULATORS_PAYMENT_GATEWAY_H

#include "infrastructure/service/service.h"

int payment_gateway_open(struct service_instance *out, struct service_env *env);
void payment_gateway_close(void *ctx);

#endif
