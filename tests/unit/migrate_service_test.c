/*
 * tests/unit/migrate_service_test.c — the migrate application service, on the
 * in-memory migration store (no database, milliseconds).
 *
 * What a user relies on: running `shop db migrate` again changes nothing; an edited
 * migration is refused instead of silently diverging; a failing migration stops the
 * run with everything before it kept and nothing after it applied.
 * Read next: tests/contract/migration_store_contract.c (the store's own promises),
 * tests/integration/migrate_test.c (the same on PostgreSQL).
 */
#include "application/operations/migrate.h"
#include "domain/shared/error.h"
#include "infrastructure/memory/migration_store_memory.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

static struct migration shipped[3];
static char select_one[] = "SELECT 1";
static struct migration_store *store;

static void make(struct migration *m, int version, const char *name, const char *checksum)
{
    memset(m, 0, sizeof *m);
    m->version = version;
    snprintf(m->name, sizeof m->name, "%s", name);
    snprintf(m->checksum, sizeof m->checksum, "%s", checksum);
    m->sql = select_one;
}

static void setup(void)
{
    make(&shipped[0], 1, "0001_contexts", "aaaa");
    make(&shipped[1], 2, "0002_event_store", "bbbb");
    make(&shipped[2], 3, "0003_outbox", "cccc");
    migration_store_memory_new(&store);
}

static void teardown(void)
{
    migration_store_free(store);
}

static size_t recorded_count(void)
{
    struct applied_migration *rows;
    size_t n;
    cr_assert_eq(migration_store_applied(store, &rows, &n), 0);
    free(rows);
    return n;
}

TestSuite(migrating_the_database, .init = setup, .fini = teardown);

Test(migrating_the_database, applies_every_shipped_migration_in_order_on_a_new_database)
{
    struct migrate_report r;
    cr_assert_eq(migrate_run(&r, store, shipped, 3, false, NULL, NULL), 0);
    cr_expect_eq(r.version_before, 0);
    cr_expect_eq(r.version_after, 3);
    cr_expect_eq(r.applied_count, 3);
    cr_expect_str_eq(r.pending[0]->name, "0001_contexts");
    cr_expect_str_eq(r.pending[2]->name, "0003_outbox");
    cr_expect_eq(recorded_count(), 3);
    migrate_report_dispose(&r);
}

Test(migrating_the_database, a_second_run_changes_nothing)
{
    struct migrate_report r;
    cr_assert_eq(migrate_run(&r, store, shipped, 3, false, NULL, NULL), 0);
    migrate_report_dispose(&r);
    cr_assert_eq(migrate_run(&r, store, shipped, 3, false, NULL, NULL), 0);
    cr_expect_eq(r.applied_count, 0);
    cr_expect_eq(r.version_before, 3);
    cr_expect_eq(r.version_after, 3);
    cr_expect_eq(recorded_count(), 3);
    migrate_report_dispose(&r);
}

Test(migrating_the_database, applies_only_what_a_newer_shop_added)
{
    struct migrate_report r;
    cr_assert_eq(migrate_run(&r, store, shipped, 2, false, NULL, NULL), 0);
    migrate_report_dispose(&r);
    cr_assert_eq(migrate_run(&r, store, shipped, 3, false, NULL, NULL), 0);
    cr_expect_eq(r.applied_count, 1);
    cr_expect_str_eq(r.pending[0]->name, "0003_outbox");
    cr_expect_eq(r.version_before, 2);
    cr_expect_eq(r.version_after, 3);
    migrate_report_dispose(&r);
}

static void count_progress(const struct migration *m, size_t index, size_t total, void *ctx)
{
    (void)m;
    (void)total;
    size_t *calls = ctx;
    cr_expect_eq(index, *calls, "progress is reported in order");
    (*calls)++;
}

Test(migrating_the_database, reports_progress_after_each_migration)
{
    struct migrate_report r;
    size_t calls = 0;
    cr_assert_eq(migrate_run(&r, store, shipped, 3, false, count_progress, &calls), 0);
    cr_expect_eq(calls, 3);
    migrate_report_dispose(&r);
}

