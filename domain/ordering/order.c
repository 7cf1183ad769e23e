/*
 * domain/ordering/order.c — the Order aggregate as a decider (DDD aggregate, event
 * sourcing).
 *
 * Pattern: decide (state, command) -> events | refusal, and evolve (state, event) -> state.
 * Both are pure: no heap, no clock, no I/O; the time an event happened comes in with the
 * command.  Each decide checks the order's state first (it exists, it is still open) and
 * then the command's own rules, and builds its event aside: `out` is written only once
 * every rule has passed, so a refusal leaves the caller's buffer as it was.
 *
 * Placing an order merges the lines that name the same SKU, in the order each SKU was
 * first named, and prices every merged line exactly with the kernel's checked money
 * arithmetic (domain/shared/money.h): 3 x 12.50 EUR + 1 x 0.99 EUR is 38.49 EUR, never a
 * rounded double, and a total too large for int64_t is a refusal, never a wrap-around.
 *
 * Read next: tests/unit/order_test.c (every rule as given-events / when-command /
 * then-events), then application/ordering/order_service.c, which loads, decides, appends.
 */
#include "domain/ordering/order.h"

#include "domain/shared/error.h"
#include "domain/shared/text.h"

#include <inttypes.h>
#include <stdio.h> /* snprintf only: formatting, no I/O */
#include <string.h>

/* ---- names ---- */

const char *order_status_name(enum order_status s)
{
    switch (s) {
    case ORDER_STATUS_NONE: return "none";
    case ORDER_STATUS_PLACED: return "placed";
    case ORDER_STATUS_CONFIRMED: return "confirmed";
    case ORDER_STATUS_CANCELLED: return "cancelled";
    }
    return "unknown";
}

/* The stored names of the events, indexed by enum order_event_type. */
static const char *const EVENT_NAMES[] = {
    [ORDER_PLACED] = "OrderPlaced",
    [ORDER_CONFIRMED] = "OrderConfirmed",
    [ORDER_CANCELLED] = "OrderCancelled",
};
#define EVENT_NAME_COUNT (sizeof EVENT_NAMES / sizeof EVENT_NAMES[0])

const char *order_event_type_name(enum order_event_type t)
{
    if ((size_t)t < EVENT_NAME_COUNT && EVENT_NAMES[t])
        return EVENT_NAMES[t];
    return "unknown";
}

enum order_event_type order_event_type_from_name(const char *name)
{
    for (size_t t = 0; name && t < EVENT_NAME_COUNT; t++)
        if (EVENT_NAMES[t] && strcmp(EVENT_NAMES[t], name) == 0)
            return (enum order_event_type)t;
    return 0;
}

void order_init(order *out)
{
    memset(out, 0, sizeof *out);
}

/* ---- deciding: placing an order ---- */

/*
 * The index of the first of lines[0..count) whose SKU is s, or count if there is none.
 * Orders are small (at most ORDER_MAX_REQUESTED_LINES lines), so a linear search is the
 * simplest thing that is fast enough.
 */
static size_t find_sku(const struct order_priced_line *lines, size_t count, const sku *s)
{
    size_t i = 0;
    while (i < count && !sku_equal(&lines[i].sku, s))
        i++;
    return i;
}

/* How many different SKUs a command names: the number of lines after merging. */
static size_t count_distinct_skus(const place_order *cmd)
{
    size_t distinct = 0;
    for (size_t i = 0; i < cmd->line_count; i++)
        if (find_sku(cmd->lines, i, &cmd->lines[i].sku) == i)
            distinct++;
    return distinct;
}

/* The unit price of one requested line: present, above zero, in the first line's currency. */
static int check_unit_price(const struct order_priced_line *line,
                            const struct order_priced_line *first)
{
    char price[MONEY_FORMAT_MAX];

    if (!line->unit_price.currency)
        return shop_error_set(SHOP_EINVALID, "unit price of SKU %s has no currency",
                              line->sku.code);
    if (!money_is_positive(line->unit_price)) {
        money_format(price, sizeof price, line->unit_price);
        return shop_error_set(SHOP_EINVALID, "unit price of SKU %s must be above zero, got %s",
                              line->sku.code, price);
    }
    if (line->unit_price.currency != first->unit_price.currency)
        return shop_error_set(SHOP_EINVALID,
                              "order lines must share one currency: SKU %s is in %s, SKU %s in %s",
                              first->sku.code, first->unit_price.currency->code, line->sku.code,
                              line->unit_price.currency->code);
    return 0;
}

/*
 * Turns the kernel's overflow refusal (SHOP_EOVERFLOW, "... is out of range for EUR") into
 * the order's rule: the command asks for a total the shop cannot represent.
 */
static int refuse_total(const char *what)
{
    char why[SHOP_ERROR_MESSAGE_MAX];

    snprintf(why, sizeof why, "%s", shop_error_message());
    return shop_error_set(SHOP_EINVALID, "%s is out of range: %s", what, why);
}

