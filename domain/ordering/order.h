/*
 * domain/ordering/order.h — the Order aggregate of the Ordering context (DDD aggregate,
 * event-sourced, written as a decider).
 *
 * An order is never stored as a row: it is the fold of its events.  Two pure functions
 * are the whole aggregate:
 *   decide  (state, command) -> events | refusal     order_decide_place/confirm/cancel
 *   evolve  (state, event)   -> state                order_evolve
 * Neither allocates, reads a clock or touches storage: the command handler
 * (application/ordering/order_service.c) loads the state through a port, calls decide,
 * and appends the events.  That makes every rule a given-events / when-command /
 * then-events test (tests/unit/order_test.c).
 *
 * Rules (docs/architecture.md §2, docs/cli.md "Domain rules"):
 *   - an order has 1..ORDER_MAX_LINES lines after lines of the same SKU are merged;
 *   - each line's quantity is 1..999 after merging;
 *   - every line is priced in one currency, prices > 0; totals are exact sums;
 *   - a cancelled order cannot be confirmed; a confirmed order cannot be cancelled;
 *   - confirming a confirmed order or cancelling a cancelled one changes nothing.
 *
 * Read next: domain/ordering/order.c, then application/ordering/order_service.c
 */
#ifndef SHOP_DOMAIN_ORDERING_ORDER_H
#define SHOP_DOMAIN_ORDERING_ORDER_H

#include "domain/shared/address.h"
#include "domain/shared/customer_id.h"
#include "domain/shared/money.h"
#include "domain/shared/quantity.h"
#include "domain/shared/sku.h"
#include "domain/shared/uuid.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ORDER_MAX_LINES 50 /* distinct SKUs in one order */
/* A command may name more lines than that before merging (the same SKU twice). */
#define ORDER_MAX_REQUESTED_LINES 200
#define ORDER_REASON_MAX          200 /* bytes of a cancellation reason, UTF-8, without the NUL */
#define ORDER_CARD_MAX            64  /* bytes of the card token the order is to be paid with */
#define ORDER_DEFAULT_CARD        "tok_visa" /* the card of an order placed without one */

/* ---- value objects ---- */

typedef struct order_id {
    shop_uuid uuid;
} order_id;

/* "order-<uuid>": the event stream of one order. */
#define ORDER_STREAM_ID_SIZE (6 + UUID_STRING_SIZE)
const char *order_stream_id(char out[ORDER_STREAM_ID_SIZE], order_id id);
/* From the text a user typed: a UUID.  SHOP_EINVALID names the rule. */
int order_id_parse(order_id *out, const char *text);

typedef struct shipping_address {
    ship_to ship_to;
    postcode postcode;
} shipping_address;

typedef struct order_line {
    sku sku;
    quantity quantity;
    money unit_price; /* > 0 */
    money line_total; /* unit_price x quantity, exact */
} order_line;

enum order_status {
    ORDER_STATUS_NONE = 0, /* no such order: nothing has happened yet */
    ORDER_STATUS_PLACED,
    ORDER_STATUS_CONFIRMED,
    ORDER_STATUS_CANCELLED,
};

/* "placed", "confirmed", "cancelled" ("none" for ORDER_STATUS_NONE). */
const char *order_status_name(enum order_status s);

/* ---- state: what evolve folds events into ---- */

typedef struct order {
    order_id id;
    enum order_status status;
    customer_id customer;
    shipping_address address;
    size_t line_count;
    order_line lines[ORDER_MAX_LINES]; /* in the order first named, merged */
    money total;
    char reason[ORDER_REASON_MAX + 1]; /* why it was cancelled, "" otherwise */
    int64_t placed_at_us;
    int64_t closed_at_us; /* when confirmed or cancelled, 0 before */
} order;

/*
 * The card token the order is to be paid with, as the payment gateway knows it
 * ("tok_visa"): 1..ORDER_CARD_MAX printable ASCII characters without spaces (the rule of
 * Payments' payment_card_check, kept here too: the order carries the token to the
 * fulfilment saga, which asks Payments to authorize it).  SHOP_EINVALID otherwise.
 */
int order_card_check(const char *card);

/* The state before the first event: status NONE, nothing else set. */
void order_init(order *out);

/* ---- commands ---- */

/* A requested line, priced by the command handler from the price list. */
struct order_priced_line {
    sku sku;
    quantity quantity;
    money unit_price;
};

typedef struct place_order {
    order_id id;
    customer_id customer;
    shipping_address address;
    size_t line_count; /* 0..ORDER_MAX_REQUESTED_LINES */
    struct order_priced_line lines[ORDER_MAX_REQUESTED_LINES];
    char card[ORDER_CARD_MAX + 1]; /* "" means ORDER_DEFAULT_CARD */
    int64_t at_us;                 /* the handler's clock */
} place_order;

typedef struct confirm_order {
    order_id id;
    int64_t at_us;
} confirm_order;

typedef struct cancel_order {
    order_id id;
    char reason[ORDER_REASON_MAX + 1]; /* 1..ORDER_REASON_MAX bytes, UTF-8, no control chars */
    int64_t at_us;
} cancel_order;

/* ---- events ---- */

enum order_event_type {
    ORDER_PLACED = 1,
    ORDER_CONFIRMED,
    ORDER_CANCELLED,
};

/* "OrderPlaced", "OrderConfirmed", "OrderCancelled": the names stored with the events. */
const char *order_event_type_name(enum order_event_type t);
/* The reverse; 0 for a name that is not an Ordering event. */
enum order_event_type order_event_type_from_name(const char *name);

struct order_placed {
    customer_id customer;
    shipping_address address;
    size_t line_count; /* 1..ORDER_MAX_LINES, merged */
    order_line lines[ORDER_MAX_LINES];
    money total;
    char card[ORDER_CARD_MAX + 1]; /* the token to pay with; never "" in a decided event */
};

struct order_cancelled {
    char reason[ORDER_REASON_MAX + 1];
};

typedef struct order_event {
    enum order_event_type type;
    order_id order_id;
    int64_t at_us; /* when it happened, by the handler's clock */
    union {
        struct order_placed placed;
        struct order_cancelled cancelled; /* OrderConfirmed carries nothing more */
    } as;
} order_event;

/* The most events one decision produces. */
#define ORDER_MAX_DECIDED_EVENTS 1

/*
 * decide: each returns 0 and sets *out_count to the number of events written to out
 * (0 when the command changes nothing, e.g. confirming a confirmed order), or refuses:
 *   SHOP_EINVALID  the command breaks a rule of its own (no lines, too many lines,
 *                  a merged quantity over 999, mixed currencies, a price not above zero,
 *                  a total that overflows, an empty reason)
 *   SHOP_EREFUSED  the order's state forbids it (already placed, cancelled, confirmed)
 *   SHOP_ENOTFOUND confirming or cancelling an order that was never placed
 * with shop_error_message() naming the rule.  Nothing is written to out on refusal.
 */
int order_decide_place(order_event out[ORDER_MAX_DECIDED_EVENTS], size_t *out_count,
                       const order *state, const place_order *cmd);
int order_decide_confirm(order_event out[ORDER_MAX_DECIDED_EVENTS], size_t *out_count,
                         const order *state, const confirm_order *cmd);
int order_decide_cancel(order_event out[ORDER_MAX_DECIDED_EVENTS], size_t *out_count,
                        const order *state, const cancel_order *cmd);

/* evolve: applies one event that decide produced (or that was stored) to state, in place. */
void order_evolve(order *state, const order_event *event);

#endif