Test(migrating_the_database, a_dry_run_lists_what_is_pending_and_applies_nothing)
{
    struct migrate_report r;
    cr_assert_eq(migrate_run(&r, store, shipped, 3, true, NULL, NULL), 0);
    cr_expect_eq(r.pending_count, 3);
    cr_expect_eq(r.applied_count, 0);
    cr_expect_eq(recorded_count(), 0);
    migrate_report_dispose(&r);
}

Test(migrating_the_database, is_refused_when_an_applied_migration_was_edited_afterwards)
{
    struct migrate_report r;
    cr_assert_eq(migrate_run(&r, store, shipped, 2, false, NULL, NULL), 0);
    migrate_report_dispose(&r);

    make(&shipped[0], 1, "0001_contexts", "edited");
    cr_assert_eq(migrate_run(&r, store, shipped, 3, false, NULL, NULL), SHOP_EREFUSED);
    cr_expect(strstr(shop_error_message(), "0001_contexts was changed after it was applied"),
              "message was: %s", shop_error_message());
    cr_expect_eq(r.applied_count, 0);
    cr_expect_eq(recorded_count(), 2, "0003 must not be applied after a refusal");
    migrate_report_dispose(&r);
}

Test(migrating_the_database, is_refused_when_the_database_was_migrated_by_a_newer_shop)
{
    struct migrate_report r;
    cr_assert_eq(migrate_run(&r, store, shipped, 3, false, NULL, NULL), 0);
    migrate_report_dispose(&r);

    cr_assert_eq(migrate_run(&r, store, shipped, 2, false, NULL, NULL), SHOP_EREFUSED);
    cr_expect(strstr(shop_error_message(), "0003_outbox, which this shop does not ship"),
              "message was: %s", shop_error_message());
    migrate_report_dispose(&r);
}

Test(migrating_the_database, stops_at_a_failing_migration_keeping_the_earlier_ones)
{
    struct migrate_report r;
    migration_store_memory_fail_on(store, 2);
    cr_assert_eq(migrate_run(&r, store, shipped, 3, false, NULL, NULL), SHOP_EREFUSED);
    cr_expect_eq(r.applied_count, 1);
    cr_expect_eq(r.version_after, 1);
    cr_expect_eq(recorded_count(), 1, "neither 0002 (failed) nor 0003 (after it) is recorded");
    migrate_report_dispose(&r);

    /* Once the cause is fixed, the next run picks up where the failed one stopped. */
    cr_assert_eq(migrate_run(&r, store, shipped, 3, false, NULL, NULL), 0);
    cr_expect_eq(r.applied_count, 2);
    cr_expect_eq(r.version_after, 3);
    migrate_report_dispose(&r);
}

Test(migrating_the_database, is_refused_when_two_shipped_migrations_share_a_version)
{
    struct migrate_report r;
    make(&shipped[1], 1, "0001_other", "dddd");
    cr_assert_eq(migrate_run(&r, store, shipped, 3, false, NULL, NULL), SHOP_EREFUSED);
    cr_expect(strstr(shop_error_message(), "share a version"), "message was: %s",
              shop_error_message());
    cr_expect_eq(recorded_count(), 0);
    migrate_report_dispose(&r);
}

Test(migrating_the_database, is_refused_when_a_migration_older_than_the_database_was_never_applied)
{
    struct migrate_report r;
    struct migration first_and_third[2] = {shipped[0], shipped[2]};
    cr_assert_eq(migrate_run(&r, store, first_and_third, 2, false, NULL, NULL), 0);
    migrate_report_dispose(&r);

    cr_assert_eq(migrate_run(&r, store, shipped, 3, false, NULL, NULL), SHOP_EREFUSED);
    cr_expect(strstr(shop_error_message(), "0002_event_store was never applied"), "message was: %s",
              shop_error_message());
    cr_expect_eq(recorded_count(), 2);
    migrate_report_dispose(&r);
}
