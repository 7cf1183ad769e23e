/*
 * infrastructure/ordering/order_codec.h — Ordering's events and snapshots as JSON (cJSON).
 *
 * The event store keeps event data as JSON text with a type name and a schema version.
 * This codec is the only place that knows the JSON shape of Ordering's events:
 *   encode  order_event -> (type, ORDER_EVENT_SCHEMA_VERSION of that type, JSON text)
 *   decode  (type, schema version, JSON text) -> order_event, upcasting old versions first
 * Money travels as a string "37.50 EUR", ids as strings.  Every version ever stored has a
 * golden file in tests/golden/ordering/ that tests/unit/order_codec_test.c decodes.
 *
 * Upcasting (schema evolution of stored events): OrderPlaced v1 wrote amounts without a
 * currency ("12.50") because the shop sold in euros only; v2 writes "12.50 EUR".  Reading a
 * v1 event turns it into v2 first (order_codec.c: upcast_order_placed_v1).
 *
 * Read next: infrastructure/ordering/order_codec.c, infrastructure/ordering/order_store_es.c
 */
#ifndef SHOP_INFRASTRUCTURE_ORDERING_ORDER_CODEC_H
#define SHOP_INFRASTRUCTURE_ORDERING_ORDER_CODEC_H

#include "domain/ordering/order.h"

/* The schema version encode writes, per event type. */
#define ORDER_PLACED_SCHEMA_VERSION    2
#define ORDER_CONFIRMED_SCHEMA_VERSION 1
#define ORDER_CANCELLED_SCHEMA_VERSION 1
/* The shape of a snapshot of an order's state; bump it when `order` changes. */
#define ORDER_SNAPSHOT_SCHEMA_VERSION 1

/* The current schema version of an event type. */
int order_codec_schema_version(enum order_event_type type);

/* *out_json is malloc'd text the caller frees.  *out_type is static. */
int order_event_encode(char **out_json, const char **out_type, int *out_schema_version,
                       const order_event *event);

/*
 * SHOP_EINVALID (with a message naming the field) for JSON that is not a valid event of
 * that type and version, SHOP_ENOTFOUND for an unknown type or a schema version newer than
 * this code knows.
 */
int order_event_decode(order_event *out, const char *type, int schema_version, const char *json);

int order_snapshot_encode(char **out_json, const order *state);
int order_snapshot_decode(order *out, const char *json);

#endif
