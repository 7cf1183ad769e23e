/*
 * infrastructure/inventory/unit_of_work_pg.c — the unit of work on PostgreSQL, on the
 * connection the repositories share: a transaction of its own, or a savepoint inside the
 * caller's.
 *
 * On its own (the HTTP API: no transaction open when a command starts) it is BEGIN,
 * COMMIT, ROLLBACK.  Inside a transaction that is already open (a consumer of the bus
 * runs the handler in the transaction that also records the inbox row, the checkpoint and
 * the reply in the outbox: inventory_commands.c) it nests: SAVEPOINT, RELEASE SAVEPOINT,
 * ROLLBACK TO SAVEPOINT.  So the service's retry after a conflict undoes only its own
 * attempt, and its "commit" leaves the real commit to the owner of the transaction: the
 * reservation, its reply and the inbox row are kept together or not at all.  (The event
 * store joins an open transaction the same way, event_store_pg.c.)
 *
 * A COMMIT that fails (a serialization failure, a deferred check) comes back as its
 * SHOP_E* code; libpq then leaves no transaction open.  ROLLBACK is sent only when one is
 * open, so that rolling back after a failed BEGIN is harmless.
 * Read next: application/inventory/inventory_service.c (retry)
 */
#include "infrastructure/inventory/inventory_pg.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "infrastructure/postgres/sqlstate.h"

#include <stdbool.h>
#include <stdlib.h>

struct unit_of_work_pg {
    struct unit_of_work base; /* first */
    PGconn *conn;
    bool nested; /* begun as a savepoint in the caller's transaction */
    bool open;   /* begun, not yet committed or rolled back */
};

static int uow_begin(struct unit_of_work *self)
{
    struct unit_of_work_pg *u = (struct unit_of_work_pg *)self;
    int rc;
    u->nested = PQtransactionStatus(u->conn) != PQTRANS_IDLE;
    rc = u->nested ? pg_exec_command(u->conn, "SAVEPOINT unit_of_work", "beginning a unit of work")
                   : pg_exec_command(u->conn, "BEGIN", "beginning a unit of work");
    u->open = rc == 0;
    return rc;
}

/* Back to the savepoint, and the savepoint gone: the caller's transaction as it was. */
static int undo_nested(struct unit_of_work_pg *u)
{
    int rc = pg_exec_command(u->conn, "ROLLBACK TO SAVEPOINT unit_of_work",
                             "rolling back a unit of work");
    if (rc == 0)
        rc = pg_exec_command(u->conn, "RELEASE SAVEPOINT unit_of_work", "ending a unit of work");
    return rc;
}

static int uow_commit(struct unit_of_work *self)
{
    struct unit_of_work_pg *u = (struct unit_of_work_pg *)self;
    bool failed = PQtransactionStatus(u->conn) == PQTRANS_INERROR;
    u->open = false;
    if (u->nested) {
        if (failed) {
            int rc = undo_nested(u);
            return rc < 0 ? rc
                          : shop_error_set(SHOP_EINTERNAL, "a unit of work with a failed statement "
                                                           "was committed; it was rolled back");
        }
        return pg_exec_command(u->conn, "RELEASE SAVEPOINT unit_of_work", "ending a unit of work");
    }
    /* COMMIT of a failed transaction "succeeds" as a ROLLBACK: say what it is instead */
    if (failed) {
        PQclear(PQexec(u->conn, "ROLLBACK"));
        return shop_error_set(SHOP_EINTERNAL, "a unit of work with a failed statement was "
                                              "committed; it was rolled back");
    }
    return pg_exec_command(u->conn, "COMMIT", "committing a unit of work");
}

static void uow_rollback(struct unit_of_work *self)
{
    struct unit_of_work_pg *u = (struct unit_of_work_pg *)self;
    if (u->nested) {
        if (u->open)
            (void)undo_nested(u);
    } else if (PQtransactionStatus(u->conn) != PQTRANS_IDLE) {
        PQclear(PQexec(u->conn, "ROLLBACK"));
    }
    u->open = false;
}

static void uow_free(struct unit_of_work *self)
{
    free(self);
}

int unit_of_work_pg_new(struct unit_of_work **out, PGconn *conn)
{
    struct unit_of_work_pg *u = shop_xcalloc(1, sizeof *u);
    u->base =
        (struct unit_of_work){UNIT_OF_WORK_VERSION, uow_begin, uow_commit, uow_rollback, uow_free};
    u->conn = conn;
    *out = &u->base;
    return 0;
}
