/*
 * tests/integration/role_isolation_test.c — data ownership between bounded contexts,
 * enforced by PostgreSQL grants (microservices: each context owns its data).
 *
 * Each test switches the session to a context's role with SET ROLE, which drops every
 * privilege of the administrator, so what is allowed is exactly what the grants of
 * infrastructure/postgres/migrations/0001_contexts_schemas_and_roles.sql allow.
 * Read next: docs/adr/0003-migrations-schemas-and-roles.md
 */
#include "infrastructure/postgres/system_status.h"
#include "tests/support/test_db.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char db_name[TEST_DB_NAME_MAX];
static PGconn *db;

/* A migrated database with one table in each context schema, as later migrations add. */
static void setup(void)
{
    db = test_db_create(db_name);
    test_db_migrate(db);
    test_db_exec(db, "SET ROLE shop_owner");
    for (int i = 0; i < SYSTEM_CONTEXT_COUNT; i++) {
        char sql[256];
        snprintf(sql, sizeof sql,
                 "CREATE TABLE %s.probe (id int PRIMARY KEY); INSERT INTO %s.probe VALUES (1)",
                 system_contexts[i], system_contexts[i]);
        test_db_exec(db, sql);
    }
    test_db_exec(db, "RESET ROLE");
}

static void teardown(void)
{
    test_db_drop(db, db_name);
}

TestSuite(data_ownership, .init = setup, .fini = teardown, .timeout = 60);

Test(data_ownership, the_ordering_role_cannot_read_the_payments_schema)
{
    test_db_exec(db, "SET ROLE shop_ordering");
    const char *sqlstate = test_db_exec_fails(db, "SELECT id FROM payments.probe");
    cr_expect_str_eq(sqlstate, "42501", "insufficient_privilege expected");
}

Test(data_ownership, the_payments_role_reads_and_writes_its_own_schema)
{
    test_db_exec(db, "SET ROLE shop_payments");
    test_db_exec(db, "SELECT id FROM payments.probe");
    test_db_exec(db, "INSERT INTO payments.probe VALUES (2)");
    test_db_exec(db, "UPDATE payments.probe SET id = 3 WHERE id = 2");
    test_db_exec(db, "DELETE FROM payments.probe WHERE id = 3");
}

Test(data_ownership, no_context_role_can_touch_another_contexts_schema)
{
    for (int r = 0; r < SYSTEM_CONTEXT_COUNT; r++) {
        char set_role[64];
        snprintf(set_role, sizeof set_role, "SET ROLE shop_%s", system_contexts[r]);
        for (int s = 0; s < SYSTEM_CONTEXT_COUNT; s++) {
            char sql[128];
            snprintf(sql, sizeof sql, "SELECT id FROM %s.probe", system_contexts[s]);
            test_db_exec(db, set_role);
            if (r == s) {
                test_db_exec(db, sql);
            } else {
                const char *sqlstate = test_db_exec_fails(db, sql);
                cr_expect_str_eq(sqlstate, "42501", "shop_%s reading %s", system_contexts[r],
                                 system_contexts[s]);
            }
            test_db_exec(db, "RESET ROLE");
        }
    }
}

Test(data_ownership, a_context_role_cannot_change_the_schema_of_its_own_context)
{
    test_db_exec(db, "SET ROLE shop_ordering");
    cr_expect_str_eq(test_db_exec_fails(db, "CREATE TABLE ordering.sneaky (id int)"), "42501");
    cr_expect_str_eq(test_db_exec_fails(db, "DROP TABLE ordering.probe"), "42501");
}

Test(data_ownership, context_roles_cannot_rewrite_the_migration_history)
{
    test_db_exec(db, "SET ROLE shop_ordering");
    cr_expect_str_eq(test_db_exec_fails(db, "DELETE FROM shop_meta.schema_migrations"), "42501");
}
