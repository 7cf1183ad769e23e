/*
 * infrastructure/reporting/projections.c — what each of Reporting's projections does
 * with each message: one SQL statement per message type (projector.h).
 *
 * Pattern: CQRS read models, with idempotent handlers.  Each statement is a pure
 * function of the message and of the rows it touches, so applying a message twice
 * changes nothing, even without the checkpoint that already prevents it:
 *   - facts that arrive once per row are inserted ON CONFLICT DO NOTHING (an order
 *     placed) or set only from the state they follow (placed → confirmed);
 *   - facts that add to a row (units reserved, sales of a day) change it only when the
 *     message's place on the bus, (transaction_id, position), is after the place of the
 *     last message applied to the row (applied_transaction_id, applied_position): the
 *     projector reads in that order, so an older place means "applied already".
 * Payloads are the published language of docs/contracts/events/ (schema version 1);
 * money "24.90 EUR", times RFC 3339 UTC.  "{s}" is the table set's suffix (projector.h).
 * Read next: projector.c (how they are run), migration 0010_reporting.sql (the tables)
 */
#include "infrastructure/reporting/projector.h"

#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------ orders */

#define MESSAGE_CTE "WITH m AS (SELECT $1::jsonb AS p, $2::xid8 AS tx, $3::bigint AS pos)"

static const char order_placed_sql[] = MESSAGE_CTE
    ","
    " s AS (INSERT INTO reporting.order_summaries{s}"
    "         (order_id, customer, status, total, lines, ship_to, postcode, version, placed_at,"
    "          applied_transaction_id, applied_position)"
    "       SELECT (p->>'order_id')::uuid, p->>'customer', 'placed', p->>'total', p->'lines',"
    "              p->>'ship_to', p->>'postcode', 1, (p->>'placed_at')::timestamptz, tx, pos"
    "         FROM m"
    "       ON CONFLICT (order_id) DO NOTHING)"
    " INSERT INTO reporting.customer_orders{s}"
    "   (customer, order_id, placed_at, status, total, applied_transaction_id, applied_position)"
    " SELECT p->>'customer', (p->>'order_id')::uuid, (p->>'placed_at')::timestamptz, 'placed',"
    "        p->>'total', tx, pos"
    "   FROM m WHERE p->>'customer' IS NOT NULL AND p->>'total' IS NOT NULL"
    " ON CONFLICT (customer, order_id) DO NOTHING";

/* An order leaves "placed" once: confirmed or cancelled, never both, never back. */
#define ORDER_CLOSED_SQL(status, at_field, reason_expr)                                            \
    MESSAGE_CTE                                                                                    \
    ","                                                                                            \
    " s AS (UPDATE reporting.order_summaries{s} o"                                                 \
    "          SET status = '" status "', reason = " reason_expr ","                               \
    "              closed_at = (p->>'" at_field "')::timestamptz, version = o.version + 1,"        \
    "              applied_transaction_id = tx, applied_position = pos"                            \
    "         FROM m"                                                                              \
    "        WHERE o.order_id = (p->>'order_id')::uuid AND o.status = 'placed'"                    \
    "       RETURNING o.customer, o.order_id)"                                                     \
    " UPDATE reporting.customer_orders{s} c"                                                       \
    "    SET status = '" status "', applied_transaction_id = m.tx, applied_position = m.pos"       \
    "   FROM s, m WHERE c.customer = s.customer AND c.order_id = s.order_id"

static const char order_confirmed_sql[] = ORDER_CLOSED_SQL("confirmed", "confirmed_at", "NULL");
static const char order_cancelled_sql[] =
    ORDER_CLOSED_SQL("cancelled", "cancelled_at", "p->>'reason'");

/* ------------------------------------------------------------------ stock levels */

/* StockReceived carries the SKU's on-hand count after the receipt: set, not added. */
static const char stock_received_sql[] = MESSAGE_CTE
    " INSERT INTO reporting.stock_levels{s} AS t"
    "   (sku, on_hand, reserved, applied_transaction_id, applied_position)"
    " SELECT p->>'sku', (p->>'on_hand')::bigint, 0, tx, pos FROM m"
    " ON CONFLICT (sku) DO UPDATE"
    "   SET on_hand = excluded.on_hand, applied_transaction_id = excluded.applied_transaction_id,"
    "       applied_position = excluded.applied_position"
    " WHERE (t.applied_transaction_id, t.applied_position)"
    "     < (excluded.applied_transaction_id, excluded.applied_position)";

/* The lines of a reservation message, summed per SKU, added to on hand and reserved
 * with the given signs. */
#define STOCK_LINES_SQL(on_hand_sign, reserved_sign)                                               \
    MESSAGE_CTE                                                                                    \
    " INSERT INTO reporting.stock_levels{s} AS t"                                                  \
    "   (sku, on_hand, reserved, applied_transaction_id, applied_position)"                        \
    " SELECT l->>'sku', " on_hand_sign " sum((l->>'quantity')::bigint),"                           \
    "        " reserved_sign " sum((l->>'quantity')::bigint), m.tx, m.pos"                         \
    "   FROM m, jsonb_array_elements(m.p->'lines') AS l"                                           \
    "  GROUP BY l->>'sku', m.tx, m.pos"                                                            \
    " ON CONFLICT (sku) DO UPDATE"                                                                 \
    "   SET on_hand = t.on_hand + excluded.on_hand, reserved = t.reserved + excluded.reserved,"    \
    "       applied_transaction_id = excluded.applied_transaction_id,"                             \
    "       applied_position = excluded.applied_position"                                          \
    " WHERE (t.applied_transaction_id, t.applied_position)"                                        \
    "     < (excluded.applied_transaction_id, excluded.applied_position)"

