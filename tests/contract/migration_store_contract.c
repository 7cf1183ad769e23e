/*
 * tests/contract/migration_store_contract.c — the promises of every migration store.
 *
 * Run twice by make check: tests/contract/migration_store_memory_test (in-memory
 * adapter) and tests/contract/migration_store_pg_test (PostgreSQL adapter).  A
 * behaviour the application service relies on belongs here, not in one adapter's tests.
 * Read next: application/operations/migration.h (the port these tests define).
 */
#include "tests/contract/migration_store_contract.h"

#include "domain/shared/error.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct migration_store *store;
static char harmless_sql[] = "SELECT 1";

static void setup(void)
{
    store = contract_store_new();
}

static void teardown(void)
{
    contract_store_free(store);
}

static struct migration migration(int version, const char *name, const char *checksum)
{
    struct migration m = {.version = version, .sql = harmless_sql};
    snprintf(m.name, sizeof m.name, "%s", name);
    snprintf(m.checksum, sizeof m.checksum, "%s", checksum);
    return m;
}

TestSuite(a_migration_store, .init = setup, .fini = teardown);

Test(a_migration_store, has_nothing_applied_when_new)
{
    struct applied_migration *rows = NULL;
    size_t n = 99;
    cr_assert_eq(migration_store_applied(store, &rows, &n), 0, "%s", shop_error_message());
    cr_expect_eq(n, 0);
    free(rows);
}

Test(a_migration_store, records_what_was_applied_with_its_checksum_and_time)
{
    struct migration m = migration(1, "0001_first", "c0ffee");
    cr_assert_eq(migration_store_lock(store), 0, "%s", shop_error_message());
    cr_assert_eq(migration_store_apply(store, &m), 0, "%s", shop_error_message());

    struct applied_migration *rows;
    size_t n;
    cr_assert_eq(migration_store_applied(store, &rows, &n), 0);
    cr_assert_eq(n, 1);
    cr_expect_eq(rows[0].version, 1);
    cr_expect_str_eq(rows[0].name, "0001_first");
    cr_expect_str_eq(rows[0].checksum, "c0ffee");
    cr_expect_eq(strlen(rows[0].applied_at), 20, "ISO 8601 UTC time, got '%s'", rows[0].applied_at);
    cr_expect_eq(rows[0].applied_at[19], 'Z');
    free(rows);
}

Test(a_migration_store, lists_applied_migrations_in_version_order)
{
    struct migration third = migration(3, "0003_third", "33");
    struct migration first = migration(1, "0001_first", "11");
    cr_assert_eq(migration_store_lock(store), 0, "%s", shop_error_message());
    cr_assert_eq(migration_store_apply(store, &third), 0, "%s", shop_error_message());
    cr_assert_eq(migration_store_apply(store, &first), 0, "%s", shop_error_message());

    struct applied_migration *rows;
    size_t n;
    cr_assert_eq(migration_store_applied(store, &rows, &n), 0);
    cr_assert_eq(n, 2);
    cr_expect_eq(rows[0].version, 1);
    cr_expect_eq(rows[1].version, 3);
    free(rows);
}

Test(a_migration_store, refuses_to_record_a_version_twice_and_keeps_the_first)
{
    struct migration once = migration(1, "0001_first", "original");
    struct migration again = migration(1, "0001_first", "different");
    cr_assert_eq(migration_store_lock(store), 0, "%s", shop_error_message());
    cr_assert_eq(migration_store_apply(store, &once), 0, "%s", shop_error_message());
    cr_expect_eq(migration_store_apply(store, &again), SHOP_ECONFLICT, "got %s: %s",
                 shop_error_name(shop_error_code()), shop_error_message());

    struct applied_migration *rows;
    size_t n;
    cr_assert_eq(migration_store_applied(store, &rows, &n), 0);
    cr_assert_eq(n, 1);
    cr_expect_str_eq(rows[0].checksum, "original");
    free(rows);
}

Test(a_migration_store, may_be_locked_again_by_the_same_migrator)
{
    cr_expect_eq(migration_store_lock(store), 0, "%s", shop_error_message());
    cr_expect_eq(migration_store_lock(store), 0, "%s", shop_error_message());
}
