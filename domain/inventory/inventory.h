/*
 * domain/inventory/inventory.h — the Inventory context's two aggregates, written as
 * deciders: StockItem (one per SKU) and Reservation (one per order).
 *
 * Pattern: DDD aggregates as deciders (docs/architecture.md §4), kept as state rows with a
 * version column rather than event-sourced (§2): the events below are what a decision
 * produces and what evolve folds into the state that is then saved; they are the names a
 * reader meets in the ubiquitous language, and the integration events the saga will use.
 *
 *   decide  (state, command) -> events | refusal    stock_decide_receive, reservation_decide_*
 *   evolve  (state, event)   -> state               stock_evolve, reservation_evolve
 *
 * Rules (docs/architecture.md §2, docs/cli.md):
 *   - on hand minus reserved is never negative: a reservation takes only available units;
 *   - a receipt is 1..999 units, and on hand never passes STOCK_MAX_ON_HAND;
 *   - a reservation takes all of its lines or none ("out of stock: SKU ABC" otherwise);
 *     it has 1..RESERVATION_MAX_LINES lines; lines naming the same SKU are merged;
 *   - reserving again for an order that has a reservation changes nothing;
 *   - releasing or committing an unknown reservation is SHOP_ENOTFOUND; a committed one
 *     cannot be released, a released one cannot be committed; doing either twice changes
 *     nothing.
 * Read next: domain/inventory/inventory.c, tests/unit/inventory_test.c, then
 * application/inventory/inventory_service.c.
 */
#ifndef SHOP_DOMAIN_INVENTORY_INVENTORY_H
#define SHOP_DOMAIN_INVENTORY_INVENTORY_H

#include "domain/shared/quantity.h"
#include "domain/shared/sku.h"
#include "domain/shared/uuid.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The most units on hand of one SKU: the largest integer a JSON number carries exactly. */
#define STOCK_MAX_ON_HAND      INT64_C(9007199254740991)
#define RESERVATION_MAX_LINES  50 /* as an order's lines */
#define RESERVATION_REASON_MAX 80 /* "out of stock: SKU " and a SKU fit easily */

/* ---- state ---- */

typedef struct stock_item {
    sku sku;
    int64_t on_hand;  /* 0..STOCK_MAX_ON_HAND */
    int64_t reserved; /* 0..on_hand */
} stock_item;

/* A SKU no stock was ever received for: nothing on hand, nothing reserved. */
void stock_item_init(stock_item *out, const sku *s);
/* on_hand - reserved: what a reservation may still take. */
int64_t stock_available(const stock_item *item);

typedef struct reservation_line {
    sku sku;
    quantity quantity;
} reservation_line;

enum reservation_status {
    RESERVATION_STATUS_NONE = 0, /* no reservation for this order */
    RESERVATION_STATUS_RESERVED,
    RESERVATION_STATUS_RELEASED,
    RESERVATION_STATUS_COMMITTED,
};

/* "reserved", "released", "committed" ("none" for NONE). */
const char *reservation_status_name(enum reservation_status s);
/* The reverse; RESERVATION_STATUS_NONE for any other text. */
enum reservation_status reservation_status_from_name(const char *name);

typedef struct reservation {
    shop_uuid order_id;
    enum reservation_status status;
    size_t line_count; /* 1..RESERVATION_MAX_LINES once reserved, merged */
    reservation_line lines[RESERVATION_MAX_LINES];
} reservation;

/* The state before anything happened to order_id's reservation. */
void reservation_init(reservation *out, shop_uuid order_id);

/* ---- commands ---- */

typedef struct receive_stock {
    sku sku;
    int64_t quantity; /* plain data: the decision checks 1..999 */
} receive_stock;

typedef struct reserve_stock {
    shop_uuid order_id;
    size_t line_count; /* 1..RESERVATION_MAX_LINES, before merging */
    struct {
        sku sku;
        int64_t quantity; /* 1..999; after merging still at most 999 */
    } lines[RESERVATION_MAX_LINES];
} reserve_stock;

/* ---- events ---- */

enum inventory_event_type {
    STOCK_RECEIVED = 1,
    STOCK_RESERVED,
    STOCK_RESERVATION_REJECTED,
    RESERVATION_RELEASED,
    RESERVATION_COMMITTED,
};

/* "StockReceived", "StockReserved", ...: the names in the ubiquitous language. */
const char *inventory_event_type_name(enum inventory_event_type t);

struct stock_received {
    sku sku;
    quantity quantity;
};

/* StockReserved, ReservationReleased, ReservationCommitted: the reservation's lines. */
struct reservation_lines {
    size_t line_count;
    reservation_line lines[RESERVATION_MAX_LINES];
};

struct stock_reservation_rejected {
    char reason[RESERVATION_REASON_MAX + 1]; /* "out of stock: SKU ABC" */
};

typedef struct inventory_event {
    enum inventory_event_type type;
    shop_uuid order_id; /* nil for StockReceived */
    union {
        struct stock_received received;
        struct reservation_lines lines;
        struct stock_reservation_rejected rejected;
    } as;
} inventory_event;

/*
 * Merges a command's lines (same SKU: quantities add up, the SKU keeps its first place)
 * into out->lines, which the handler uses to know which stock items to load.
 * SHOP_EINVALID: no lines, more than RESERVATION_MAX_LINES, a quantity outside 1..999
 * before or after merging.
 */
int reservation_merge_lines(struct reservation_lines *out, const reserve_stock *cmd);

/*
 * decide.  Each returns 0 and sets *out_count to the events written to *out (0 or 1: 0
 * when nothing changes), or a refusal with shop_error_message() naming the rule; nothing
 * is written to *out on refusal.
 */

/* SHOP_EINVALID for a quantity outside 1..999; SHOP_EREFUSED when on hand would pass
 * STOCK_MAX_ON_HAND. */
int stock_decide_receive(inventory_event *out, size_t *out_count, const stock_item *state,
                         const receive_stock *cmd);

/*
 * StockReserved, or StockReservationRejected naming the first line short of stock.
 * items: the current stock of the command's SKUs, in any order; a SKU missing from items
 * has nothing on hand.  An order that already has a reservation (any status) gets no
 * event: the reservation stands as it is.  SHOP_EINVALID as reservation_merge_lines.
 */
int reservation_decide_reserve(inventory_event *out, size_t *out_count, const reservation *state,
                               const stock_item *items, size_t item_count,
                               const reserve_stock *cmd);
/* ReservationReleased; SHOP_ENOTFOUND without a reservation, SHOP_EREFUSED once committed. */
int reservation_decide_release(inventory_event *out, size_t *out_count, const reservation *state);
/* ReservationCommitted; SHOP_ENOTFOUND without a reservation, SHOP_EREFUSED once released. */
int reservation_decide_commit(inventory_event *out, size_t *out_count, const reservation *state);

/* evolve: what an event does to one stock item (nothing if it does not name its SKU)... */
void stock_evolve(stock_item *item, const inventory_event *event);
/* ... and to the order's reservation. */
void reservation_evolve(reservation *state, const inventory_event *event);

#endif
