/*
 * application/payments/payment_gateway.h — the port through which Payments talks to the
 * external card payment gateway (a driven port).
 *
 * Four operations, each with an idempotency key chosen by the caller, so that a call
 * repeated after a timeout or a conflict is answered as the first one was and never pays
 * twice (docs/contracts/payment-gateway.md, "Idempotency").  Results:
 *   0                   done (authorize: approved or declined, see *out)
 *   SHOP_EREFUSED       the gateway refuses it in the charge's state (capture after a
 *                       void, void after a capture, a refund beyond the capture)
 *   SHOP_ENOTFOUND      no such charge
 *   SHOP_ECONFLICT      the key was used before for another request
 *   SHOP_EINVALID       the gateway found the request malformed
 *   SHOP_EUNAVAILABLE   no answer (down, timed out, an injected fault): safe to retry with
 *                       the same key
 * with shop_error_message() saying what the gateway said.
 * Adapters: infrastructure/payments/payment_gateway_http.c (the real one, HTTP) and
 * infrastructure/memory/payment_gateway_memory.c (the in-memory twin); one contract suite,
 * tests/contract/payment_gateway_contract.c, runs against both.
 * Read next: application/payments/payment_service.h
 */
#ifndef SHOP_APPLICATION_PAYMENTS_PAYMENT_GATEWAY_H
#define SHOP_APPLICATION_PAYMENTS_PAYMENT_GATEWAY_H

#include "domain/payments/payment.h"
#include "domain/shared/money.h"

#include <stdbool.h>

#define PAYMENT_GATEWAY_VERSION 1
#define PAYMENT_GATEWAY_KEY_MAX 128 /* bytes of an idempotency key the shop makes */

struct gateway_authorization {
    bool approved;
    char charge_id[PAYMENT_GATEWAY_ID_MAX + 1];  /* approved: the gateway's charge */
    char decline_reason[PAYMENT_REASON_MAX + 1]; /* declined: the gateway's code */
};

struct payment_gateway {
    unsigned version; /* PAYMENT_GATEWAY_VERSION */

    /* Authorizes amount on the card without capturing it. */
    int (*authorize)(struct payment_gateway *self, struct gateway_authorization *out, money amount,
                     const char *card, const char *key);
    /* Captures an authorized charge in full; a captured charge answers 0 again. */
    int (*capture)(struct payment_gateway *self, const char *charge_id, const char *key);
    /* Voids an authorized charge; a voided charge answers 0 again. */
    int (*void_charge)(struct payment_gateway *self, const char *charge_id, const char *key);
    /* Refunds part or all of a captured charge; *out is the gateway's refund id. */
    int (*refund)(struct payment_gateway *self, char out[PAYMENT_GATEWAY_ID_MAX + 1],
                  const char *charge_id, money amount, const char *key);

    void (*free)(struct payment_gateway *self);
};

static inline int payment_gateway_authorize(struct payment_gateway *g,
                                            struct gateway_authorization *out, money amount,
                                            const char *card, const char *key)
{
    return g->authorize(g, out, amount, card, key);
}

static inline int payment_gateway_capture(struct payment_gateway *g, const char *charge_id,
                                          const char *key)
{
    return g->capture(g, charge_id, key);
}

static inline int payment_gateway_void(struct payment_gateway *g, const char *charge_id,
                                       const char *key)
{
    return g->void_charge(g, charge_id, key);
}

static inline int payment_gateway_refund(struct payment_gateway *g,
                                         char out[PAYMENT_GATEWAY_ID_MAX + 1],
                                         const char *charge_id, money amount, const char *key)
{
    return g->refund(g, out, charge_id, amount, key);
}

static inline void payment_gateway_free(struct payment_gateway *g)
{
    if (g)
        g->free(g);
}

#endif
