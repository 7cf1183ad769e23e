/*
 * infrastructure/inventory/unit_of_work_pg.c — the unit of work on PostgreSQL: BEGIN,
 * COMMIT, ROLLBACK on the connection the repositories share.
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

#include <stdlib.h>

struct unit_of_work_pg {
    struct unit_of_work base; /* first */
    PGconn *conn;
};

static int uow_begin(struct unit_of_work *self)
{
    return pg_exec_command(((struct unit_of_work_pg *)self)->conn, "BEGIN",
                           "beginning a unit of work");
}

static int uow_commit(struct unit_of_work *self)
{
    PGconn *conn = ((struct unit_of_work_pg *)self)->conn;
    /* COMMIT of a failed transaction "succeeds" as a ROLLBACK: say what it is instead */
    if (PQtransactionStatus(conn) == PQTRANS_INERROR) {
        PQclear(PQexec(conn, "ROLLBACK"));
        return shop_error_set(SHOP_EINTERNAL, "a unit of work with a failed statement was "
                                              "committed; it was rolled back");
    }
    return pg_exec_command(conn, "COMMIT", "committing a unit of work");
}

static void uow_rollback(struct unit_of_work *self)
{
    PGconn *conn = ((struct unit_of_work_pg *)self)->conn;
    if (PQtransactionStatus(conn) != PQTRANS_IDLE)
        PQclear(PQexec(conn, "ROLLBACK"));
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
