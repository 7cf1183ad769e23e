/*
 * domain/payments/payment.c — the Payment aggregate as a decider (DDD aggregate, event
 * sourcing).
 *
 * Pattern: decide (state, command) -> events | refusal, and evolve (state, event) -> state,
 * both pure: no heap, no clock, no I/O, no gateway.  Each command has a check (is it
 * allowed on this state, would it change anything?) that the command handler calls before
 * it asks the gateway, and a decide that runs the same check, then the rules about the
 * gateway's answer, and only then writes its event: a refusal leaves `out` untouched.
 * Money is the kernel's checked money (domain/shared/money.h): a refund total that would
 * overflow, or a refund in another currency, is a refusal, never a wrap-around.
 * Read next: tests/unit/payment_test.c, then application/payments/payment_service.c.
 */
#include "domain/payments/payment.h"

#include "domain/shared/error.h"
#include "domain/shared/text.h"

#include <stdio.h> /* snprintf only: formatting, no I/O */
#include <string.h>

/* ---- names and values ---- */

#define PAYMENT_STREAM_PREFIX "payment-"
_Static_assert(sizeof PAYMENT_STREAM_PREFIX - 1 + UUID_STRING_SIZE == PAYMENT_STREAM_ID_SIZE,
               "PAYMENT_STREAM_ID_SIZE holds the prefix, the UUID and the NUL");

const char *payment_stream_id(char out[PAYMENT_STREAM_ID_SIZE], payment_id id)
{
    memcpy(out, PAYMENT_STREAM_PREFIX, sizeof PAYMENT_STREAM_PREFIX - 1);
    uuid_format(out + sizeof PAYMENT_STREAM_PREFIX - 1, id.uuid);
    return out;
}

int payment_id_parse(payment_id *out, const char *text)
{
    char quoted[TEXT_QUOTE_SIZE];

    memset(out, 0, sizeof *out);
    if (!text || uuid_parse(&out->uuid, text) < 0)
        return shop_error_set(SHOP_EINVALID,
                              "payment id \"%s\" is not a UUID (8-4-4-4-12 hex digits)",
                              text_quote(quoted, text ? text : ""));
    return 0;
}

int payment_card_check(const char *card)
{
    size_t n = card ? strlen(card) : 0;
    if (n == 0 || n > PAYMENT_CARD_MAX)
        return shop_error_set(SHOP_EINVALID, "card: a token of 1-%d characters, got %zu",
                              PAYMENT_CARD_MAX, n);
    for (size_t i = 0; i < n; i++)
        if (!text_is_printable_ascii_char(card[i]) || card[i] == ' ')
            return shop_error_set(SHOP_EINVALID,
                                  "card: printable ASCII without spaces, like tok_visa");
    return 0;
}

const char *payment_status_name(enum payment_status s)
{
    switch (s) {
    case PAYMENT_STATUS_NONE: return "none";
    case PAYMENT_STATUS_AUTHORIZED: return "authorized";
    case PAYMENT_STATUS_DECLINED: return "declined";
    case PAYMENT_STATUS_CAPTURED: return "captured";
    case PAYMENT_STATUS_VOIDED: return "voided";
    case PAYMENT_STATUS_REFUNDED: return "refunded";
    }
    return "unknown";
}

static const char *const EVENT_NAMES[] = {
    [PAYMENT_AUTHORIZED] = "PaymentAuthorized", [PAYMENT_DECLINED] = "PaymentDeclined",
    [PAYMENT_CAPTURED] = "PaymentCaptured",     [PAYMENT_VOIDED] = "PaymentVoided",
    [PAYMENT_REFUNDED] = "PaymentRefunded",
};
#define EVENT_NAME_COUNT (sizeof EVENT_NAMES / sizeof EVENT_NAMES[0])

const char *payment_event_type_name(enum payment_event_type t)
{
    if ((size_t)t < EVENT_NAME_COUNT && EVENT_NAMES[t])
        return EVENT_NAMES[t];
    return "unknown";
}

enum payment_event_type payment_event_type_from_name(const char *name)
{
    for (size_t t = 0; name && t < EVENT_NAME_COUNT; t++)
        if (EVENT_NAMES[t] && strcmp(EVENT_NAMES[t], name) == 0)
            return (enum payment_event_type)t;
    return 0;
}

void payment_init(payment *out)
{
    memset(out, 0, sizeof *out);
}

/* ---- checks ---- */

static int refuse_unknown(const payment *state)
{
    if (state->status != PAYMENT_STATUS_NONE)
        return 0;
    return shop_error_set(SHOP_ENOTFOUND, "no such payment");
}

