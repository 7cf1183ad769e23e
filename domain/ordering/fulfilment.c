/*
 * domain/ordering/fulfilment.c — the fulfilment saga as a pure decider (orchestrated
 * process manager; docs/patterns/saga.md).
 *
 * Pattern: decide (state, input) -> (new state, commands, what to do to the order).  No
 * heap, no clock, no I/O: the time comes in with the input.  The flow is a table in code:
 * each waiting state knows the one reply that moves it on, the failure that starts the
 * compensation, and what its deadline means.  Compensation itself is one rule: undo the
 * first of shipment, payment, stock that is still marked as done, and when none is left,
 * the saga is cancelled (and the order with it, unless someone else cancelled it first).
 * Any input that does not belong to the state changes nothing, which makes every handler
 * of the saga idempotent: a duplicate or a late reply is decided away.
 *
 * Read next: tests/unit/fulfilment_test.c (every transition), then
 * application/ordering/fulfilment_service.c, which loads, decides and saves.
 */
#include "domain/ordering/fulfilment.h"

#include "domain/shared/error.h"

#include <stdio.h> /* snprintf only: formatting, no I/O */
#include <string.h>

/* ---- names ---- */

static const char *const STATE_NAMES[] = {
    [SAGA_NONE] = "none",
    [SAGA_RESERVING_STOCK] = "reserving_stock",
    [SAGA_AUTHORIZING_PAYMENT] = "authorizing_payment",
    [SAGA_SCHEDULING_SHIPMENT] = "scheduling_shipment",
    [SAGA_CAPTURING_PAYMENT] = "capturing_payment",
    [SAGA_CANCELLING_SHIPMENT] = "cancelling_shipment",
    [SAGA_VOIDING_PAYMENT] = "voiding_payment",
    [SAGA_RELEASING_STOCK] = "releasing_stock",
    [SAGA_CONFIRMED] = "confirmed",
    [SAGA_CANCELLED] = "cancelled",
    [SAGA_STUCK] = "stuck",
};
#define STATE_COUNT (sizeof STATE_NAMES / sizeof STATE_NAMES[0])

const char *saga_state_name(enum saga_state s)
{
    if ((size_t)s < STATE_COUNT && STATE_NAMES[s])
        return STATE_NAMES[s];
    return "unknown";
}

enum saga_state saga_state_from_name(const char *name)
{
    for (size_t s = 1; name && s < STATE_COUNT; s++)
        if (strcmp(STATE_NAMES[s], name) == 0)
            return (enum saga_state)s;
    return SAGA_NONE;
}

bool saga_state_is_final(enum saga_state s)
{
    return s == SAGA_CONFIRMED || s == SAGA_CANCELLED;
}

static const char *const COMMAND_NAMES[] = {
    [SAGA_CMD_RESERVE_STOCK] = "ReserveStock",
    [SAGA_CMD_RELEASE_RESERVATION] = "ReleaseReservation",
    [SAGA_CMD_COMMIT_RESERVATION] = "CommitReservation",
    [SAGA_CMD_AUTHORIZE_PAYMENT] = "AuthorizePayment",
    [SAGA_CMD_CAPTURE_PAYMENT] = "CapturePayment",
    [SAGA_CMD_VOID_PAYMENT] = "VoidPayment",
    [SAGA_CMD_SCHEDULE_SHIPMENT] = "ScheduleShipment",
    [SAGA_CMD_CANCEL_SHIPMENT] = "CancelShipment",
};
#define COMMAND_COUNT (sizeof COMMAND_NAMES / sizeof COMMAND_NAMES[0])

const char *saga_command_name(enum saga_command_type t)
{
    if ((size_t)t < COMMAND_COUNT && COMMAND_NAMES[t])
        return COMMAND_NAMES[t];
    return "unknown";
}

/* ---- the commands' message ids ---- */

/* MurmurHash3's 64-bit finaliser: every input bit moves every output bit. */
static uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    h *= UINT64_C(0xc4ceb9fe1a85ec53);
    h ^= h >> 33;
    return h;
}

