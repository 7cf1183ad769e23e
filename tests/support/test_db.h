/*
 * tests/support/test_db.h — a fresh PostgreSQL database per integration test.
 *
 * Integration tests run against a real PostgreSQL, found through the libpq environment
 * (PGHOST, PGPORT, PGUSER, PGPASSWORD), which `./scripts/test` sets up with
 * pg_virtualenv.  Each test gets its own database, so tests can run in parallel and
 * leave nothing behind.  Without a server, the test FAILS (never skips) and says how
 * to run it.
 */
#ifndef SHOP_TESTS_SUPPORT_TEST_DB_H
#define SHOP_TESTS_SUPPORT_TEST_DB_H

#include "application/operations/migrate.h"

#include <libpq-fe.h>
#include <stddef.h>

#define TEST_DB_NAME_MAX 64

/* Creates a new empty database and returns a connection to it as the admin user. */
PGconn *test_db_create(char name[TEST_DB_NAME_MAX]);

/* Closes conn (may be NULL) and drops the database. */
void test_db_drop(PGconn *conn, const char *name);

/* Connects to database `name` with extra conninfo (e.g. "user=shop_ordering"). */
PGconn *test_db_connect(const char *name, const char *extra_conninfo);

/* Runs SQL that must succeed; fails the test with the server's message otherwise. */
void test_db_exec(PGconn *conn, const char *sql);

/* Runs SQL that must fail; returns its SQLSTATE (static storage). */
const char *test_db_exec_fails(PGconn *conn, const char *sql);

/*
 * Runs the shipped migrations (tests' SHOP_MIGRATIONS_DIR) on conn and returns
 * migrate_run's result; the report keeps its numbers only (no pending list).
 */
int test_db_run_migrations(PGconn *conn, struct migrate_report *report);

/* The same, failing the test unless it succeeds. */
void test_db_migrate(PGconn *conn);

#endif
