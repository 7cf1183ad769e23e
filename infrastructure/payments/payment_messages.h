/*
 * infrastructure/payments/payment_messages.h — what Payments tells the others: its
 * replies to the fulfilment saga, as the integration events of docs/contracts/events/.
 *
 * Pattern: a translator at the edge of a context.  The Payment aggregate and its domain
 * events stay in Payments' event store; what leaves is JSON the schemas fix (schema
 * version 1), on the order's stream "order-<order_id>":
 *   payments.PaymentAuthorized  {"order_id", "payment_id", "amount", "authorized_at"}
 *   payments.PaymentDeclined    {"order_id", "payment_id", "reason", "declined_at"}
 *                               reason "payment declined" (the gateway's code stays inside)
 *   payments.PaymentCaptured    {"order_id", "payment_id", "amount", "captured_at"}
 *   payments.PaymentVoided      {"order_id", "payment_id", "voided_at"}
 * Money as "24.90 EUR", times RFC 3339 UTC with microseconds.
 * tests/unit/published_language_test.c holds the encoder to the golden examples.
 * Read next: payment_commands.h
 */
#ifndef SHOP_INFRASTRUCTURE_PAYMENTS_PAYMENT_MESSAGES_H
#define SHOP_INFRASTRUCTURE_PAYMENTS_PAYMENT_MESSAGES_H

#include "application/messaging/message.h"
#include "domain/shared/money.h"
#include "domain/shared/uuid.h"

#include <stdint.h>

#define PAYMENTS_PAYMENT_AUTHORIZED "payments.PaymentAuthorized"
#define PAYMENTS_PAYMENT_DECLINED   "payments.PaymentDeclined"
#define PAYMENTS_PAYMENT_CAPTURED   "payments.PaymentCaptured"
#define PAYMENTS_PAYMENT_VOIDED     "payments.PaymentVoided"
#define PAYMENTS_SCHEMA_VERSION     1
#define PAYMENTS_DECLINED_REASON    "payment declined"

/*
 * The reply of `type` (one of the four) into *out (payload malloc'd:
 * outgoing_message_dispose), with meta's ids (may be NULL).  amount is read for
 * PaymentAuthorized and PaymentCaptured only; at_us is the time the payload names.
 * SHOP_EINVALID for another type, a time before 1970 or an amount without a currency.
 */
int payment_message_reply(struct outgoing_message *out, const char *type, shop_uuid order_id,
                          shop_uuid payment_id, money amount, int64_t at_us,
                          const struct message_meta *meta);

#endif
