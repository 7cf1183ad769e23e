/*
 * infrastructure/payments/payment_codec.h — Payments' events as JSON (cJSON).
 *
 * The only place that knows the stored shape of Payments' events (schema version 1 each):
 *   PaymentAuthorized {"payment_id", "order_id", "amount", "charge_id", "at_us"}
 *   PaymentDeclined   {"payment_id", "order_id", "amount", "reason", "at_us"}
 *   PaymentCaptured   {"payment_id", "amount", "at_us"}
 *   PaymentVoided     {"payment_id", "at_us"}
 *   PaymentRefunded   {"payment_id", "amount", "refund_id", "at_us"}
 * Money is a string "37.50 EUR", ids are strings, times microseconds since 1970 as a string
 * of digits.  Stored text is untrusted: decoding is strict and names the field it refuses.
 * Read next: payment_codec.c, payment_store_es.c
 */
#ifndef SHOP_INFRASTRUCTURE_PAYMENTS_PAYMENT_CODEC_H
#define SHOP_INFRASTRUCTURE_PAYMENTS_PAYMENT_CODEC_H

#include "domain/payments/payment.h"

#define PAYMENT_EVENT_SCHEMA_VERSION 1

/* *out_json is malloc'd text the caller frees; *out_type is static. */
int payment_event_encode(char **out_json, const char **out_type, int *out_schema_version,
                         const payment_event *event);

/*
 * SHOP_EINVALID (naming the field) for JSON that is not a valid event of that type,
 * SHOP_ENOTFOUND for an unknown type or a newer schema version.
 */
int payment_event_decode(payment_event *out, const char *type, int schema_version,
                         const char *json);

#endif