static int refuse_in_state(const payment *state, const char *what)
{
    char id[UUID_STRING_SIZE];
    return shop_error_set(SHOP_EREFUSED, "payment %s is %s and cannot be %s",
                          uuid_format(id, state->id.uuid), payment_status_name(state->status),
                          what);
}

/* A gateway id or reason: 1..max bytes within its array, printable ASCII. */
static bool gateway_text_ok(const char *text, size_t size)
{
    const char *end = memchr(text, '\0', size);
    return end && end != text && text_is_printable_ascii(text);
}

int payment_check_authorize(const payment *state, const authorize_payment *cmd)
{
    char id[UUID_STRING_SIZE];
    if (state->status != PAYMENT_STATUS_NONE)
        return shop_error_set(SHOP_EREFUSED, "payment %s already exists",
                              uuid_format(id, cmd->id.uuid));
    if (uuid_is_nil(cmd->order_id))
        return shop_error_set(SHOP_EINVALID, "a payment needs the order it pays for");
    if (!cmd->amount.currency)
        return shop_error_set(SHOP_EINVALID, "amount: has no currency");
    if (!money_is_positive(cmd->amount)) {
        char text[MONEY_FORMAT_MAX];
        money_format(text, sizeof text, cmd->amount);
        return shop_error_set(SHOP_EINVALID, "amount: must be above 0, got %s", text);
    }
    return 0;
}

int payment_check_capture(const payment *state)
{
    int rc = refuse_unknown(state);
    if (rc < 0)
        return rc;
    switch (state->status) {
    case PAYMENT_STATUS_AUTHORIZED: return 0;
    case PAYMENT_STATUS_CAPTURED:
    case PAYMENT_STATUS_REFUNDED: return PAYMENT_NOTHING_TO_DO; /* captured at most once */
    default: return refuse_in_state(state, "captured");
    }
}

int payment_check_void(const payment *state)
{
    int rc = refuse_unknown(state);
    if (rc < 0)
        return rc;
    switch (state->status) {
    case PAYMENT_STATUS_AUTHORIZED: return 0;
    case PAYMENT_STATUS_VOIDED: return PAYMENT_NOTHING_TO_DO;
    case PAYMENT_STATUS_CAPTURED:
    case PAYMENT_STATUS_REFUNDED:
        return shop_error_set(SHOP_EREFUSED, "payment is captured and cannot be voided; "
                                             "refund it instead");
    default: return refuse_in_state(state, "voided");
    }
}

int payment_check_refund(const payment *state, money amount)
{
    char asked[MONEY_FORMAT_MAX], left_text[MONEY_FORMAT_MAX];
    money left;
    int cmp, rc = refuse_unknown(state);

    if (rc < 0)
        return rc;
    if (state->status != PAYMENT_STATUS_CAPTURED && state->status != PAYMENT_STATUS_REFUNDED)
        return refuse_in_state(state, "refunded");
    if (!amount.currency)
        return shop_error_set(SHOP_EINVALID, "amount: has no currency");
    money_format(asked, sizeof asked, amount);
    if (!money_is_positive(amount))
        return shop_error_set(SHOP_EINVALID, "amount: must be above 0, got %s", asked);
    if (amount.currency != state->captured.currency)
        return shop_error_set(SHOP_EINVALID, "amount: the payment is in %s, got %s",
                              state->captured.currency->code, asked);
    if (money_subtract(&left, state->captured, state->refunded) < 0 ||
        money_compare(&cmp, amount, left) < 0)
        return shop_error_code();
    if (cmp > 0) {
        money_format(left_text, sizeof left_text, left);
        return shop_error_set(SHOP_EREFUSED,
                              "a refund of %s would exceed the capture: %s is left to refund",
                              asked, left_text);
    }
    return 0;
}

/* ---- deciding ---- */

int payment_decide_authorize(payment_event out[PAYMENT_MAX_DECIDED_EVENTS], size_t *out_count,
                             const payment *state, const authorize_payment *cmd)
{
    payment_event e = {.payment_id = cmd->id, .at_us = cmd->at_us};
    int rc;

    *out_count = 0;
    if ((rc = payment_check_authorize(state, cmd)) < 0)
        return rc;
    if (cmd->approved) {
        if (!gateway_text_ok(cmd->charge_id, sizeof cmd->charge_id))
            return shop_error_set(SHOP_EINVALID,
                                  "an approved payment needs the gateway's charge id");
        e.type = PAYMENT_AUTHORIZED;
        e.as.authorized.order_id = cmd->order_id;
        e.as.authorized.amount = cmd->amount;
        memcpy(e.as.authorized.charge_id, cmd->charge_id, sizeof e.as.authorized.charge_id);
    } else {
        if (!gateway_text_ok(cmd->decline_reason, sizeof cmd->decline_reason))
            return shop_error_set(SHOP_EINVALID, "a declined payment needs the gateway's reason");
        e.type = PAYMENT_DECLINED;
        e.as.declined.order_id = cmd->order_id;
        e.as.declined.amount = cmd->amount;
        memcpy(e.as.declined.reason, cmd->decline_reason, sizeof e.as.declined.reason);
    }
    out[0] = e;
    *out_count = 1;
    return 0;
}

