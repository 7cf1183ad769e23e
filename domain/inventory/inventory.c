/*
 * domain/inventory/inventory.c — StockItem and Reservation as deciders (DDD aggregates).
 *
 * Pattern: decide (state, command) -> events | refusal; evolve (state, event) -> state.
 * Pure: no heap, no clock, no I/O.  Each decide checks the state first, then the
 * command's own rules, and builds its event aside, so a refusal leaves *out untouched.
 *
 * A reservation is decided on the reservation and on the stock of every SKU it names:
 * the invariant "on hand minus reserved is never negative" holds because the decision
 * takes only what is available, all lines or none.  The handler saves the stock items
 * and the reservation in one transaction, each at the version it loaded
 * (application/inventory/inventory_service.c), so a decision taken on stale stock is never
 * saved.
 * Read next: tests/unit/inventory_test.c
 */
#include "domain/inventory/inventory.h"

#include "domain/shared/error.h"

#include <inttypes.h>
#include <stdio.h> /* snprintf only: formatting, no I/O */
#include <string.h>

/* ---- names ---- */

const char *reservation_status_name(enum reservation_status s)
{
    switch (s) {
    case RESERVATION_STATUS_NONE: return "none";
    case RESERVATION_STATUS_RESERVED: return "reserved";
    case RESERVATION_STATUS_RELEASED: return "released";
    case RESERVATION_STATUS_COMMITTED: return "committed";
    }
    return "unknown";
}

enum reservation_status reservation_status_from_name(const char *name)
{
    for (int s = RESERVATION_STATUS_RESERVED; name && s <= RESERVATION_STATUS_COMMITTED; s++)
        if (strcmp(name, reservation_status_name((enum reservation_status)s)) == 0)
            return (enum reservation_status)s;
    return RESERVATION_STATUS_NONE;
}

const char *inventory_event_type_name(enum inventory_event_type t)
{
    switch (t) {
    case STOCK_RECEIVED: return "StockReceived";
    case STOCK_RESERVED: return "StockReserved";
    case STOCK_RESERVATION_REJECTED: return "StockReservationRejected";
    case RESERVATION_RELEASED: return "ReservationReleased";
    case RESERVATION_COMMITTED: return "ReservationCommitted";
    }
    return "unknown";
}

/* ---- state ---- */

void stock_item_init(stock_item *out, const sku *s)
{
    memset(out, 0, sizeof *out);
    out->sku = *s;
}

int64_t stock_available(const stock_item *item)
{
    return item->on_hand - item->reserved;
}

void reservation_init(reservation *out, shop_uuid order_id)
{
    memset(out, 0, sizeof *out);
    out->order_id = order_id;
}

/* ---- receiving stock ---- */

int stock_decide_receive(inventory_event *out, size_t *out_count, const stock_item *state,
                         const receive_stock *cmd)
{
    inventory_event event;
    quantity q;

    *out_count = 0;
    if (quantity_make(&q, cmd->quantity) < 0)
        return shop_error_set(SHOP_EINVALID,
                              "quantity must be an integer from %d to %d, got %" PRId64,
                              QUANTITY_MIN, QUANTITY_MAX, cmd->quantity);
    if (state->on_hand > STOCK_MAX_ON_HAND - q.value)
        return shop_error_set(SHOP_EREFUSED,
                              "SKU %s has %" PRId64 " units on hand; %d more would pass the "
                              "limit of %" PRId64,
                              cmd->sku.code, state->on_hand, q.value, STOCK_MAX_ON_HAND);
    memset(&event, 0, sizeof event);
    event.type = STOCK_RECEIVED;
    event.as.received.sku = cmd->sku;
    event.as.received.quantity = q;
    *out = event;
    *out_count = 1;
    return 0;
}

/* ---- reserving ---- */

static size_t find_line(const reservation_line *lines, size_t count, const sku *s)
{
    size_t i = 0;
    while (i < count && !sku_equal(&lines[i].sku, s))
        i++;
    return i;
}

int reservation_merge_lines(struct reservation_lines *out, const reserve_stock *cmd)
{
    int64_t merged[RESERVATION_MAX_LINES];
    size_t count = 0;

    out->line_count = 0;
    if (cmd->line_count == 0)
        return shop_error_set(SHOP_EINVALID, "a reservation needs at least one line");
    if (cmd->line_count > RESERVATION_MAX_LINES)
        return shop_error_set(SHOP_EINVALID, "a reservation has at most %d lines, got %zu",
                              RESERVATION_MAX_LINES, cmd->line_count);
    for (size_t i = 0; i < cmd->line_count; i++) {
        int64_t q = cmd->lines[i].quantity;
        if (q < QUANTITY_MIN || q > QUANTITY_MAX)
            return shop_error_set(SHOP_EINVALID, "quantity of SKU %s must be %d-%d, got %" PRId64,
                                  cmd->lines[i].sku.code, QUANTITY_MIN, QUANTITY_MAX, q);
        size_t j = find_line(out->lines, count, &cmd->lines[i].sku);
        if (j == count) {
            out->lines[count].sku = cmd->lines[i].sku;
            merged[count++] = q;
        } else {
            merged[j] += q;
        }
    }
    for (size_t j = 0; j < count; j++) {
        if (merged[j] > QUANTITY_MAX) {
            out->line_count = 0;
            return shop_error_set(SHOP_EINVALID,
                                  "quantity of SKU %s would be %" PRId64
                                  " after merging lines, at most %d",
                                  out->lines[j].sku.code, merged[j], QUANTITY_MAX);
        }
        quantity_make(&out->lines[j].quantity, merged[j]); /* 1..999: checked above */
    }
    out->line_count = count;
    return 0;
}

