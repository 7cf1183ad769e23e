/*
 * infrastructure/inventory/inventory_pg.h — Inventory's PostgreSQL adapters: the stock
 * repository, the reservation repository and the unit of work, all on one connection
 * (the service's, running as shop_inventory), so that a unit of work's BEGIN ... COMMIT
 * holds every save made through the repositories.
 *
 * Tables: inventory.stock_items and inventory.reservations (migration 0004).  Each save
 * is an UPDATE ... WHERE key = $1 AND version = $n: zero rows means the row moved on
 * since it was loaded, SHOP_ECONFLICT; a first save is an INSERT, and a second writer's
 * INSERT of the same key is a unique violation, SHOP_ECONFLICT too.
 *
 * Statements are prepared once per connection, when a repository is made (PQprepare,
 * statements_pg.c), and run with PQexecPrepared; parameters and results travel as text.
 * Read next: stock_repository_pg.c
 */
#ifndef SHOP_INFRASTRUCTURE_INVENTORY_INVENTORY_PG_H
#define SHOP_INFRASTRUCTURE_INVENTORY_INVENTORY_PG_H

#include "application/inventory/reservation_repository.h"
#include "application/inventory/stock_repository.h"
#include "application/inventory/unit_of_work.h"

#include <libpq-fe.h>

/*
 * Each borrows conn (which must outlive it) and is freed with its port's *_free.  The
 * repositories prepare their statements on conn: SHOP_EUNAVAILABLE if the database is
 * unreachable or not migrated (and *out is NULL).  The unit of work sends only BEGIN,
 * COMMIT and ROLLBACK — or, begun while the caller has a transaction open on conn,
 * SAVEPOINT, RELEASE and ROLLBACK TO, leaving the commit to the caller — and prepares
 * nothing.
 */
int stock_repository_pg_new(struct stock_repository **out, PGconn *conn);
int reservation_repository_pg_new(struct reservation_repository **out, PGconn *conn);
int unit_of_work_pg_new(struct unit_of_work **out, PGconn *conn);

/* A statement of the adapters: its name (unique, starting "inventory_") and its SQL. */
struct inventory_pg_statement {
    const char *name;
    const char *sql;
};

/* Prepares those of statements that conn does not have yet; `what` names them in errors
 * ("the stock repository").  0, SHOP_EUNAVAILABLE (not migrated, connection lost), or the
 * mapped error of the failed PQprepare. */
int inventory_pg_prepare(PGconn *conn, const struct inventory_pg_statement *statements,
                         size_t count, const char *what);

/* The reservation's lines as stored: [{"sku": "ABC", "quantity": 2}, ...] (caller frees),
 * and back (SHOP_EINTERNAL for a document that is not such an array). */
char *reservation_lines_encode(const reservation *r);
int reservation_lines_decode(reservation *r, const char *json);

#endif