/* FNV-1a over the bytes from a seed of its own, then mixed. */
static uint64_t hash64(uint64_t seed, const uint8_t *bytes, size_t n)
{
    uint64_t h = seed;
    for (size_t i = 0; i < n; i++) {
        h ^= bytes[i];
        h *= UINT64_C(0x100000001b3);
    }
    return mix64(h);
}

/*
 * A name-based id without a cryptographic hash (the domain links nothing): two
 * independent 64-bit hashes of "fulfilment" + the order's 16 bytes + the command + the
 * attempt, then the version (8) and variant bits of RFC 9562.  Collisions are as unlikely
 * as between random ids, and nobody chooses these inputs to make one.
 */
shop_uuid saga_command_message_id(order_id id, enum saga_command_type type, int attempt)
{
    static const char NAMESPACE[] = "fulfilment";
    uint8_t name[sizeof NAMESPACE - 1 + 16 + 1 + 4];
    size_t n = 0;
    memcpy(name, NAMESPACE, sizeof NAMESPACE - 1);
    n += sizeof NAMESPACE - 1;
    memcpy(name + n, id.uuid.bytes, 16);
    n += 16;
    name[n++] = (uint8_t)type;
    for (int i = 3; i >= 0; i--)
        name[n++] = (uint8_t)((uint32_t)attempt >> (8 * i));

    uint64_t hi = hash64(UINT64_C(0xcbf29ce484222325), name, n);
    uint64_t lo = hash64(UINT64_C(0x84222325cbf29ce4) ^ hi, name, n);
    shop_uuid out;
    for (int i = 0; i < 8; i++) {
        out.bytes[i] = (uint8_t)(hi >> (56 - 8 * i));
        out.bytes[8 + i] = (uint8_t)(lo >> (56 - 8 * i));
    }
    out.bytes[6] = (uint8_t)(0x80 | (out.bytes[6] & 0x0F)); /* version 1000 */
    out.bytes[8] = (uint8_t)(0x80 | (out.bytes[8] & 0x3F)); /* variant 10 */
    return out;
}

/* ---- helpers of decide ---- */

static int64_t setting(int64_t value, int64_t fallback)
{
    return value > 0 ? value : fallback;
}

/* Copies text into a reason buffer, cutting it at a character boundary if it is long. */
static void set_text(char *out, size_t size, const char *text)
{
    size_t len = strlen(text);
    if (len >= size) {
        len = size - 1;
        while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80)
            len--; /* text[len] would start the cut; step back to a lead byte */
    }
    memcpy(out, text, len);
    out[len] = '\0';
}

static void add_step(fulfilment_saga *s, const char *name, int64_t at_us)
{
    if (s->step_count == SAGA_MAX_STEPS) { /* drop the oldest */
        memmove(&s->steps[0], &s->steps[1], (SAGA_MAX_STEPS - 1) * sizeof s->steps[0]);
        s->step_count--;
    }
    struct saga_step *st = &s->steps[s->step_count++];
    memset(st, 0, sizeof *st);
    set_text(st->name, sizeof st->name, name);
    st->at_us = at_us;
}

static void add_command(struct saga_decision *d, enum saga_command_type type, int attempt)
{
    d->commands[d->command_count++] = (struct saga_command){type, attempt};
}

/* The compensation that undoes a step, and the words for it. */
struct compensation {
    enum saga_state state;
    enum saga_command_type command;
    const char *doing; /* "voiding the payment" */
};

static const struct compensation CANCEL_SHIPMENT = {
    SAGA_CANCELLING_SHIPMENT, SAGA_CMD_CANCEL_SHIPMENT, "cancelling the shipment"};
static const struct compensation VOID_PAYMENT = {SAGA_VOIDING_PAYMENT, SAGA_CMD_VOID_PAYMENT,
                                                 "voiding the payment"};
static const struct compensation RELEASE_STOCK = {SAGA_RELEASING_STOCK,
                                                  SAGA_CMD_RELEASE_RESERVATION, "releasing stock"};

