/*
 * domain/payments/payment.h — the Payment aggregate of the Payments context (DDD
 * aggregate, event-sourced, written as a decider).
 *
 * A payment is money the shop takes for one order through an external card gateway.  Like
 * an order it is the fold of its events, and two pure functions are the whole aggregate:
 *   decide  (state, command) -> events | refusal   payment_decide_authorize/capture/void/refund
 *   evolve  (state, event)   -> state              payment_evolve
 * The gateway is not called from here: the command handler
 * (application/payments/payment_service.c) asks payment_check_* whether the command is
 * allowed, calls the gateway, and passes the gateway's answer (a charge id, a decline, a
 * refund id) to decide as command data.  decide applies every rule again, so it alone
 * keeps the invariants, whatever its caller did.
 *
 * Rules (docs/architecture.md §2):
 *   - amounts are above zero, and every amount of a payment is in its one currency;
 *   - a declined payment can be neither captured, voided nor refunded;
 *   - a payment is captured at most once, for its authorized amount: capturing a captured
 *     payment changes nothing (no event, not an error — the gateway answers a repeated
 *     capture the same way), and it is never captured after a void;
 *   - a void is possible only before the capture; voiding a voided payment changes nothing;
 *   - refunds need a capture, and their sum never exceeds the captured amount.
 *
 * Read next: domain/payments/payment.c, tests/unit/payment_test.c, then
 * application/payments/payment_service.c.
 */
#ifndef SHOP_DOMAIN_PAYMENTS_PAYMENT_H
#define SHOP_DOMAIN_PAYMENTS_PAYMENT_H

#include "domain/shared/money.h"
#include "domain/shared/uuid.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAYMENT_GATEWAY_ID_MAX 64  /* bytes of a gateway's charge or refund id */
#define PAYMENT_REASON_MAX     160 /* bytes of a decline reason */
#define PAYMENT_CARD_MAX       64  /* bytes of a card token */

/* ---- value objects ---- */

typedef struct payment_id {
    shop_uuid uuid;
} payment_id;

/* "payment-<uuid>": the event stream of one payment. */
#define PAYMENT_STREAM_ID_SIZE (8 + UUID_STRING_SIZE)
const char *payment_stream_id(char out[PAYMENT_STREAM_ID_SIZE], payment_id id);
/* From text: a UUID.  SHOP_EINVALID names the rule. */
int payment_id_parse(payment_id *out, const char *text);

/*
 * A card token as the gateway knows it ("tok_visa"): 1..PAYMENT_CARD_MAX printable ASCII
 * characters without spaces.  SHOP_EINVALID otherwise.
 */
int payment_card_check(const char *card);

enum payment_status {
    PAYMENT_STATUS_NONE = 0, /* no such payment */
    PAYMENT_STATUS_AUTHORIZED,
    PAYMENT_STATUS_DECLINED,
    PAYMENT_STATUS_CAPTURED, /* captured, possibly refunded in part */
    PAYMENT_STATUS_VOIDED,
    PAYMENT_STATUS_REFUNDED, /* captured, and refunded in full */
};

/* "authorized", "declined", "captured", "voided", "refunded" ("none"). */
const char *payment_status_name(enum payment_status s);

/* ---- state ---- */

typedef struct payment {
    payment_id id;
    enum payment_status status;
    shop_uuid order_id; /* the order paid for (Ordering's id, kept as a plain UUID) */
    money amount;       /* authorized (or declined) */
    money captured;     /* 0 until captured */
    money refunded;     /* the sum of the refunds */
    size_t refund_count;
    char charge_id[PAYMENT_GATEWAY_ID_MAX + 1];  /* the gateway's charge, "" if declined */
    char decline_reason[PAYMENT_REASON_MAX + 1]; /* "" unless declined */
    int64_t authorized_at_us;
    int64_t changed_at_us; /* the last event's time */
} payment;

void payment_init(payment *out);

/* ---- commands (the gateway's answer is part of the command) ---- */

typedef struct authorize_payment {
    payment_id id;
    shop_uuid order_id;                          /* not nil */
    money amount;                                /* > 0 */
    bool approved;                               /* the gateway's answer */
    char charge_id[PAYMENT_GATEWAY_ID_MAX + 1];  /* approved: the charge, not empty */
    char decline_reason[PAYMENT_REASON_MAX + 1]; /* declined: why, not empty */
    int64_t at_us;
} authorize_payment;

typedef struct capture_payment {
    payment_id id;
    int64_t at_us;
} capture_payment;

typedef struct void_payment {
    payment_id id;
    int64_t at_us;
} void_payment;

typedef struct refund_payment {
    payment_id id;
    money amount;                               /* > 0, in the payment's currency */
    char refund_id[PAYMENT_GATEWAY_ID_MAX + 1]; /* the gateway's refund, not empty */
    int64_t at_us;
} refund_payment;

/* ---- events ---- */

enum payment_event_type {
    PAYMENT_AUTHORIZED = 1,
    PAYMENT_DECLINED,
    PAYMENT_CAPTURED,
    PAYMENT_VOIDED,
    PAYMENT_REFUNDED,
};

/* "PaymentAuthorized", ...: the names stored with the events. */
const char *payment_event_type_name(enum payment_event_type t);
/* The reverse; 0 for a name that is not a Payments event. */
enum payment_event_type payment_event_type_from_name(const char *name);

typedef struct payment_event {
    enum payment_event_type type;
    payment_id payment_id;
    int64_t at_us;
    union {
        struct {
            shop_uuid order_id;
            money amount;
            char charge_id[PAYMENT_GATEWAY_ID_MAX + 1];
        } authorized;
        struct {
            shop_uuid order_id;
            money amount;
            char reason[PAYMENT_REASON_MAX + 1];
        } declined;
        struct {
            money amount;
        } captured;
        struct {
            money amount;
            char refund_id[PAYMENT_GATEWAY_ID_MAX + 1];
        } refunded; /* PaymentVoided carries nothing more */
    } as;
} payment_event;

#define PAYMENT_MAX_DECIDED_EVENTS 1

/*
 * Checks before the gateway is called (the same checks decide makes first):
 *   0                    the command would change the payment: call the gateway
 *   PAYMENT_NOTHING_TO_DO  it would change nothing (capture a captured payment, void a
 *                        voided one): do not call the gateway
 *   < 0                  refused: SHOP_ENOTFOUND (no such payment), SHOP_EREFUSED (its
 *                        state forbids it), SHOP_EINVALID (a bad amount)
 */
#define PAYMENT_NOTHING_TO_DO 1
int payment_check_authorize(const payment *state, const authorize_payment *cmd);
int payment_check_capture(const payment *state);
int payment_check_void(const payment *state);
int payment_check_refund(const payment *state, money amount);

/*
 * decide: 0 with *out_count events written to out (0 when nothing changes), or a refusal
 * as above with nothing written.
 */
int payment_decide_authorize(payment_event out[PAYMENT_MAX_DECIDED_EVENTS], size_t *out_count,
                             const payment *state, const authorize_payment *cmd);
int payment_decide_capture(payment_event out[PAYMENT_MAX_DECIDED_EVENTS], size_t *out_count,
                           const payment *state, const capture_payment *cmd);
int payment_decide_void(payment_event out[PAYMENT_MAX_DECIDED_EVENTS], size_t *out_count,
                        const payment *state, const void_payment *cmd);
int payment_decide_refund(payment_event out[PAYMENT_MAX_DECIDED_EVENTS], size_t *out_count,
                          const payment *state, const refund_payment *cmd);

void payment_evolve(payment *state, const payment_event *event);

#endif