int payment_decide_capture(payment_event out[PAYMENT_MAX_DECIDED_EVENTS], size_t *out_count,
                           const payment *state, const capture_payment *cmd)
{
    *out_count = 0;
    int rc = payment_check_capture(state);
    if (rc != 0)
        return rc < 0 ? rc : 0; /* a second capture changes nothing */
    out[0] = (payment_event){.type = PAYMENT_CAPTURED, .payment_id = cmd->id, .at_us = cmd->at_us};
    out[0].as.captured.amount = state->amount; /* the whole authorization, once */
    *out_count = 1;
    return 0;
}

int payment_decide_void(payment_event out[PAYMENT_MAX_DECIDED_EVENTS], size_t *out_count,
                        const payment *state, const void_payment *cmd)
{
    *out_count = 0;
    int rc = payment_check_void(state);
    if (rc != 0)
        return rc < 0 ? rc : 0;
    out[0] = (payment_event){.type = PAYMENT_VOIDED, .payment_id = cmd->id, .at_us = cmd->at_us};
    *out_count = 1;
    return 0;
}

int payment_decide_refund(payment_event out[PAYMENT_MAX_DECIDED_EVENTS], size_t *out_count,
                          const payment *state, const refund_payment *cmd)
{
    *out_count = 0;
    int rc = payment_check_refund(state, cmd->amount);
    if (rc < 0)
        return rc;
    if (!gateway_text_ok(cmd->refund_id, sizeof cmd->refund_id))
        return shop_error_set(SHOP_EINVALID, "a refund needs the gateway's refund id");
    out[0] = (payment_event){.type = PAYMENT_REFUNDED, .payment_id = cmd->id, .at_us = cmd->at_us};
    out[0].as.refunded.amount = cmd->amount;
    memcpy(out[0].as.refunded.refund_id, cmd->refund_id, sizeof out[0].as.refunded.refund_id);
    *out_count = 1;
    return 0;
}

/* ---- evolving ---- */

static void copy_text(char *dst, const char *src, size_t size)
{
    /* A stored event may come from anywhere: never trust it to be NUL-terminated. */
    memcpy(dst, src, size);
    dst[size - 1] = '\0';
}

void payment_evolve(payment *state, const payment_event *event)
{
    state->changed_at_us = event->at_us;
    switch (event->type) {
    case PAYMENT_AUTHORIZED:
        state->id = event->payment_id;
        state->status = PAYMENT_STATUS_AUTHORIZED;
        state->order_id = event->as.authorized.order_id;
        state->amount = event->as.authorized.amount;
        state->captured = money_zero(state->amount.currency);
        state->refunded = money_zero(state->amount.currency);
        copy_text(state->charge_id, event->as.authorized.charge_id, sizeof state->charge_id);
        state->authorized_at_us = event->at_us;
        return;
    case PAYMENT_DECLINED:
        state->id = event->payment_id;
        state->status = PAYMENT_STATUS_DECLINED;
        state->order_id = event->as.declined.order_id;
        state->amount = event->as.declined.amount;
        state->captured = money_zero(state->amount.currency);
        state->refunded = money_zero(state->amount.currency);
        copy_text(state->decline_reason, event->as.declined.reason, sizeof state->decline_reason);
        state->authorized_at_us = event->at_us;
        return;
    case PAYMENT_CAPTURED:
        state->status = PAYMENT_STATUS_CAPTURED;
        state->captured = event->as.captured.amount;
        return;
    case PAYMENT_VOIDED: state->status = PAYMENT_STATUS_VOIDED; return;
    case PAYMENT_REFUNDED: {
        money sum;
        if (money_add(&sum, state->refunded, event->as.refunded.amount) == 0)
            state->refunded = sum;
        state->refund_count++;
        if (money_equal(state->refunded, state->captured))
            state->status = PAYMENT_STATUS_REFUNDED;
        return;
    }
    }
}
