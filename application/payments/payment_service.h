/*
 * application/payments/payment_service.h — Payments' command handlers and query
 * (application service).
 *
 * Each command is: load the payment (payment_store) -> check the command on its state
 * (domain/payments/payment.h) -> call the gateway (payment_gateway port) with an
 * idempotency key made of the payment id and the operation -> decide with the gateway's
 * answer -> append at the version loaded; on SHOP_ECONFLICT start again, at most
 * PAYMENT_SERVICE_MAX_ATTEMPTS times.  A repeated gateway call under the same key is
 * answered as the first, so a retry never pays twice.  When the gateway does not answer
 * (SHOP_EUNAVAILABLE) nothing is recorded and the caller may simply try again.
 * Read next: application/payments/payment_service.c, tests/unit/payment_service_test.c
 */
#ifndef SHOP_APPLICATION_PAYMENTS_PAYMENT_SERVICE_H
#define SHOP_APPLICATION_PAYMENTS_PAYMENT_SERVICE_H

#include "application/payments/payment_gateway.h"
#include "application/payments/payment_store.h"
#include "application/shared/clock.h"
#include "application/shared/id_generator.h"
#include "application/shared/message_meta.h"
#include "domain/payments/payment.h"

#define PAYMENT_SERVICE_MAX_ATTEMPTS 5

/* The ports the handlers use; borrowed, not owned. */
struct payment_service {
    struct payment_store *payments;
    struct payment_gateway *gateway;
    struct shop_clock *clock;
    struct id_generator *ids;
    int max_attempts; /* 0 means PAYMENT_SERVICE_MAX_ATTEMPTS */
};

struct authorize_payment_request {
    shop_uuid order_id;
    money amount;
    const char *card; /* payment_card_check */
};

/*
 * Authorizes a new payment; *out is its id.  0 when the gateway approved it;
 * SHOP_EREFUSED "payment declined" when it declined (the decline is recorded, *out names
 * it); SHOP_EINVALID for a bad amount, order or card; SHOP_EUNAVAILABLE when the gateway
 * or the store is down (nothing recorded).
 */
int payment_service_authorize(payment_id *out, struct payment_service *svc,
                              const struct authorize_payment_request *req,
                              const struct message_meta *meta);

/*
 * Authorizes the payment with the id the caller gives (the saga's: payment id = order
 * id, so a command is idempotent by construction); *out is the payment after.  A payment
 * of that id that exists already is the answer, as it stands: the gateway is not asked
 * again (its Idempotency-Key "<id>:authorize" would answer the same anyway), 0 if it was
 * approved (whatever happened to it since), SHOP_EREFUSED "payment declined" if declined.
 * Otherwise as payment_service_authorize.
 */
int payment_service_authorize_as(payment *out, struct payment_service *svc, const payment_id *id,
                                 const struct authorize_payment_request *req,
                                 const struct message_meta *meta);

/* Captures an authorized payment (no-op if captured); SHOP_EREFUSED after a void. */
int payment_service_capture(struct payment_service *svc, const payment_id *id,
                            const struct message_meta *meta);

/* Voids an authorized payment (no-op if voided); SHOP_EREFUSED after the capture. */
int payment_service_void(struct payment_service *svc, const payment_id *id,
                         const struct message_meta *meta);

/* Refunds part of a captured payment; SHOP_EREFUSED beyond what is left to refund. */
int payment_service_refund(struct payment_service *svc, const payment_id *id, money amount,
                           const struct message_meta *meta);

/*
 * Gives the customer's money back, whatever the payment has come to: voids an
 * authorization, refunds what is left of a capture, and does nothing for a payment that
 * was declined, voided or refunded in full.  The compensation of the fulfilment saga
 * (ordering.VoidPayment), which may meet the capture on its way.  SHOP_ENOTFOUND if there
 * is no payment.
 */
int payment_service_give_back(struct payment_service *svc, const payment_id *id,
                              const struct message_meta *meta);

/* The payment as it is now, and its version; SHOP_ENOTFOUND if there is none. */
int payment_service_get(payment *out, int64_t *out_version, struct payment_service *svc,
                        const payment_id *id);

#endif
