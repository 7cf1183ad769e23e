/*
 * infrastructure/payments/payment_commands.h — Payments as a participant of the
 * fulfilment saga (docs/architecture.md §3): the subscription "payments.commands" takes
 * Ordering's commands from the bus and answers each with exactly one reply.
 *
 *   ordering.AuthorizePayment {"order_id", "payment_id", "amount", "card"}
 *        → payments.PaymentAuthorized, or payments.PaymentDeclined "payment declined"
 *   ordering.CapturePayment   {"order_id", "payment_id", "amount"}
 *        → payments.PaymentCaptured (captured before: the same reply)
 *   ordering.VoidPayment      {"order_id", "payment_id"}
 *        → payments.PaymentVoided: the customer's money is neither held nor taken any
 *          more — an authorization voided, a capture refunded (what is left of it; a
 *          compensation that met the capture on its way), or nothing to give back (a
 *          payment never authorized, or declined)
 *
 * Pattern: a message-driven adapter on the application service.  payment_id is the order
 * id, given by the command (payment_service_authorize_as): a payment that exists is the
 * answer, and the gateway is never asked twice (its Idempotency-Key "<id>:authorize" is
 * the second guard).  The domain events go to the payments event store as always; the
 * reply goes to payments.outbox; both on the consumer's connection, in its transaction
 * (the event store joins an open transaction), with the inbox row.
 *
 * The gateway not answering (SHOP_EUNAVAILABLE: an outage, the circuit breaker open, the
 * bulkhead full) records nothing and is returned as it is: the consumer parks the command
 * and tries it again later.  That is how a saga step waits while the breaker is open, and
 * why payment_commands_options keep trying for about two minutes before a dead letter.
 * A command the payment's state refuses and no reply can tell (capturing a payment that
 * was voided, declined or never made) never succeeds on a retry:
 * SHOP_EINVALID, a dead letter at once, with the reason (`shop dlq`).
 * Read next: payment_commands.c, tests/integration/payment_commands_test.c
 */
#ifndef SHOP_INFRASTRUCTURE_PAYMENTS_PAYMENT_COMMANDS_H
#define SHOP_INFRASTRUCTURE_PAYMENTS_PAYMENT_COMMANDS_H

#include "infrastructure/messaging/consumer.h"

#define PAYMENT_COMMANDS_SUBSCRIBER "payments.commands"

#define ORDERING_AUTHORIZE_PAYMENT "ordering.AuthorizePayment"
#define ORDERING_CAPTURE_PAYMENT   "ordering.CapturePayment"
#define ORDERING_VOID_PAYMENT      "ordering.VoidPayment"

/* The arg of the subscription's open(); NULL: the service's settings. */
struct payment_commands_config {
    const char *gateway_url; /* NULL: service_url("payment-gateway") */
    int gateway_timeout_ms;  /* 0: PAYMENT_GATEWAY_HTTP_TIMEOUT_MS */
};

extern const struct subscription payment_commands_subscription;

/*
 * Retries for a gateway that is away: 30 attempts, backoff from 200 ms doubling up to a
 * cap of 5 s (full jitter), about two minutes in all before a dead letter — long enough
 * for the breaker's wait in OPEN (10 s by default) and a short outage.
 */
extern const struct consumer_options payment_commands_options;

#endif