/* The stock of SKU s among items; NULL if it was never received. */
static const stock_item *find_item(const stock_item *items, size_t count, const sku *s)
{
    for (size_t i = 0; i < count; i++)
        if (sku_equal(&items[i].sku, s))
            return &items[i];
    return NULL;
}

int reservation_decide_reserve(inventory_event *out, size_t *out_count, const reservation *state,
                               const stock_item *items, size_t item_count, const reserve_stock *cmd)
{
    inventory_event event;
    int rc;

    *out_count = 0;
    if (state->status != RESERVATION_STATUS_NONE)
        return 0; /* reserved before: the same answer, nothing reserved twice */

    memset(&event, 0, sizeof event);
    event.order_id = cmd->order_id;
    if ((rc = reservation_merge_lines(&event.as.lines, cmd)) < 0)
        return rc;
    for (size_t i = 0; i < event.as.lines.line_count; i++) {
        const reservation_line *line = &event.as.lines.lines[i];
        const stock_item *item = find_item(items, item_count, &line->sku);
        int64_t available = item ? stock_available(item) : 0;
        if (available < line->quantity.value) {
            sku short_of = line->sku; /* line points into event.as, cleared next */
            memset(&event.as, 0, sizeof event.as);
            event.type = STOCK_RESERVATION_REJECTED;
            snprintf(event.as.rejected.reason, sizeof event.as.rejected.reason,
                     "out of stock: SKU %s", short_of.code);
            *out = event;
            *out_count = 1;
            return 0;
        }
    }
    event.type = STOCK_RESERVED;
    *out = event;
    *out_count = 1;
    return 0;
}

/* ---- releasing and committing ---- */

/* The event that ends a reservation: its lines, so that the stock items can follow. */
static void ending(inventory_event *out, enum inventory_event_type type, const reservation *state)
{
    memset(out, 0, sizeof *out);
    out->type = type;
    out->order_id = state->order_id;
    out->as.lines.line_count = state->line_count;
    memcpy(out->as.lines.lines, state->lines, state->line_count * sizeof state->lines[0]);
}

static int no_reservation(const reservation *state)
{
    char id[UUID_STRING_SIZE];
    return shop_error_set(SHOP_ENOTFOUND, "no reservation for order %s",
                          uuid_format(id, state->order_id));
}

int reservation_decide_release(inventory_event *out, size_t *out_count, const reservation *state)
{
    char id[UUID_STRING_SIZE];
    *out_count = 0;
    switch (state->status) {
    case RESERVATION_STATUS_NONE: return no_reservation(state);
    case RESERVATION_STATUS_RELEASED: return 0;
    case RESERVATION_STATUS_COMMITTED:
        return shop_error_set(SHOP_EREFUSED,
                              "the reservation for order %s is committed and cannot be released",
                              uuid_format(id, state->order_id));
    case RESERVATION_STATUS_RESERVED: break;
    }
    ending(out, RESERVATION_RELEASED, state);
    *out_count = 1;
    return 0;
}

int reservation_decide_commit(inventory_event *out, size_t *out_count, const reservation *state)
{
    char id[UUID_STRING_SIZE];
    *out_count = 0;
    switch (state->status) {
    case RESERVATION_STATUS_NONE: return no_reservation(state);
    case RESERVATION_STATUS_COMMITTED: return 0;
    case RESERVATION_STATUS_RELEASED:
        return shop_error_set(SHOP_EREFUSED,
                              "the reservation for order %s was released and cannot be committed",
                              uuid_format(id, state->order_id));
    case RESERVATION_STATUS_RESERVED: break;
    }
    ending(out, RESERVATION_COMMITTED, state);
    *out_count = 1;
    return 0;
}

/* ---- evolving ---- */

void stock_evolve(stock_item *item, const inventory_event *event)
{
    if (event->type == STOCK_RECEIVED) {
        if (sku_equal(&item->sku, &event->as.received.sku))
            item->on_hand += event->as.received.quantity.value;
        return;
    }
    if (event->type == STOCK_RESERVATION_REJECTED)
        return;
    const struct reservation_lines *l = &event->as.lines;
    size_t i = find_line(l->lines, l->line_count, &item->sku);
    if (i == l->line_count)
        return;
    int64_t q = l->lines[i].quantity.value;
    switch (event->type) {
    case STOCK_RESERVED: item->reserved += q; break;
    case RESERVATION_RELEASED: item->reserved -= q; break;
    case RESERVATION_COMMITTED: /* the units leave the shop: off the shelf and the list */
        item->reserved -= q;
        item->on_hand -= q;
        break;
    default: break;
    }
}

void reservation_evolve(reservation *state, const inventory_event *event)
{
    switch (event->type) {
    case STOCK_RESERVED:
        state->order_id = event->order_id;
        state->status = RESERVATION_STATUS_RESERVED;
        state->line_count = event->as.lines.line_count;
        memcpy(state->lines, event->as.lines.lines,
               event->as.lines.line_count * sizeof state->lines[0]);
        break;
    case RESERVATION_RELEASED: state->status = RESERVATION_STATUS_RELEASED; break;
    case RESERVATION_COMMITTED: state->status = RESERVATION_STATUS_COMMITTED; break;
    case STOCK_RECEIVED:
    case STOCK_RESERVATION_REJECTED: break; /* a rejection leaves no reservation behind */
    }
}
