/*
 * infrastructure/inventory/statements_pg.c — prepares the Inventory adapters' statements
 * on a connection, once.
 *
 * A prepared statement belongs to the connection it was prepared on and lives as long
 * as it does: each repository prepares its statements when it is made (*_pg_new), so a
 * service that reopens its context on a fresh connection (infrastructure/service/serve.c)
 * prepares them again there.  Nothing is kept anywhere else.  A second repository on the
 * same connection finds the statements prepared and reuses them: asking
 * pg_prepared_statements first never fails, where preparing twice would (42P05) and would
 * abort a transaction the caller has open.
 * Read next: stock_repository_pg.c
 */
#include "infrastructure/inventory/inventory_pg.h"

#include "domain/shared/error.h"
#include "infrastructure/postgres/sqlstate.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

int inventory_pg_prepare(PGconn *conn, const struct inventory_pg_statement *statements,
                         size_t count, const char *what)
{
    char look_up[96];
    int rc = 0;

    /* The names are written in the code and all start with "inventory_"; none is input. */
    PGresult *res = PQexec(conn, "SELECT name FROM pg_prepared_statements"
                                 " WHERE name LIKE 'inventory\\_%'");
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        snprintf(look_up, sizeof look_up, "looking up the prepared statements of %s", what);
        rc = pg_result_error(conn, res, look_up);
        PQclear(res);
        return rc;
    }
    for (size_t i = 0; i < count && rc == 0; i++) {
        bool present = false;
        for (int row = 0; row < PQntuples(res) && !present; row++)
            present = strcmp(PQgetvalue(res, row, 0), statements[i].name) == 0;
        if (present)
            continue;
        PGresult *prep = PQprepare(conn, statements[i].name, statements[i].sql, 0, NULL);
        if (PQresultStatus(prep) != PGRES_COMMAND_OK) {
            char doing[128];
            snprintf(doing, sizeof doing, "preparing %s (is the database migrated?)", what);
            rc = pg_result_error(conn, prep, doing);
            /* A missing table or schema: the migrations have not run, the database is not
             * ready (exit 3), not a fault of the program. */
            const char *state = PQresultErrorField(prep, PG_DIAG_SQLSTATE);
            if (state && (strcmp(state, "42P01") == 0 || strcmp(state, "3F000") == 0))
                rc = shop_error_set(SHOP_EUNAVAILABLE, "%s", shop_error_message());
        }
        PQclear(prep);
    }
    PQclear(res);
    return rc;
}
