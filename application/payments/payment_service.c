/*
 * application/payments/payment_service.c — Payments' command handlers (application
 * service of an event-sourced aggregate that calls an external system).
 *
 * Pattern: the same loop as Ordering's handlers (application/ordering/order_service.c),
 * with one step more, the gateway, between the check and the decision:
 *
 *     load the payment                  state, version
 *     check the command on the state    refused, or nothing to do: stop here
 *     call the gateway, with a key      "<payment id>:capture" ...
 *     decide with the gateway's answer  events
 *     append at that version            SHOP_ECONFLICT: start again from the load
 *
 * The domain stays pure (the answer is command data) and the gateway is asked only when
 * the payment's state allows the command, so a refused command never reaches it.  The key
 * makes the call safe to repeat: after a conflict the loop calls again with the same key
 * and gets the first answer; a refund's key counts the payment's refunds
 * ("<id>:refund:3"), so each refund is its own request and a retried one is the same.
 * Read next: infrastructure/payments/payment_gateway_http.c, tests/unit/payment_service_test.c
 */
#include "application/payments/payment_service.h"

#include "domain/shared/error.h"

#include <stdio.h>
#include <string.h>

/* What one command does between the load and the append. */
typedef int (*act_fn)(payment_event out[PAYMENT_MAX_DECIDED_EVENTS], size_t *out_count,
                      struct payment_service *svc, const payment *state, const void *arg);

static int stamp(struct message_meta *out, struct payment_service *svc, const payment_id *id,
                 const struct message_meta *meta)
{
    memset(out, 0, sizeof *out);
    if (meta)
        *out = *meta;
    if (uuid_is_nil(out->correlation_id))
        out->correlation_id = id->uuid;
    if (uuid_is_nil(out->message_id))
        return id_generator_next(svc->ids, &out->message_id);
    return 0;
}

static void make_key(char out[PAYMENT_GATEWAY_KEY_MAX], const payment_id *id, const char *op,
                     size_t n)
{
    char text[UUID_STRING_SIZE];
    uuid_format(text, id->uuid);
    if (n)
        snprintf(out, PAYMENT_GATEWAY_KEY_MAX, "%s:%s:%zu", text, op, n);
    else
        snprintf(out, PAYMENT_GATEWAY_KEY_MAX, "%s:%s", text, op);
}

/* load -> act (check, gateway, decide) -> append, again on SHOP_ECONFLICT. */
static int handle(struct payment_service *svc, const payment_id *id, act_fn act, const void *arg,
                  const struct message_meta *meta)
{
    struct message_meta stamped;
    int attempts = svc->max_attempts > 0 ? svc->max_attempts : PAYMENT_SERVICE_MAX_ATTEMPTS;
    int rc = stamp(&stamped, svc, id, meta);
    if (rc < 0)
        return rc;

    for (int attempt = 1; attempt <= attempts; attempt++) {
        payment state;
        int64_t version;
        payment_event events[PAYMENT_MAX_DECIDED_EVENTS];
        size_t n = 0;

        rc = payment_store_load(svc->payments, &state, &version, id);
        if (rc < 0)
            return rc;
        rc = act(events, &n, svc, &state, arg);
        if (rc < 0 || n == 0)
            return rc;
        rc = payment_store_append(svc->payments, id, version, events, n, &stamped);
        if (rc != SHOP_ECONFLICT)
            return rc;
    }
    char text[UUID_STRING_SIZE];
    return shop_error_set(SHOP_ECONFLICT,
                          "payment %s was changed by another writer on each of %d attempts",
                          uuid_format(text, id->uuid), attempts);
}

/* ---- authorize ---- */

struct authorize_arg {
    authorize_payment cmd;
    const char *card;
    bool answer_existing; /* a payment that exists is the answer, not a refusal */
};

static int act_authorize(payment_event out[PAYMENT_MAX_DECIDED_EVENTS], size_t *out_count,
                         struct payment_service *svc, const payment *state, const void *arg)
{
    const struct authorize_arg *a = arg;
    authorize_payment cmd = a->cmd;
    struct gateway_authorization answer = {0};
    char key[PAYMENT_GATEWAY_KEY_MAX];
    if (a->answer_existing && state->status != PAYMENT_STATUS_NONE) {
        *out_count = 0; /* authorized (or declined) before: the gateway is not asked again */
        return 0;
    }
    int rc = payment_check_authorize(state, &cmd);
    if (rc < 0)
        return rc;
    make_key(key, &cmd.id, "authorize", 0);
    rc = payment_gateway_authorize(svc->gateway, &answer, cmd.amount, a->card, key);
    if (rc < 0)
        return rc;
    cmd.approved = answer.approved;
    memcpy(cmd.charge_id, answer.charge_id, sizeof cmd.charge_id);
    memcpy(cmd.decline_reason, answer.decline_reason, sizeof cmd.decline_reason);
    return payment_decide_authorize(out, out_count, state, &cmd);
}

