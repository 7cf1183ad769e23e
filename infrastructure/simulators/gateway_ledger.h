/*
 * infrastructure/simulators/gateway_ledger.h — the book of the simulated payment gateway:
 * charges, captures, voids, refunds and idempotency keys, in memory, with no I/O.
 *
 * Pattern: the core of a simulated external system (a test double with real rules).  Two
 * adapters sit on it, so both answer alike by construction:
 *   - infrastructure/simulators/payment_gateway.c, the HTTP simulator (`shop serve
 *     payment-gateway`), turns requests into ledger calls and results into Stripe-like
 *     JSON (docs/contracts/payment-gateway.md);
 *   - infrastructure/memory/payment_gateway_memory.c, the in-memory twin of the payment
 *     gateway port, calls the ledger directly.
 *
 * Rules (the gateway's, not the shop's):
 *   - a charge with source "tok_chargeDeclined" is declined (402 card_declined); any other
 *     token is approved and authorized ("capture": false) or captured at once;
 *   - capture of a captured charge answers as the first capture did and captures nothing
 *     more; capture of a voided charge is 409 charge_voided;
 *   - void of a voided charge answers "voided" again; void of a captured charge is 409
 *     charge_captured;
 *   - refunds need a captured charge (409 charge_not_captured) and their sum never
 *     exceeds the captured amount (400 amount_too_large);
 *   - an idempotency key names one request: the same key with the same request returns the
 *     first result and changes nothing; with another request it is 409
 *     idempotency_key_in_use.  Results of every status are kept (a decline too).
 *
 * Not thread-safe: one ledger per service loop.
 * Read next: payment_gateway.c, then infrastructure/payments/payment_gateway_http.c.
 */
#ifndef SHOP_INFRASTRUCTURE_SIMULATORS_GATEWAY_LEDGER_H
#define SHOP_INFRASTRUCTURE_SIMULATORS_GATEWAY_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GW_ID_MAX      32                /* "ch_0123456789abcdef": bytes without the NUL */
#define GW_CODE_MAX    32                /* "card_declined" */
#define GW_MESSAGE_MAX 160               /* "Your card was declined." */
#define GW_KEY_MAX     255               /* an Idempotency-Key header */
#define GW_SOURCE_MAX  64                /* a card token */
#define GW_AMOUNT_MAX  INT64_C(99999999) /* minor units of one charge, as Stripe */

/* What the gateway answered: an HTTP status, and either an object or an error. */
struct gw_result {
    int status;                 /* 200, 400, 402, 404, 409 */
    char object[8];             /* "charge" or "refund" when status is 200 */
    char id[GW_ID_MAX + 1];     /* "ch_..." / "re_..." */
    char state[16];             /* "authorized", "captured", "voided", "succeeded" */
    int64_t amount;             /* minor units */
    char currency[4];           /* "EUR" */
    int64_t amount_refunded;    /* charges only */
    char charge[GW_ID_MAX + 1]; /* refunds only: the refunded charge */
    char code[GW_CODE_MAX + 1]; /* errors: "card_declined", ... */
    char message[GW_MESSAGE_MAX + 1];
    bool replayed; /* the first answer to this idempotency key, given again */
};

struct gw_counters {
    unsigned long charges; /* approved */
    unsigned long declines;
    unsigned long captures;
    unsigned long voids;
    unsigned long refunds;
    unsigned long replays; /* answers repeated for an idempotency key */
    unsigned long key_conflicts;
};

struct gw_ledger;

/* seed names the ids the ledger makes (the same seed, the same ids). */
struct gw_ledger *gw_ledger_new(uint64_t seed);
void gw_ledger_free(struct gw_ledger *l);
const struct gw_counters *gw_ledger_counters(const struct gw_ledger *l);

/*
 * Each operation fills *out and returns nothing: every outcome, refusals included, is an
 * answer of the gateway.  key may be NULL or "" (no idempotency).  Arguments are checked
 * here too (400 invalid_request), so a caller that skips a check gets an answer, not a
 * crash.
 */
void gw_ledger_charge(struct gw_ledger *l, struct gw_result *out, const char *key, int64_t amount,
                      const char *currency, const char *source, bool capture);
void gw_ledger_capture(struct gw_ledger *l, struct gw_result *out, const char *key,
                       const char *charge_id);
void gw_ledger_void(struct gw_ledger *l, struct gw_result *out, const char *key,
                    const char *charge_id);
void gw_ledger_refund(struct gw_ledger *l, struct gw_result *out, const char *key,
                      const char *charge_id, int64_t amount);
/* A charge as it is now (no key: reading changes nothing). */
void gw_ledger_get(struct gw_ledger *l, struct gw_result *out, const char *charge_id);

/* An invalid-request answer (400) with a message, for the HTTP layer's own checks. */
void gw_result_invalid(struct gw_result *out, const char *message);

/*
 * The SHOP_E* code a client of the gateway reports for a result, with the gateway's
 * message recorded: 0 for 200 and for a decline (402: an answer, not a failure),
 * SHOP_EINVALID for 400, SHOP_EREFUSED for amount_too_large and 409 state conflicts,
 * SHOP_ECONFLICT for idempotency_key_in_use, SHOP_ENOTFOUND for 404,
 * SHOP_EUNAVAILABLE for 5xx.  One mapping for the twin and the HTTP client.
 */
int gw_result_error(const struct gw_result *r);

#endif