/*
 * Merges the command's lines into placed->lines (same SKU, same price: quantities add up,
 * the line stays where its SKU was first named), then prices each merged line and the
 * order.  The caller has checked that there are 1..ORDER_MAX_LINES distinct SKUs.
 */
static int merge_and_price(struct order_placed *placed, const place_order *cmd)
{
    struct order_priced_line merged[ORDER_MAX_LINES];
    int64_t merged_quantity[ORDER_MAX_LINES];
    size_t count = 0;
    int rc;

    for (size_t i = 0; i < cmd->line_count; i++) {
        const struct order_priced_line *line = &cmd->lines[i];
        if ((rc = check_unit_price(line, &cmd->lines[0])) < 0)
            return rc;
        /* A quantity made by quantity_make is 1..999; the command is plain data, so a line
         * filled in by hand (0, say) is refused here rather than merged into a total. */
        if (line->quantity.value < QUANTITY_MIN || line->quantity.value > QUANTITY_MAX)
            return shop_error_set(SHOP_EINVALID, "quantity of SKU %s must be %d-%d, got %d",
                                  line->sku.code, QUANTITY_MIN, QUANTITY_MAX, line->quantity.value);
        size_t j = find_sku(merged, count, &line->sku);
        if (j == count) {
            merged[count] = *line;
            merged_quantity[count++] = line->quantity.value;
            continue;
        }
        if (!money_equal(merged[j].unit_price, line->unit_price)) {
            char first[MONEY_FORMAT_MAX], second[MONEY_FORMAT_MAX];
            money_format(first, sizeof first, merged[j].unit_price);
            money_format(second, sizeof second, line->unit_price);
            return shop_error_set(SHOP_EINVALID, "SKU %s has two prices: %s and %s", line->sku.code,
                                  first, second);
        }
        merged_quantity[j] += line->quantity.value;
    }

    placed->line_count = count;
    placed->total = money_zero(merged[0].unit_price.currency);
    for (size_t j = 0; j < count; j++) {
        order_line *out = &placed->lines[j];
        char what[64];

        if (merged_quantity[j] > QUANTITY_MAX)
            return shop_error_set(SHOP_EINVALID,
                                  "quantity of SKU %s would be %" PRId64
                                  " after merging lines, at most %d",
                                  merged[j].sku.code, merged_quantity[j], QUANTITY_MAX);
        if ((rc = quantity_make(&out->quantity, merged_quantity[j])) < 0)
            return rc; /* cannot happen: every line was 1..999 and the sum is at most 999 */
        out->sku = merged[j].sku;
        out->unit_price = merged[j].unit_price;
        snprintf(what, sizeof what, "line total of SKU %s", out->sku.code);
        if (money_multiply(&out->line_total, out->unit_price, out->quantity.value) < 0)
            return refuse_total(what);
        if (money_add(&placed->total, placed->total, out->line_total) < 0)
            return refuse_total("order total");
    }
    return 0;
}

int order_card_check(const char *card)
{
    size_t n = card ? strlen(card) : 0;
    if (n == 0 || n > ORDER_CARD_MAX)
        return shop_error_set(SHOP_EINVALID, "card: a token of 1-%d characters, got %zu",
                              ORDER_CARD_MAX, n);
    for (size_t i = 0; i < n; i++)
        if (!text_is_printable_ascii_char(card[i]) || card[i] == ' ')
            return shop_error_set(SHOP_EINVALID,
                                  "card: printable ASCII without spaces, like tok_visa");
    return 0;
}

int order_decide_place(order_event out[ORDER_MAX_DECIDED_EVENTS], size_t *out_count,
                       const order *state, const place_order *cmd)
{
    char id[UUID_STRING_SIZE];
    order_event event;
    size_t distinct;
    int rc;

    *out_count = 0;
    if (state->status != ORDER_STATUS_NONE)
        return shop_error_set(SHOP_EREFUSED, "order %s already exists",
                              uuid_format(id, cmd->id.uuid));
    if (cmd->line_count == 0)
        return shop_error_set(SHOP_EINVALID, "an order needs at least one line");
    if (cmd->line_count > ORDER_MAX_REQUESTED_LINES)
        return shop_error_set(SHOP_EINVALID,
                              "an order may name at most %d lines, this one names %zu",
                              ORDER_MAX_REQUESTED_LINES, cmd->line_count);
    distinct = count_distinct_skus(cmd);
    if (distinct > ORDER_MAX_LINES)
        return shop_error_set(SHOP_EINVALID, "an order has at most %d lines, this one has %zu",
                              ORDER_MAX_LINES, distinct);

    if (cmd->card[0] && (rc = order_card_check(cmd->card)) < 0)
        return rc;

    memset(&event, 0, sizeof event);
    if ((rc = merge_and_price(&event.as.placed, cmd)) < 0)
        return rc;
    snprintf(event.as.placed.card, sizeof event.as.placed.card, "%s",
             cmd->card[0] ? cmd->card : ORDER_DEFAULT_CARD);
    event.type = ORDER_PLACED;
    event.order_id = cmd->id;
    event.at_us = cmd->at_us;
    event.as.placed.customer = cmd->customer;
    event.as.placed.address = cmd->address;

    out[0] = event;
    *out_count = 1;
    return 0;
}

