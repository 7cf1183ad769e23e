/*
 * tests/support/test_db.c — see test_db.h.
 */
#include "tests/support/test_db.h"

#include "application/operations/migrate.h"
#include "domain/shared/error.h"
#include "infrastructure/postgres/connection.h"
#include "infrastructure/postgres/migration_files.h"
#include "infrastructure/postgres/migration_store_pg.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char how_to_run[] =
    "integration tests need PostgreSQL: run them with ./scripts/test (see README.md), or "
    "set PGHOST/PGPORT/PGUSER/PGPASSWORD to a server where you may create databases";

static PGconn *admin_connect(void)
{
    PGconn *conn;
    if (pg_connect(&conn, "", "shop-tests", false) < 0)
        cr_assert_fail("%s (%s)", how_to_run, shop_error_message());
    return conn;
}

PGconn *test_db_create(char name[TEST_DB_NAME_MAX])
{
    static unsigned counter;
    /* Criterion runs each test in its own worker process: the pid makes names unique. */
    snprintf(name, TEST_DB_NAME_MAX, "shop_test_%ld_%u", (long)getpid(), ++counter);
    PGconn *admin = admin_connect();
    char sql[128];
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    test_db_exec(admin, sql);
    PQfinish(admin);
    return test_db_connect(name, NULL);
}

PGconn *test_db_connect(const char *name, const char *extra_conninfo)
{
    char conninfo[256];
    snprintf(conninfo, sizeof conninfo, "dbname=%s %s", name, extra_conninfo ? extra_conninfo : "");
    PGconn *conn;
    if (pg_connect(&conn, conninfo, "shop-tests", false) < 0)
        cr_assert_fail("%s (%s)", how_to_run, shop_error_message());
    return conn;
}

void test_db_drop(PGconn *conn, const char *name)
{
    if (conn)
        PQfinish(conn);
    PGconn *admin = admin_connect();
    char sql[128];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
    test_db_exec(admin, sql);
    PQfinish(admin);
}

void test_db_exec(PGconn *conn, const char *sql)
{
    PGresult *res = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", PQresultErrorMessage(res));
        PQclear(res);
        cr_assert_fail("SQL failed: %s: %s", sql, msg);
    }
    PQclear(res);
}

const char *test_db_exec_fails(PGconn *conn, const char *sql)
{
    static char sqlstate[6];
    PGresult *res = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
        PQclear(res);
        cr_assert_fail("SQL was expected to fail but succeeded: %s", sql);
    }
    const char *s = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    snprintf(sqlstate, sizeof sqlstate, "%s", s ? s : "");
    PQclear(res);
    return sqlstate;
}

int test_db_run_migrations(PGconn *conn, struct migrate_report *report)
{
    struct migration_set set;
    struct migration_store *store;

    cr_assert_eq(migration_set_load_shipped(&set), 0, "%s", shop_error_message());
    migration_store_pg_new(&store, conn);
    int rc = migrate_run(report, store, set.items, set.count, false, NULL, NULL);
    /* The report borrows the set's migrations: keep only the numbers. */
    free(report->pending);
    report->pending = NULL;
    migration_store_free(store);
    migration_set_dispose(&set);
    return rc;
}

void test_db_migrate(PGconn *conn)
{
    struct migrate_report report;
    int rc = test_db_run_migrations(conn, &report);
    cr_assert_eq(rc, 0, "migrating failed: %s", shop_error_message());
}