/* Authorizes payment id (answer_existing: an existing one is the answer); *out after. */
static int authorize(payment *out, struct payment_service *svc, const payment_id *id,
                     const struct authorize_payment_request *req, bool answer_existing,
                     const struct message_meta *meta)
{
    struct authorize_arg arg = {
        .cmd = {.id = *id, .order_id = req->order_id, .amount = req->amount},
        .card = req->card,
        .answer_existing = answer_existing};
    int64_t version;
    int rc;

    payment_init(out);
    if ((rc = payment_card_check(req->card)) < 0)
        return rc;
    arg.cmd.at_us = shop_clock_now_us(svc->clock);
    if ((rc = handle(svc, id, act_authorize, &arg, meta)) < 0 ||
        (rc = payment_store_load(svc->payments, out, &version, id)) < 0)
        return rc;
    if (out->status == PAYMENT_STATUS_DECLINED)
        return shop_error_set(SHOP_EREFUSED, "payment declined");
    return 0;
}

int payment_service_authorize(payment_id *out, struct payment_service *svc,
                              const struct authorize_payment_request *req,
                              const struct message_meta *meta)
{
    payment state;
    payment_id id;
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = payment_card_check(req->card)) < 0)
        return rc;
    if ((rc = id_generator_next(svc->ids, &id.uuid)) < 0)
        return rc;
    rc = authorize(&state, svc, &id, req, false, meta);
    if (rc == 0 || rc == SHOP_EREFUSED)
        *out = id; /* the decline is recorded too: *out names it */
    return rc;
}

int payment_service_authorize_as(payment *out, struct payment_service *svc, const payment_id *id,
                                 const struct authorize_payment_request *req,
                                 const struct message_meta *meta)
{
    return authorize(out, svc, id, req, true, meta);
}

/* ---- capture, void, refund ---- */

static int act_capture(payment_event out[PAYMENT_MAX_DECIDED_EVENTS], size_t *out_count,
                       struct payment_service *svc, const payment *state, const void *arg)
{
    const capture_payment *cmd = arg;
    char key[PAYMENT_GATEWAY_KEY_MAX];
    int rc = payment_check_capture(state);
    if (rc != 0)
        return rc < 0 ? rc : 0; /* captured already: the gateway is not asked again */
    make_key(key, &cmd->id, "capture", 0);
    if ((rc = payment_gateway_capture(svc->gateway, state->charge_id, key)) < 0)
        return rc;
    return payment_decide_capture(out, out_count, state, cmd);
}

int payment_service_capture(struct payment_service *svc, const payment_id *id,
                            const struct message_meta *meta)
{
    capture_payment cmd = {.id = *id, .at_us = shop_clock_now_us(svc->clock)};
    return handle(svc, id, act_capture, &cmd, meta);
}

static int act_void(payment_event out[PAYMENT_MAX_DECIDED_EVENTS], size_t *out_count,
                    struct payment_service *svc, const payment *state, const void *arg)
{
    const void_payment *cmd = arg;
    char key[PAYMENT_GATEWAY_KEY_MAX];
    int rc = payment_check_void(state);
    if (rc != 0)
        return rc < 0 ? rc : 0;
    make_key(key, &cmd->id, "void", 0);
    if ((rc = payment_gateway_void(svc->gateway, state->charge_id, key)) < 0)
        return rc;
    return payment_decide_void(out, out_count, state, cmd);
}

int payment_service_void(struct payment_service *svc, const payment_id *id,
                         const struct message_meta *meta)
{
    void_payment cmd = {.id = *id, .at_us = shop_clock_now_us(svc->clock)};
    return handle(svc, id, act_void, &cmd, meta);
}

static int act_refund(payment_event out[PAYMENT_MAX_DECIDED_EVENTS], size_t *out_count,
                      struct payment_service *svc, const payment *state, const void *arg)
{
    refund_payment cmd = *(const refund_payment *)arg;
    char key[PAYMENT_GATEWAY_KEY_MAX];
    int rc = payment_check_refund(state, cmd.amount);
    if (rc < 0)
        return rc;
    make_key(key, &cmd.id, "refund", state->refund_count + 1);
    rc = payment_gateway_refund(svc->gateway, cmd.refund_id, state->charge_id, cmd.amount, key);
    if (rc < 0)
        return rc;
    return payment_decide_refund(out, out_count, state, &cmd);
}

int payment_service_refund(struct payment_service *svc, const payment_id *id, money amount,
                           const struct message_meta *meta)
{
    refund_payment cmd = {.id = *id, .amount = amount, .at_us = shop_clock_now_us(svc->clock)};
    return handle(svc, id, act_refund, &cmd, meta);
}

int payment_service_give_back(struct payment_service *svc, const payment_id *id,
                              const struct message_meta *meta)
{
    payment p;
    int64_t version;
    money left;
    int rc = payment_service_get(&p, &version, svc, id);
    if (rc < 0)
        return rc;
    switch (p.status) {
    case PAYMENT_STATUS_AUTHORIZED: return payment_service_void(svc, id, meta);
    case PAYMENT_STATUS_CAPTURED:
        /* the refund's gateway key counts the payment's refunds: a retry refunds once */
        if ((rc = money_subtract(&left, p.captured, p.refunded)) < 0)
            return rc;
        return payment_service_refund(svc, id, left, meta);
    default: return 0; /* declined, voided, refunded in full: nothing is held or taken */
    }
}

/* ---- query ---- */

int payment_service_get(payment *out, int64_t *out_version, struct payment_service *svc,
                        const payment_id *id)
{
    int rc = payment_store_load(svc->payments, out, out_version, id);
    if (rc < 0)
        return rc;
    if (out->status == PAYMENT_STATUS_NONE) {
        char text[UUID_STRING_SIZE];
        return shop_error_set(SHOP_ENOTFOUND, "no payment %s", uuid_format(text, id->uuid));
    }
    return 0;
}