/* The next thing to undo, in reverse order of doing it; NULL when nothing is left. */
static const struct compensation *next_compensation(const fulfilment_saga *s)
{
    if (s->shipment_scheduled)
        return &CANCEL_SHIPMENT;
    if (s->payment_authorized)
        return &VOID_PAYMENT;
    if (s->stock_reserved)
        return &RELEASE_STOCK;
    return NULL;
}

/* Waits for a reply: the state, a first attempt, a deadline. */
static void wait_for(fulfilment_saga *s, enum saga_state state, int64_t now_us, int64_t wait_us)
{
    s->state = state;
    s->attempt = 1;
    s->deadline_us = now_us + wait_us;
}

static void end(struct saga_decision *d, enum saga_state state, int64_t now_us)
{
    d->saga.state = state;
    d->saga.attempt = 0;
    d->saga.deadline_us = 0;
    add_step(&d->saga, state == SAGA_CONFIRMED ? "order confirmed" : "order cancelled", now_us);
}

/*
 * The reason a stuck saga carries: "<doing> got no reply after N attempts (<why it was
 * compensating>)".  The part in brackets is cut to fit; it is what the order is cancelled
 * with if the late reply comes after all (reason_before_stuck).
 */
#define STUCK_MIDDLE " got no reply after "
static void set_stuck_reason(fulfilment_saga *s, const char *doing, int attempts)
{
    char prefix[96], why[ORDER_REASON_MAX + 1];
    snprintf(prefix, sizeof prefix, "%s" STUCK_MIDDLE "%d attempts (", doing, attempts);
    size_t len = strlen(prefix);
    set_text(why, sizeof s->reason - len - 1 /* ")" */, s->reason);
    memcpy(s->reason, prefix, len);
    memcpy(s->reason + len, why, strlen(why));
    len += strlen(why);
    s->reason[len++] = ')';
    s->reason[len] = '\0';
}

static void reason_before_stuck(fulfilment_saga *s)
{
    const char *middle = strstr(s->reason, STUCK_MIDDLE);
    const char *open = middle ? strstr(middle, " attempts (") : NULL;
    size_t len = strlen(s->reason);
    if (!open || len == 0 || s->reason[len - 1] != ')')
        return;
    open += strlen(" attempts (");
    char why[ORDER_REASON_MAX + 1];
    size_t n = (size_t)(s->reason + len - 1 - open);
    memcpy(why, open, n);
    why[n] = '\0';
    snprintf(s->reason, sizeof s->reason, "%s", why);
}

/* Undoes the next step still done, or ends the saga cancelled when none is left. */
static void compensate(struct saga_decision *d, int64_t now_us, const struct saga_settings *cfg)
{
    const struct compensation *c = next_compensation(&d->saga);
    if (!c) {
        end(d, SAGA_CANCELLED, now_us);
        d->order = d->saga.order_cancelled ? SAGA_ORDER_UNCHANGED : SAGA_ORDER_CANCEL;
        return;
    }
    wait_for(&d->saga, c->state, now_us, cfg->compensation_timeout_us);
    add_command(d, c->command, 1);
}

/* Starts compensating a forward step: reason, then what was (maybe) done gets undone. */
static void start_compensation(struct saga_decision *d, const char *reason, const char *step,
                               int64_t now_us, const struct saga_settings *cfg)
{
    set_text(d->saga.reason, sizeof d->saga.reason, reason);
    add_step(&d->saga, step, now_us);
    compensate(d, now_us, cfg);
}

/* The reply each compensating state waits for. */
static enum saga_input_type awaited_undo(const struct compensation *c)
{
    if (c == &CANCEL_SHIPMENT)
        return SAGA_IN_SHIPMENT_CANCELLED;
    if (c == &VOID_PAYMENT)
        return SAGA_IN_PAYMENT_VOIDED;
    return SAGA_IN_STOCK_RELEASED;
}