/* ---- deciding: confirming and cancelling ---- */

/*
 * What confirming and cancelling share: an order that was never placed is not found, and
 * one that is closed refuses the other way of closing it.  The order's id goes into every
 * message; `status` and `verb` are "confirmed" or "cancelled".
 */
static int refuse_unknown_order(const order *state, const order_id *id)
{
    char text[UUID_STRING_SIZE];

    if (state->status != ORDER_STATUS_NONE)
        return 0;
    return shop_error_set(SHOP_ENOTFOUND, "order %s not found", uuid_format(text, id->uuid));
}

static int refuse_closed_order(const order_id *id, const char *status, const char *verb)
{
    char text[UUID_STRING_SIZE];

    return shop_error_set(SHOP_EREFUSED, "order %s is %s and cannot be %s",
                          uuid_format(text, id->uuid), status, verb);
}

int order_decide_confirm(order_event out[ORDER_MAX_DECIDED_EVENTS], size_t *out_count,
                         const order *state, const confirm_order *cmd)
{
    int rc;

    *out_count = 0;
    if ((rc = refuse_unknown_order(state, &cmd->id)) < 0)
        return rc;
    if (state->status == ORDER_STATUS_CANCELLED)
        return refuse_closed_order(&cmd->id, "cancelled", "confirmed");
    if (state->status == ORDER_STATUS_CONFIRMED)
        return 0; /* confirming twice changes nothing */

    out[0] = (order_event){.type = ORDER_CONFIRMED, .order_id = cmd->id, .at_us = cmd->at_us};
    *out_count = 1;
    return 0;
}

/* The reason a user gives: 1..ORDER_REASON_MAX bytes of UTF-8 on one line, not blank. */
static int check_reason(const char reason[ORDER_REASON_MAX + 1])
{
    size_t len = strnlen(reason, ORDER_REASON_MAX + 1);
    size_t characters, bytes;

    if (len == 0)
        return shop_error_set(SHOP_EINVALID, "cancellation reason must be 1-%d bytes, got 0",
                              ORDER_REASON_MAX);
    if (len > ORDER_REASON_MAX) /* no NUL within the array: too long to say how long */
        return shop_error_set(SHOP_EINVALID,
                              "cancellation reason must be 1-%d bytes, got more than %d",
                              ORDER_REASON_MAX, ORDER_REASON_MAX);
    int rc = text_check_line(&characters, &bytes, "cancellation reason", reason, 0);
    if (rc < 0)
        return rc;
    /* No control characters are left, so spaces are the only blanks to look for. */
    if (strspn(reason, " ") == len)
        return shop_error_set(SHOP_EINVALID, "cancellation reason must not be blank");
    return 0;
}

int order_decide_cancel(order_event out[ORDER_MAX_DECIDED_EVENTS], size_t *out_count,
                        const order *state, const cancel_order *cmd)
{
    int rc;

    *out_count = 0;
    if ((rc = refuse_unknown_order(state, &cmd->id)) < 0)
        return rc;
    if (state->status == ORDER_STATUS_CONFIRMED)
        return refuse_closed_order(&cmd->id, "confirmed", "cancelled");
    if (state->status == ORDER_STATUS_CANCELLED)
        return 0; /* cancelling twice changes nothing */
    if ((rc = check_reason(cmd->reason)) < 0)
        return rc;

    out[0] = (order_event){.type = ORDER_CANCELLED, .order_id = cmd->id, .at_us = cmd->at_us};
    /* check_reason found the NUL within the array; copy it and what comes before it. */
    memcpy(out[0].as.cancelled.reason, cmd->reason, strlen(cmd->reason) + 1);
    *out_count = 1;
    return 0;
}

/* ---- evolving ---- */

void order_evolve(order *state, const order_event *event)
{
    switch (event->type) {
    case ORDER_PLACED: {
        const struct order_placed *placed = &event->as.placed;
        state->id = event->order_id;
        state->status = ORDER_STATUS_PLACED;
        state->customer = placed->customer;
        state->address = placed->address;
        state->line_count = placed->line_count;
        memcpy(state->lines, placed->lines, sizeof state->lines);
        state->total = placed->total;
        state->reason[0] = '\0';
        state->placed_at_us = event->at_us;
        state->closed_at_us = 0;
        return;
    }
    case ORDER_CONFIRMED:
        state->status = ORDER_STATUS_CONFIRMED;
        state->closed_at_us = event->at_us;
        return;
    case ORDER_CANCELLED:
        state->status = ORDER_STATUS_CANCELLED;
        state->closed_at_us = event->at_us;
        /* A stored event may come from anywhere: never trust it to be NUL-terminated. */
        memcpy(state->reason, event->as.cancelled.reason, sizeof state->reason);
        state->reason[ORDER_REASON_MAX] = '\0';
        return;
    }
    /* An event type this version does not know: the state stays as it was. */
}
