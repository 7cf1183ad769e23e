/*
 * infrastructure/shipping/shipment_codec.h — Shipping's events as JSON (cJSON): the only
 * place that knows their stored shape.
 *
 *   ShipmentScheduled v1 {"order_id", "ship_to", "postcode", "carrier_id", "tracking",
 *                         "scheduled_at_us"}
 *   ShipmentRejected  v1 {"order_id", "ship_to", "postcode", "reason", "rejected_at_us"}
 *   ShipmentCancelled v1 {"order_id", "cancelled_at_us"}
 * Times are strings of digits (microseconds since 1970), as in Ordering's events.
 * Read next: infrastructure/shipping/shipment_store_es.c
 */
#ifndef SHOP_INFRASTRUCTURE_SHIPPING_SHIPMENT_CODEC_H
#define SHOP_INFRASTRUCTURE_SHIPPING_SHIPMENT_CODEC_H

#include "domain/shipping/shipment.h"

#define SHIPMENT_EVENT_SCHEMA_VERSION 1 /* every event type is at version 1 */

/* *out_json is malloc'd text the caller frees; *out_type is static. */
int shipment_event_encode(char **out_json, const char **out_type, int *out_schema_version,
                          const shipment_event *event);

/*
 * SHOP_EINVALID (naming the field) for JSON that is not a valid event of that type,
 * SHOP_ENOTFOUND for an unknown type or a schema version this code does not know.
 */
int shipment_event_decode(shipment_event *out, const char *type, int schema_version,
                          const char *json);

#endif