static const struct compensation *compensation_of(enum saga_state s)
{
    switch (s) {
    case SAGA_CANCELLING_SHIPMENT: return &CANCEL_SHIPMENT;
    case SAGA_VOIDING_PAYMENT: return &VOID_PAYMENT;
    case SAGA_RELEASING_STOCK: return &RELEASE_STOCK;
    default: return NULL;
    }
}

/* The reply to a compensation came: the step is undone; on to the next one. */
static void undone(struct saga_decision *d, const struct compensation *c, int64_t now_us,
                   const struct saga_settings *cfg)
{
    if (c == &CANCEL_SHIPMENT) {
        d->saga.shipment_scheduled = false;
        add_step(&d->saga, "shipment cancelled", now_us);
    } else if (c == &VOID_PAYMENT) {
        d->saga.payment_authorized = false;
        add_step(&d->saga, "payment voided", now_us);
    } else {
        d->saga.stock_reserved = false;
        add_step(&d->saga, "stock released", now_us);
    }
    compensate(d, now_us, cfg);
}

/* ---- the forward steps ---- */

static int decide_placed(struct saga_decision *d, const struct saga_input *in,
                         const struct saga_settings *cfg)
{
    const order *o = in->placed;
    const char *card = in->card ? in->card : "tok_visa";
    if (!o || o->status == ORDER_STATUS_NONE)
        return shop_error_set(SHOP_EINVALID, "OrderPlaced without the order placed");
    if (strlen(card) == 0 || strlen(card) > SAGA_CARD_MAX)
        return shop_error_set(SHOP_EINVALID, "a card token is 1 to %d bytes", SAGA_CARD_MAX);
    if (o->status != ORDER_STATUS_PLACED)
        return 0; /* already confirmed or cancelled: nothing to fulfil */

    fulfilment_saga *s = &d->saga;
    memset(s, 0, sizeof *s);
    s->order = o->id;
    s->customer = o->customer;
    s->address = o->address;
    s->line_count = o->line_count;
    for (size_t i = 0; i < o->line_count; i++) {
        s->lines[i].sku = o->lines[i].sku;
        s->lines[i].quantity = o->lines[i].quantity;
    }
    s->total = o->total;
    snprintf(s->card, sizeof s->card, "%s", card);
    s->started_at_us = in->now_us;
    add_step(s, "order placed", in->now_us);
    wait_for(s, SAGA_RESERVING_STOCK, in->now_us, cfg->step_timeout_us);
    add_command(d, SAGA_CMD_RESERVE_STOCK, 1);
    d->changed = true;
    return 0;
}

/* The state waited for `awaited` and it came: the step is done, on to the next. */
static void forward(struct saga_decision *d, const char *step, enum saga_state next,
                    enum saga_command_type command, int64_t now_us, const struct saga_settings *cfg)
{
    add_step(&d->saga, step, now_us);
    wait_for(&d->saga, next, now_us, cfg->step_timeout_us);
    add_command(d, command, 1);
}

