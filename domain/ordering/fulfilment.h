/*
 * domain/ordering/fulfilment.h — the fulfilment saga of one order, as a pure decider
 * (orchestrated process manager; docs/patterns/saga.md, docs/architecture.md §3).
 *
 * The flow, and what each failure undoes, in reverse:
 *
 *   OrderPlaced ─► ReserveStock ─► StockReserved ─► AuthorizePayment ─► PaymentAuthorized
 *      ─► ScheduleShipment ─► ShipmentScheduled ─► CapturePayment ─► PaymentCaptured
 *      ─► ConfirmOrder (+ CommitReservation: the reserved units leave the shelf)
 *   StockReservationRejected ─► CancelOrder
 *   PaymentDeclined          ─► ReleaseReservation ─► CancelOrder
 *   ShipmentRejected         ─► VoidPayment ─► ReleaseReservation ─► CancelOrder
 *   (capture not done in time ─► CancelShipment ─► VoidPayment ─► ReleaseReservation ─► CancelOrder)
 *
 * Every state that waits for a reply has a deadline.  A forward step whose deadline
 * passes is compensated like its failure, starting by undoing the step itself (its
 * command may still be handled late: the undo is queued behind it on the same stream, so
 * it always comes after).  A compensation step whose deadline passes sends its command
 * again (a new attempt, a new message id) with a doubled wait; after
 * settings.compensation_attempts it parks the saga in SAGA_STUCK with the reason.  A stuck
 * saga still takes the reply it waits for, and goes on from there.
 *
 * A reply that does not belong to the state (a duplicate, a late answer to a step already
 * compensated) changes nothing: *changed is false.  So deciding is idempotent.
 *
 * Nothing here does I/O or reads a clock: `now_us` comes in with every input.
 * Read next: application/ordering/fulfilment_service.h, tests/unit/fulfilment_test.c
 */
#ifndef SHOP_DOMAIN_ORDERING_FULFILMENT_H
#define SHOP_DOMAIN_ORDERING_FULFILMENT_H

#include "domain/ordering/order.h"
#include "domain/shared/money.h"

#include <stdbool.h>
#include <stdint.h>

enum saga_state {
    SAGA_NONE = 0, /* no saga for this order yet */
    /* forward */
    SAGA_RESERVING_STOCK,
    SAGA_AUTHORIZING_PAYMENT,
    SAGA_SCHEDULING_SHIPMENT,
    SAGA_CAPTURING_PAYMENT,
    /* compensating */
    SAGA_CANCELLING_SHIPMENT,
    SAGA_VOIDING_PAYMENT,
    SAGA_RELEASING_STOCK,
    /* ends (SAGA_STUCK is an end that a late reply may still leave) */
    SAGA_CONFIRMED,
    SAGA_CANCELLED,
    SAGA_STUCK,
};

/* "reserving_stock", "confirmed", "stuck", ... (what `shop saga list --state` takes). */
const char *saga_state_name(enum saga_state s);
/* SAGA_NONE for a name it does not know. */
enum saga_state saga_state_from_name(const char *name);
bool saga_state_is_final(enum saga_state s); /* confirmed, cancelled */

#define SAGA_CARD_MAX      64  /* bytes of a card token */
#define SAGA_STEP_NAME_MAX 40
#define SAGA_MAX_STEPS     32  /* the history kept; older steps are dropped first */

/* One thing that happened to the saga, for `shop saga show`: "stock reserved",
 * "payment authorization timed out", "releasing stock (attempt 2)". */
struct saga_step {
    char name[SAGA_STEP_NAME_MAX + 1];
    int64_t at_us;
};

/* The saga's state: what the row in ordering.sagas holds (data is this, as JSON). */
typedef struct fulfilment_saga {
    order_id order;
    enum saga_state state;
    /* The order, as OrderPlaced told it. */
    customer_id customer;
    shipping_address address;
    size_t line_count;
    struct {
        sku sku;
        quantity quantity;
    } lines[ORDER_MAX_LINES];
    money total;
    char card[SAGA_CARD_MAX + 1];
    /* What was done, so that compensation knows what to undo.  A step whose reply did
     * not come in time counts as done until it is undone: its command may still be
     * handled late.  Compensation undoes the shipment, then the payment, then the stock. */
    bool stock_reserved, payment_authorized, shipment_scheduled;
    /* The order was cancelled by someone else (`shop order cancel`): the saga undoes what
     * was done but does not cancel the order again at the end. */
    bool order_cancelled;
    /* Why it is being cancelled (or stuck): "payment declined", "out of stock: SKU X";
     * stuck: "voiding the payment got no reply after 5 attempts (payment declined)". */
    char reason[ORDER_REASON_MAX + 1];
    int attempt;         /* of the current compensation command: 1, 2, ... */
    int64_t deadline_us; /* 0 in an end state */
    int64_t started_at_us, updated_at_us;
    size_t step_count;
    struct saga_step steps[SAGA_MAX_STEPS];
} fulfilment_saga;

