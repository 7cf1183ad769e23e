/*
 * infrastructure/reporting/projector.h — Reporting's projections: the read side of CQRS
 * (docs/patterns/cqrs.md), built from the integration events on messaging.bus.
 *
 * A projection is a reader of the bus with a checkpoint of its own
 * (reporting.projections, migration 0010) and read tables it alone writes:
 *   orders        ordering.Order* → order_summaries, customer_orders
 *   stock-levels  inventory.StockReceived/StockReserved/ReservationReleased/
 *                 ReservationCommitted → stock_levels
 *   sales         ordering.Order* → sales_orders (open orders' lines), sales_daily
 * Each message type has one handler: one SQL statement, a pure function of the message
 * and the row it touches, idempotent on its own (the row keeps the bus place of the last
 * message applied to it; see projections.c).
 *
 * The projector reads the bus gap-free, exactly like the consumer (consumer.h): only
 * rows of transactions older than every running one (transaction_id <
 * pg_snapshot_xmin(pg_current_snapshot())), in (transaction_id, position) order, so a
 * message committed late by an older transaction is never skipped.  A batch and the
 * checkpoint move in ONE transaction, which also holds the projection's row lock.
 *
 * Rebuild (projector_rebuild): new tables (<table>_rebuild) are filled from position
 * zero while the live ones keep serving and keep being updated by the worker; then, in
 * one transaction, the projection's lock is taken, the last messages are applied, the
 * tables are swapped by renaming them and the checkpoint moves.  Stopped half-way (a
 * signal, a crash), it leaves the live tables serving; the half-built ones are dropped
 * (by the next rebuild, after a crash).
 * Read next: projector.c, projections.c, infrastructure/cli/cmd_projection.c
 */
#ifndef SHOP_INFRASTRUCTURE_REPORTING_PROJECTOR_H
#define SHOP_INFRASTRUCTURE_REPORTING_PROJECTOR_H

#include <libpq-fe.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROJECTION_MAX_TABLES   4
#define PROJECTION_MAX_HANDLERS 8

struct projection_handler {
    const char *type; /* "ordering.OrderPlaced" */
    /* One statement; "{s}" after each table name is replaced by the table set's suffix
     * ("" for the live tables, "_rebuild").  $1 the payload (jsonb), $2 the message's
     * transaction_id (xid8), $3 its position (bigint). */
    const char *sql;
};

struct projection {
    const char *name;    /* "orders": [a-z-]{1,32}, the row of reporting.projections */
    const char *summary; /* one line for `shop projection list --help` */
    const char *tables[PROJECTION_MAX_TABLES + 1]; /* in schema reporting, NULL-terminated */
    struct projection_handler handlers[PROJECTION_MAX_HANDLERS + 1]; /* type NULL ends */
};

/* The projections (projections.c). */
extern const struct projection projections[];
extern const size_t projection_count;

/* The projection called name, or NULL. */
const struct projection *projection_find(const char *name);

/* "orders, stock-levels, sales": for a message naming the choices. */
void projection_names(char *out, size_t size);

/* The message types p handles as a PostgreSQL array literal ("{a,b}"). */
void projection_types_literal(const struct projection *p, char *out, size_t size);

/* A place on the bus: the (transaction_id, position) of a message. */
struct bus_place {
    uint64_t transaction_id;
    int64_t position;
};

/*
 * One batch of the live projection, in ONE transaction on conn (a connection as
 * shop_reporting or the operator): lock the projection's row, read up to `batch`
 * messages after its checkpoint, apply them, move the checkpoint.  *applied: how many
 * messages were read (0: nothing to do).  A message whose handler fails on its data
 * (SQLSTATE class 22 or 23: it can never be applied) is skipped, counted in `skipped`
 * and its error kept in `last_error`; any other failure rolls the batch back.
 */
int projector_step(PGconn *conn, const struct projection *p, int batch, long *applied);

/* What projector_rebuild reports as it goes. */
struct rebuild_progress {
    long done;  /* messages applied to the new tables */
    long total; /* messages of its types on the bus when the rebuild began (grows if more) */
    bool final; /* the swap is done */
};
typedef void rebuild_progress_fn(void *ctx, const struct rebuild_progress *p);

/*
 * Rebuilds p from position zero on conn (the operator's connection: it creates, drops
 * and renames tables, as shop_owner), calling progress after every batch.  Returns 0
 * when swapped; SHOP_EREFUSED "interrupted" when *stop became non-zero (the new tables
 * are dropped, the live ones untouched); other SHOP_E* on failure (the same).
 */
int projector_rebuild(PGconn *conn, const struct projection *p, int batch,
                      volatile sig_atomic_t *stop, rebuild_progress_fn *progress, void *ctx);

/* The worker (worker.h) that keeps every projection up to date in `shop serve reporting`:
 * LISTEN shop_bus, a batch of each projection per step; its arg is unused. */
struct worker_def;
extern const struct worker_def projector_worker;

#endif