/* A forward state: its reply, its failure, its deadline, a cancelled order. */
static void decide_forward(struct saga_decision *d, const struct saga_input *in,
                           const struct saga_settings *cfg)
{
    fulfilment_saga *s = &d->saga;
    int64_t now = in->now_us;
    d->changed = true;

    if (in->type == SAGA_IN_ORDER_CANCELLED) {
        /* whatever the current step did or will do is undone, with the rest */
        switch (s->state) {
        case SAGA_RESERVING_STOCK: s->stock_reserved = true; break;
        case SAGA_AUTHORIZING_PAYMENT: s->payment_authorized = true; break;
        default: s->shipment_scheduled = true; break; /* scheduling or capturing */
        }
        s->order_cancelled = true;
        start_compensation(d, in->reason ? in->reason : "order cancelled", "order cancelled", now,
                           cfg);
        return;
    }

    switch (s->state) {
    case SAGA_RESERVING_STOCK:
        if (in->type == SAGA_IN_STOCK_RESERVED) {
            s->stock_reserved = true;
            forward(d, "stock reserved", SAGA_AUTHORIZING_PAYMENT, SAGA_CMD_AUTHORIZE_PAYMENT, now,
                    cfg);
            return;
        }
        if (in->type == SAGA_IN_STOCK_REJECTED) {
            /* nothing was reserved: nothing to undo */
            start_compensation(d, in->reason ? in->reason : "out of stock",
                               "stock reservation rejected", now, cfg);
            return;
        }
        if (in->type == SAGA_IN_DEADLINE_PASSED) {
            s->stock_reserved = true;
            start_compensation(d, "stock reservation timed out", "stock reservation timed out", now,
                               cfg);
            return;
        }
        break;
    case SAGA_AUTHORIZING_PAYMENT:
        if (in->type == SAGA_IN_PAYMENT_AUTHORIZED) {
            s->payment_authorized = true;
            forward(d, "payment authorized", SAGA_SCHEDULING_SHIPMENT, SAGA_CMD_SCHEDULE_SHIPMENT,
                    now, cfg);
            return;
        }
        if (in->type == SAGA_IN_PAYMENT_DECLINED) {
            start_compensation(d, in->reason ? in->reason : "payment declined", "payment declined",
                               now, cfg);
            return;
        }
        if (in->type == SAGA_IN_DEADLINE_PASSED) {
            s->payment_authorized = true;
            start_compensation(d, "payment authorization timed out",
                               "payment authorization timed out", now, cfg);
            return;
        }
        break;
    case SAGA_SCHEDULING_SHIPMENT:
        if (in->type == SAGA_IN_SHIPMENT_SCHEDULED) {
            s->shipment_scheduled = true;
            forward(d, "shipment scheduled", SAGA_CAPTURING_PAYMENT, SAGA_CMD_CAPTURE_PAYMENT, now,
                    cfg);
            return;
        }
        if (in->type == SAGA_IN_SHIPMENT_REJECTED) {
            start_compensation(d, in->reason ? in->reason : "undeliverable", "shipment rejected",
                               now, cfg);
            return;
        }
        if (in->type == SAGA_IN_DEADLINE_PASSED) {
            s->shipment_scheduled = true;
            start_compensation(d, "shipment scheduling timed out", "shipment scheduling timed out",
                               now, cfg);
            return;
        }
        break;
    case SAGA_CAPTURING_PAYMENT:
        if (in->type == SAGA_IN_PAYMENT_CAPTURED) {
            add_step(s, "payment captured", now);
            end(d, SAGA_CONFIRMED, now);
            d->order = SAGA_ORDER_CONFIRM;
            add_command(d, SAGA_CMD_COMMIT_RESERVATION, 1); /* the units leave the shelf */
            return;
        }
        if (in->type == SAGA_IN_DEADLINE_PASSED) {
            start_compensation(d, "payment capture timed out", "payment capture timed out", now,
                               cfg);
            return;
        }
        break;
    default: break;
    }
    d->changed = false; /* a duplicate, or a reply that belongs to another state */
}

/* A compensating state: its reply, its deadline (again, or stuck), a cancelled order. */
static void decide_compensating(struct saga_decision *d, const struct saga_input *in,
                                const struct saga_settings *cfg)
{
    fulfilment_saga *s = &d->saga;
    const struct compensation *c = compensation_of(s->state);
    int64_t now = in->now_us;

    if (in->type == awaited_undo(c)) {
        d->changed = true;
        undone(d, c, now, cfg);
        return;
    }
    if (in->type == SAGA_IN_DEADLINE_PASSED) {
        d->changed = true;
        if (s->attempt >= cfg->compensation_attempts) {
            set_stuck_reason(s, c->doing, s->attempt);
            s->state = SAGA_STUCK;
            s->deadline_us = 0;
            char step[SAGA_STEP_NAME_MAX + 1];
            snprintf(step, sizeof step, "stuck %s", c->doing);
            add_step(s, step, now);
            return;
        }
        int64_t wait = cfg->compensation_timeout_us;
        for (int i = 0; i < s->attempt && wait < INT64_MAX / 4; i++)
            wait *= 2;
        s->attempt++;
        s->deadline_us = now + wait;
        char step[SAGA_STEP_NAME_MAX + 1];
        snprintf(step, sizeof step, "%s (attempt %d)", c->doing, s->attempt);
        add_step(s, step, now);
        add_command(d, c->command, s->attempt);
        return;
    }
    if (in->type == SAGA_IN_ORDER_CANCELLED && !s->order_cancelled) {
        d->changed = true; /* already undoing; only the end changes: no CancelOrder */
        s->order_cancelled = true;
        add_step(s, "order cancelled", now);
    }
}