struct saga_settings {
    int64_t step_timeout_us;         /* a forward step's deadline */
    int64_t compensation_timeout_us; /* a compensation's first wait; doubled each attempt */
    int compensation_attempts;       /* then SAGA_STUCK */
};
#define SAGA_DEFAULT_STEP_TIMEOUT_US         (30 * 1000000LL)
#define SAGA_DEFAULT_COMPENSATION_TIMEOUT_US (10 * 1000000LL)
#define SAGA_DEFAULT_COMPENSATION_ATTEMPTS   5

/* ---- inputs: what the saga hears ---- */

enum saga_input_type {
    SAGA_IN_ORDER_PLACED = 1,
    SAGA_IN_STOCK_RESERVED,
    SAGA_IN_STOCK_REJECTED, /* reason: "out of stock: SKU X" */
    SAGA_IN_PAYMENT_AUTHORIZED,
    SAGA_IN_PAYMENT_DECLINED, /* reason: "payment declined" */
    SAGA_IN_SHIPMENT_SCHEDULED,
    SAGA_IN_SHIPMENT_REJECTED, /* reason: "undeliverable" */
    SAGA_IN_PAYMENT_CAPTURED,
    SAGA_IN_SHIPMENT_CANCELLED,
    SAGA_IN_PAYMENT_VOIDED,
    SAGA_IN_STOCK_RELEASED,
    SAGA_IN_ORDER_CANCELLED, /* cancelled by someone else (`shop order cancel`): undo all */
    SAGA_IN_DEADLINE_PASSED, /* the timer saw now_us >= deadline_us */
};

struct saga_input {
    enum saga_input_type type;
    int64_t now_us;
    /* SAGA_IN_ORDER_PLACED only: the order (status placed) and its card token. */
    const order *placed;
    const char *card;
    /* the rejections' reason as the participant gave it (may be NULL: a default) */
    const char *reason;
};

/* ---- outputs: what the saga does ---- */

enum saga_command_type {
    SAGA_CMD_RESERVE_STOCK = 1,
    SAGA_CMD_RELEASE_RESERVATION,
    SAGA_CMD_COMMIT_RESERVATION,
    SAGA_CMD_AUTHORIZE_PAYMENT,
    SAGA_CMD_CAPTURE_PAYMENT,
    SAGA_CMD_VOID_PAYMENT,
    SAGA_CMD_SCHEDULE_SHIPMENT,
    SAGA_CMD_CANCEL_SHIPMENT,
};
/* "ReserveStock", "ReleaseReservation", ...: the message type is "ordering.<name>". */
const char *saga_command_name(enum saga_command_type t);

struct saga_command {
    enum saga_command_type type;
    int attempt; /* 1 the first time; the message id is derived from (order, type, attempt) */
};

/*
 * The message id of a saga command: a UUID (version 8, name-based) derived from the
 * order, the command and the attempt, the same every time.  So a saga step replayed after
 * a crash queues the same message again, and the outbox and the bus keep it once.
 */
shop_uuid saga_command_message_id(order_id order, enum saga_command_type type, int attempt);

enum saga_order_outcome {
    SAGA_ORDER_UNCHANGED = 0,
    SAGA_ORDER_CONFIRM,
    SAGA_ORDER_CANCEL, /* with decision.saga.reason */
};

#define SAGA_MAX_COMMANDS 2

struct saga_decision {
    bool changed;         /* false: the input does not belong here; nothing to save */
    fulfilment_saga saga; /* the state after (a copy of the one before when !changed) */
    size_t command_count;
    struct saga_command commands[SAGA_MAX_COMMANDS];
    enum saga_order_outcome order; /* what to do to the order, in the same transaction */
};

/*
 * Decides what the saga does on `in`, from `state` (SAGA_NONE before OrderPlaced).
 * SHOP_EINVALID for an input that can never be right (ORDER_PLACED without an order, a
 * time before the saga's last one is fine: clocks differ).  0 otherwise, with *out filled.
 */
int fulfilment_decide(struct saga_decision *out, const fulfilment_saga *state,
                      const struct saga_input *in, const struct saga_settings *settings);

#endif
