/*
 * infrastructure/postgres/system_status.c — see system_status.h.  Every question is
 * asked of PostgreSQL's own catalogue (has_schema_privilege), so what it reports is
 * what the server enforces, not what the migration meant to do.
 */
#include "infrastructure/postgres/system_status.h"

#include "infrastructure/postgres/sqlstate.h"

#include <stdio.h>
#include <string.h>

const char *const system_contexts[SYSTEM_CONTEXT_COUNT] = {
    "catalog", "ordering", "inventory", "payments", "shipping", "reporting", "notifications",
};

static int read_server(struct system_status *out, PGconn *conn)
{
    PGresult *res = PQexec(conn, "SELECT current_setting('server_version'), current_database(),"
                                 "       current_user");
    int rc = 0;
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = pg_result_error(conn, res, "reading the server's status");
    } else {
        snprintf(out->server_version, sizeof out->server_version, "%s", PQgetvalue(res, 0, 0));
        snprintf(out->database, sizeof out->database, "%s", PQgetvalue(res, 0, 1));
        snprintf(out->user, sizeof out->user, "%s", PQgetvalue(res, 0, 2));
    }
    PQclear(res);
    return rc;
}

static int read_context(struct context_status *c, PGconn *conn)
{
    /*
     * Privileges are asked by OID of rows that exist, never by name: a name of a schema
     * that is missing (a database not migrated yet, in a cluster whose roles another
     * database created) would make has_schema_privilege() fail.
     */
    static const char sql[] =
        "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1),"
        "       EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $2),"
        "       EXISTS (SELECT 1 FROM pg_namespace n JOIN pg_roles r ON r.rolname = $2"
        "                WHERE n.nspname = $1 AND has_schema_privilege(r.oid, n.oid, 'USAGE')),"
        "       (SELECT count(*) FROM pg_namespace n JOIN pg_roles r ON r.rolname = $2"
        "         WHERE n.nspname = ANY ($3::text[]) AND n.nspname <> $1"
        "           AND has_schema_privilege(r.oid, n.oid, 'USAGE'))";
    char all[256] = "{";
    for (int i = 0; i < SYSTEM_CONTEXT_COUNT; i++) {
        strcat(all, system_contexts[i]);
        strcat(all, i + 1 < SYSTEM_CONTEXT_COUNT ? "," : "}");
    }
    const char *params[3] = {c->name, c->role, all};
    PGresult *res = PQexecParams(conn, sql, 3, NULL, params, NULL, NULL, 0);
    int rc = 0;
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = pg_result_error(conn, res, "reading the contexts' schemas and roles");
    } else {
        c->schema_exists = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
        c->role_exists = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
        c->role_uses_own = strcmp(PQgetvalue(res, 0, 2), "t") == 0;
        sscanf(PQgetvalue(res, 0, 3), "%d", &c->foreign_schemas);
    }
    PQclear(res);
    return rc;
}

int system_status_read(struct system_status *out, PGconn *conn)
{
    int rc;
    memset(out, 0, sizeof *out);
    if ((rc = read_server(out, conn)) < 0)
        return rc;
    for (int i = 0; i < SYSTEM_CONTEXT_COUNT; i++) {
        struct context_status *c = &out->contexts[i];
        c->name = system_contexts[i];
        snprintf(c->role, sizeof c->role, "shop_%s", c->name);
        if ((rc = read_context(c, conn)) < 0)
            return rc;
    }
    return 0;
}
