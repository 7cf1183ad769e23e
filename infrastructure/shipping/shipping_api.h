/*
 * infrastructure/shipping/shipping_api.h — Shipping's HTTP API (a driving adapter: HTTP
 * requests in, application-service calls out).  `shop serve shipping`.
 *
 *   POST /shipments               {"order_id", "ship_to", "postcode"}
 *                                 201 the shipment, "status": "scheduled" (again: the same);
 *                                 422 /problems/undeliverable (postcode 00000, recorded)
 *   GET  /shipments/{id}          200 the shipment
 *   POST /shipments/{id}/cancel   200 the shipment, "status": "cancelled"
 * A shipment is named by its order: {id} is the order's UUID.  A carrier that does not
 * answer is 503 (SHOP_EUNAVAILABLE) and records nothing.  The reference is
 * docs/api/shipping.md.  Started by infrastructure/service/services.c.
 */
#ifndef SHOP_INFRASTRUCTURE_SHIPPING_SHIPPING_API_H
#define SHOP_INFRASTRUCTURE_SHIPPING_SHIPPING_API_H

#include "infrastructure/service/service.h"

int shipping_api_open(struct service_instance *out, struct service_env *env);
void shipping_api_close(void *ctx);

#endif
