/*
 * infrastructure/messaging/bus_pg.c — see bus_pg.h.
 */
#include "infrastructure/messaging/bus_pg.h"

#include "domain/shared/error.h"
#include "infrastructure/postgres/sqlstate.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

void bus_pg__prefix(char out[BUS_PG_NAME_MAX], const char *kind)
{
    static atomic_uint counter;
    snprintf(out, BUS_PG_NAME_MAX, "%s%u_", kind, atomic_fetch_add(&counter, 1) + 1);
}

int bus_pg__prepare(PGconn *conn, const char *prefix, const char *suffix, const char *sql,
                    int nparams, const char *what)
{
    char name[BUS_PG_NAME_MAX * 2];
    snprintf(name, sizeof name, "%s%s", prefix, suffix);
    PGresult *res = PQprepare(conn, name, sql, nparams, NULL);
    int rc = 0;
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = pg_result_error(conn, res, what);
    PQclear(res);
    return rc;
}

PGresult *bus_pg__run(int *rc, PGconn *conn, const char *prefix, const char *suffix, int n,
                      const char *const *values, const char *what)
{
    char name[BUS_PG_NAME_MAX * 2];
    snprintf(name, sizeof name, "%s%s", prefix, suffix);
    PGresult *res = PQexecPrepared(conn, name, n, values, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
        *rc = 0;
        return res;
    }
    *rc = pg_result_error(conn, res, what);
    PQclear(res);
    return NULL;
}

int bus_pg__command(PGconn *conn, const char *sql, const char *what)
{
    return pg_exec_command(conn, sql, what);
}

void bus_pg__rollback(PGconn *conn)
{
    if (PQstatus(conn) != CONNECTION_OK || PQtransactionStatus(conn) == PQTRANS_IDLE)
        return;
    PGresult *res = PQexec(conn, "ROLLBACK");
    PQclear(res);
}

const char *bus_pg__uuid_param(char out[UUID_STRING_SIZE], shop_uuid id)
{
    return uuid_is_nil(id) ? NULL : uuid_format(out, id);
}

void bus_pg__uuid_value(shop_uuid *out, const PGresult *res, int row, int col)
{
    memset(out, 0, sizeof *out);
    if (!PQgetisnull(res, row, col))
        (void)uuid_parse(out, PQgetvalue(res, row, col));
}

bool bus_pg__context_valid(const char *name)
{
    size_t n = 0;
    for (; name[n]; n++)
        if (name[n] < 'a' || name[n] > 'z')
            return false;
    return n >= 1 && n <= 32;
}