static const char stock_reserved_sql[] = STOCK_LINES_SQL("0 *", "");
static const char reservation_released_sql[] = STOCK_LINES_SQL("0 *", "-");
static const char reservation_committed_sql[] = STOCK_LINES_SQL("-", "-");

/* ------------------------------------------------------------------ sales */

static const char sales_placed_sql[] =
    MESSAGE_CTE " INSERT INTO reporting.sales_orders{s}"
                "   (order_id, lines, applied_transaction_id, applied_position)"
                " SELECT (p->>'order_id')::uuid, p->'lines', tx, pos FROM m"
                " ON CONFLICT (order_id) DO NOTHING";

/* A confirmed order's lines count once, on the day (UTC) it was confirmed: the order is
 * closed in the same statement, so a second confirmation finds nothing to count. */
static const char sales_confirmed_sql[] = MESSAGE_CTE
    ","
    " c AS (UPDATE reporting.sales_orders{s} o"
    "          SET closed = true, applied_transaction_id = tx, applied_position = pos"
    "         FROM m WHERE o.order_id = (p->>'order_id')::uuid AND NOT o.closed"
    "       RETURNING o.lines),"
    " l AS (SELECT x->>'sku' AS sku, (x->>'quantity')::bigint AS quantity,"
    "              split_part(x->>'line_total', ' ', 1)::numeric AS amount,"
    "              split_part(x->>'line_total', ' ', 2) AS currency"
    "         FROM c, jsonb_array_elements(c.lines) AS x)"
    " INSERT INTO reporting.sales_daily{s} AS t"
    "   (sku, day, currency, quantity, revenue, orders, applied_transaction_id, applied_position)"
    " SELECT l.sku, ((m.p->>'confirmed_at')::timestamptz AT TIME ZONE 'UTC')::date, l.currency,"
    "        sum(l.quantity), sum(l.amount), 1, m.tx, m.pos"
    "   FROM l, m GROUP BY l.sku, l.currency, m.p->>'confirmed_at', m.tx, m.pos"
    " ON CONFLICT (sku, day, currency) DO UPDATE"
    "   SET quantity = t.quantity + excluded.quantity, revenue = t.revenue + excluded.revenue,"
    "       orders = t.orders + 1, applied_transaction_id = excluded.applied_transaction_id,"
    "       applied_position = excluded.applied_position"
    " WHERE (t.applied_transaction_id, t.applied_position)"
    "     < (excluded.applied_transaction_id, excluded.applied_position)";

static const char sales_cancelled_sql[] =
    MESSAGE_CTE " UPDATE reporting.sales_orders{s} o"
                "    SET closed = true, applied_transaction_id = tx, applied_position = pos"
                "   FROM m WHERE o.order_id = (p->>'order_id')::uuid AND NOT o.closed";

/* ------------------------------------------------------------------ the table */

const struct projection projections[] = {
    {"orders",
     "order summaries and each customer's orders (shop order show / list)",
     {"order_summaries", "customer_orders", NULL},
     {{"ordering.OrderPlaced", order_placed_sql},
      {"ordering.OrderConfirmed", order_confirmed_sql},
      {"ordering.OrderCancelled", order_cancelled_sql},
      {NULL, NULL}}},
    {"stock-levels",
     "on hand, reserved and available per SKU (shop stock list / show)",
     {"stock_levels", NULL},
     {{"inventory.StockReceived", stock_received_sql},
      {"inventory.StockReserved", stock_reserved_sql},
      {"inventory.ReservationReleased", reservation_released_sql},
      {"inventory.ReservationCommitted", reservation_committed_sql},
      {NULL, NULL}}},
    {"sales",
     "units and revenue of confirmed orders per SKU per day (GET /reports/sales)",
     {"sales_orders", "sales_daily", NULL},
     {{"ordering.OrderPlaced", sales_placed_sql},
      {"ordering.OrderConfirmed", sales_confirmed_sql},
      {"ordering.OrderCancelled", sales_cancelled_sql},
      {NULL, NULL}}},
};
const size_t projection_count = sizeof projections / sizeof projections[0];

const struct projection *projection_find(const char *name)
{
    for (size_t i = 0; i < projection_count; i++)
        if (strcmp(projections[i].name, name) == 0)
            return &projections[i];
    return NULL;
}

void projection_names(char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < projection_count && used < size; i++)
        used +=
            (size_t)snprintf(out + used, size - used, "%s%s", i ? ", " : "", projections[i].name);
}

void projection_types_literal(const struct projection *p, char *out, size_t size)
{
    size_t used = (size_t)snprintf(out, size, "{");
    for (size_t i = 0; p->handlers[i].type && used < size; i++)
        used +=
            (size_t)snprintf(out + used, size - used, "%s%s", i ? "," : "", p->handlers[i].type);
    if (used < size)
        snprintf(out + used, size - used, "}");
}