/* Stuck: it waits, without a deadline, for the reply to the compensation that got none. */
static void decide_stuck(struct saga_decision *d, const struct saga_input *in,
                         const struct saga_settings *cfg)
{
    fulfilment_saga *s = &d->saga;
    const struct compensation *c = next_compensation(s);
    if (c && in->type == awaited_undo(c)) {
        d->changed = true;
        reason_before_stuck(s);
        undone(d, c, in->now_us, cfg);
        return;
    }
    if (in->type == SAGA_IN_ORDER_CANCELLED && !s->order_cancelled) {
        d->changed = true;
        s->order_cancelled = true;
        add_step(s, "order cancelled", in->now_us);
    }
}

int fulfilment_decide(struct saga_decision *out, const fulfilment_saga *state,
                      const struct saga_input *in, const struct saga_settings *settings)
{
    if (!out || !state || !in)
        return shop_error_set(SHOP_EINVALID, "deciding the saga needs a state and an input");
    if (in->type < SAGA_IN_ORDER_PLACED || in->type > SAGA_IN_DEADLINE_PASSED)
        return shop_error_set(SHOP_EINVALID, "%d is not an input of the saga", (int)in->type);

    struct saga_settings cfg = {
        .step_timeout_us =
            setting(settings ? settings->step_timeout_us : 0, SAGA_DEFAULT_STEP_TIMEOUT_US),
        .compensation_timeout_us = setting(settings ? settings->compensation_timeout_us : 0,
                                           SAGA_DEFAULT_COMPENSATION_TIMEOUT_US),
        .compensation_attempts = (int)setting(settings ? settings->compensation_attempts : 0,
                                              SAGA_DEFAULT_COMPENSATION_ATTEMPTS),
    };
    struct saga_decision d;
    memset(&d, 0, sizeof d);
    d.saga = *state;

    if (in->type == SAGA_IN_ORDER_PLACED) {
        if (state->state == SAGA_NONE) {
            int rc = decide_placed(&d, in, &cfg);
            if (rc < 0)
                return rc;
        }
    } else if (in->type == SAGA_IN_DEADLINE_PASSED &&
               (state->deadline_us == 0 || in->now_us < state->deadline_us)) {
        /* a timer that looked too early, or again after the deadline moved on */
    } else {
        switch (state->state) {
        case SAGA_RESERVING_STOCK:
        case SAGA_AUTHORIZING_PAYMENT:
        case SAGA_SCHEDULING_SHIPMENT:
        case SAGA_CAPTURING_PAYMENT: decide_forward(&d, in, &cfg); break;
        case SAGA_CANCELLING_SHIPMENT:
        case SAGA_VOIDING_PAYMENT:
        case SAGA_RELEASING_STOCK: decide_compensating(&d, in, &cfg); break;
        case SAGA_STUCK: decide_stuck(&d, in, &cfg); break;
        case SAGA_NONE:
        case SAGA_CONFIRMED:
        case SAGA_CANCELLED: break; /* nothing to wait for */
        }
    }

    if (d.changed)
        d.saga.updated_at_us = in->now_us;
    else {
        d.saga = *state;
        d.command_count = 0;
        d.order = SAGA_ORDER_UNCHANGED;
    }
    *out = d;
    return 0;
}
