/*
 * infrastructure/postgres/migration_store_pg.c — migrations applied to PostgreSQL.
 *
 * Pattern: an adapter (hexagonal architecture) implementing the migration_store port.
 * Each migration runs in ONE transaction together with the row that records it in
 * shop_meta.schema_migrations, so a migration is either applied and recorded or not
 * there at all — PostgreSQL's transactional DDL makes this possible.  A session-level
 * advisory lock keeps two concurrent `shop db migrate` runs from interleaving.
 * Read next: tests/contract/migration_store_contract.c (what every store promises).
 */
#include "infrastructure/postgres/migration_store_pg.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "infrastructure/postgres/sqlstate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Any fixed number will do, as long as every shop uses the same one. */
#define MIGRATION_LOCK_KEY "7315092641"

struct migration_store_pg {
    struct migration_store base; /* first: the port */
    PGconn *conn;
    int locked;
};

static const char bootstrap_sql[] =
    "CREATE SCHEMA IF NOT EXISTS shop_meta;"
    "COMMENT ON SCHEMA shop_meta IS 'ddd-shop: bookkeeping of shop itself (migrations)';"
    "CREATE TABLE IF NOT EXISTS shop_meta.schema_migrations ("
    "  version    integer     PRIMARY KEY CHECK (version > 0),"
    "  name       text        NOT NULL,"
    "  checksum   text        NOT NULL,"
    "  applied_at timestamptz NOT NULL DEFAULT now(),"
    "  applied_by text        NOT NULL DEFAULT current_user"
    ");";

static int pg_lock(struct migration_store *self)
{
    struct migration_store_pg *s = (struct migration_store_pg *)self;
    if (s->locked)
        return 0;
    int rc = pg_exec_command(s->conn, "SET lock_timeout = '60s'", "setting the lock timeout");
    if (rc < 0)
        return rc;
    PGresult *res = PQexec(s->conn, "SELECT pg_advisory_lock(" MIGRATION_LOCK_KEY ")");
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        rc = pg_result_error(s->conn, res, "waiting for the migration lock");
    PQclear(res);
    if (rc < 0)
        return rc;
    s->locked = 1;
    return pg_exec_command(s->conn, bootstrap_sql, "creating shop_meta.schema_migrations");
}

static int pg_applied(struct migration_store *self, struct applied_migration **out,
                      size_t *out_count)
{
    struct migration_store_pg *s = (struct migration_store_pg *)self;
    *out = NULL;
    *out_count = 0;

    /* A database never migrated has no bookkeeping table yet: that is "nothing applied". */
    PGresult *res = PQexec(s->conn, "SELECT to_regclass('shop_meta.schema_migrations') IS NULL");
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        int rc = pg_result_error(s->conn, res, "reading the applied migrations");
        PQclear(res);
        return rc;
    }
    int missing = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    if (missing)
        return 0;

    res = PQexec(s->conn,
                 "SELECT version, name, checksum,"
                 "       to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
                 "  FROM shop_meta.schema_migrations ORDER BY version");
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        int rc = pg_result_error(s->conn, res, "reading the applied migrations");
        PQclear(res);
        return rc;
    }
    int rows = PQntuples(res);
    if (rows > 0)
        *out = shop_xcalloc((size_t)rows, sizeof **out);
    for (int i = 0; i < rows; i++) {
        struct applied_migration *a = &(*out)[i];
        a->version = atoi(PQgetvalue(res, i, 0));
        snprintf(a->name, sizeof a->name, "%s", PQgetvalue(res, i, 1));
        snprintf(a->checksum, sizeof a->checksum, "%s", PQgetvalue(res, i, 2));
        snprintf(a->applied_at, sizeof a->applied_at, "%s", PQgetvalue(res, i, 3));
    }
    *out_count = (size_t)rows;
    PQclear(res);
    return 0;
}

static int pg_apply(struct migration_store *self, const struct migration *m)
{
    struct migration_store_pg *s = (struct migration_store_pg *)self;
    char what[MIGRATION_NAME_MAX + 32];
    char version[16];
    int rc;

    snprintf(what, sizeof what, "migration %s", m->name);
    snprintf(version, sizeof version, "%d", m->version);

    if ((rc = pg_exec_command(s->conn, "BEGIN", what)) < 0)
        return rc;

    /* The script is a file shipped with shop, not input: a multi-statement simple query. */
    PGresult *res = PQexec(s->conn, m->sql);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY) {
        rc = pg_result_error(s->conn, res, what);
        /* A failing script is a refusal of that script, not a bug in shop. */
        if (rc == SHOP_EINTERNAL || rc == SHOP_EINVALID) {
            char message[SHOP_ERROR_MESSAGE_MAX];
            snprintf(message, sizeof message, "%s", shop_error_message());
            rc = shop_error_set(SHOP_EREFUSED, "%s", message);
        }
        PQclear(res);
        goto rollback;
    }
    PQclear(res);

    /*
     * A script with its own COMMIT or ROLLBACK would leave part of itself committed and
     * unrecorded: refuse it (what it committed stays; the record is not written).
     */
    if (PQtransactionStatus(s->conn) != PQTRANS_INTRANS) {
        rc = shop_error_set(SHOP_EREFUSED,
                            "%s ends or aborts the transaction it runs in (COMMIT or ROLLBACK in "
                            "the script); migrations must not control transactions",
                            what);
        goto rollback;
    }

    /* Scripts create objects as shop_owner; the bookkeeping row is written as ourselves. */
    if ((rc = pg_exec_command(s->conn, "RESET ROLE", what)) < 0)
        goto rollback;

    const char *params[3] = {version, m->name, m->checksum};
    res = PQexecParams(s->conn,
                       "INSERT INTO shop_meta.schema_migrations (version, name, checksum)"
                       " VALUES ($1::integer, $2, $3)",
                       3, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        rc = pg_result_error(s->conn, res, what);
        PQclear(res);
        goto rollback;
    }
    PQclear(res);

    if ((rc = pg_exec_command(s->conn, "COMMIT", what)) < 0)
        goto rollback;
    return 0;

rollback:;
    /* Keep the first error's message; the rollback's own failure adds nothing useful. */
    PGresult *rb = PQexec(s->conn, "ROLLBACK");
    PQclear(rb);
    return rc;
}

static void pg_free(struct migration_store *self)
{
    struct migration_store_pg *s = (struct migration_store_pg *)self;
    if (s->locked && PQstatus(s->conn) == CONNECTION_OK) {
        PGresult *res = PQexec(s->conn, "SELECT pg_advisory_unlock(" MIGRATION_LOCK_KEY ")");
        PQclear(res);
    }
    free(s);
}

int migration_store_pg_new(struct migration_store **out, PGconn *conn)
{
    struct migration_store_pg *s = shop_xcalloc(1, sizeof *s);
    s->base.version = MIGRATION_STORE_VERSION;
    s->base.lock = pg_lock;
    s->base.applied = pg_applied;
    s->base.apply = pg_apply;
    s->base.free = pg_free;
    s->conn = conn;
    *out = &s->base;
    return 0;
}
