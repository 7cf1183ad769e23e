/*
 * infrastructure/reporting/read_models.h — the queries of Reporting's read side: each
 * reads one read table (migration 0010) and answers the JSON document the API serves
 * (docs/api/reporting.md).  The queries never touch the write side of any context:
 * that is the point of CQRS (docs/patterns/cqrs.md).  What they cannot know — messages
 * on the bus that a projection has not applied yet — they count: the lag.
 *
 * Every function runs on conn (Reporting's role, or the operator for `shop projection
 * list`), returns 0 with *out (the caller frees it), SHOP_ENOTFOUND with a message for
 * a missing row, or the database's error.
 * Read next: read_models.c, reporting_api.c
 */
#ifndef SHOP_INFRASTRUCTURE_REPORTING_READ_MODELS_H
#define SHOP_INFRASTRUCTURE_REPORTING_READ_MODELS_H

#include <cjson/cJSON.h>
#include <libpq-fe.h>

/* {order_id, customer, status, reason, total, lines, version, ship_to, postcode,
 *  placed_at, closed_at, lag}; order_id a UUID as text.  Not in the read model:
 *  SHOP_ENOTFOUND, and *lag_out (may be NULL) says how many of its messages wait. */
int read_model_order(cJSON **out, long *lag_out, PGconn *conn, const char *order_id);

/* [{order_id, customer, status, total, placed_at}], newest first, at most limit; customer
 * and status may be NULL. */
int read_model_orders(cJSON **out, PGconn *conn, const char *customer, const char *status,
                      int limit);

/* {sku, on_hand, reserved, available}; sku NULL: an array of every SKU. */
int read_model_stock(cJSON **out, PGconn *conn, const char *sku);

/* [{sku, day, currency, quantity, revenue, orders}] by day then SKU; day NULL: every day. */
int read_model_sales(cJSON **out, PGconn *conn, const char *day);

/* [{name, checkpoint: {transaction_id, position}, lag, handled, skipped, last_error,
 *   rebuilt_at, updated_at}] for every projection; lag: messages of its types on the bus
 *   after its checkpoint. */
int read_model_projections(cJSON **out, PGconn *conn);

#endif
