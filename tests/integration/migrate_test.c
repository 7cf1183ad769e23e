/*
 * tests/integration/migrate_test.c — `shop db migrate` against a real PostgreSQL.
 *
 * What a user relies on: a new database gets one schema and one role per bounded
 * context; migrating again is a no-op; a migration that fails leaves nothing half
 * done; two migrators started at once do not trip over each other.
 * Read next: tests/integration/role_isolation_test.c
 */
#include "application/operations/migrate.h"
#include "domain/shared/error.h"
#include "infrastructure/postgres/migration_store_pg.h"
#include "infrastructure/postgres/system_status.h"
#include "tests/support/test_db.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static char db_name[TEST_DB_NAME_MAX];
static PGconn *db;

static void setup(void)
{
    db = test_db_create(db_name);
}

static void teardown(void)
{
    test_db_drop(db, db_name);
}

static long count(PGconn *conn, const char *sql)
{
    PGresult *res = PQexec(conn, sql);
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s: %s", sql, PQresultErrorMessage(res));
    long n = atol(PQgetvalue(res, 0, 0));
    PQclear(res);
    return n;
}

TestSuite(migrating_a_database, .init = setup, .fini = teardown, .timeout = 60);

Test(migrating_a_database, gives_every_bounded_context_its_own_schema_and_role)
{
    struct migrate_report r;
    cr_assert_eq(test_db_run_migrations(db, &r), 0, "%s", shop_error_message());
    cr_expect_geq(r.applied_count, 1);

    struct system_status st;
    cr_assert_eq(system_status_read(&st, db), 0, "%s", shop_error_message());
    for (int i = 0; i < SYSTEM_CONTEXT_COUNT; i++) {
        cr_expect(st.contexts[i].schema_exists, "schema %s", st.contexts[i].name);
        cr_expect(st.contexts[i].role_exists, "role %s", st.contexts[i].role);
    }
    cr_expect_eq(count(db, "SELECT count(*) FROM pg_namespace"
                           " WHERE nspname IN ('messaging', 'mesh')"),
                 2, "the shared infrastructure schemas exist");
    cr_expect_eq(count(db, "SELECT count(*) FROM pg_roles WHERE rolname = 'shop_ordering'"
                           " AND rolcanlogin AND NOT rolsuper"),
                 1, "context roles log in and are not superusers");
}

Test(migrating_a_database, a_second_time_changes_nothing)
{
    struct migrate_report first, second;
    cr_assert_eq(test_db_run_migrations(db, &first), 0, "%s", shop_error_message());
    long rows = count(db, "SELECT count(*) FROM shop_meta.schema_migrations");
    cr_assert_eq(rows, (long)first.applied_count);

    cr_assert_eq(test_db_run_migrations(db, &second), 0, "%s", shop_error_message());
    cr_expect_eq(second.applied_count, 0);
    cr_expect_eq(second.version_before, first.version_after);
    cr_expect_eq(count(db, "SELECT count(*) FROM shop_meta.schema_migrations"), rows);
}

Test(migrating_a_database, a_failing_migration_leaves_nothing_half_done)
{
    static char good_sql[] = "CREATE TABLE public.first_ok (id int);";
    static char bad_sql[] = "CREATE TABLE public.half_done (id int);\n"
                            "INSERT INTO public.half_done VALUES (1);\n"
                            "SELECT 1 / 0;";
    struct migration set[2] = {{.version = 1, .name = "0001_ok", .checksum = "1", .sql = good_sql},
                               {.version = 2, .name = "0002_bad", .checksum = "2", .sql = bad_sql}};
    struct migration_store *store;
    struct migrate_report r;

    migration_store_pg_new(&store, db);
    cr_assert_eq(migrate_run(&r, store, set, 2, false, NULL, NULL), SHOP_EREFUSED);
    cr_expect(strstr(shop_error_message(), "migration 0002_bad: division by zero"),
              "message was: %s", shop_error_message());
    cr_expect_eq(r.applied_count, 1);
    migrate_report_dispose(&r);
    migration_store_free(store);

    cr_expect_eq(count(db, "SELECT count(*) FROM pg_tables WHERE tablename = 'half_done'"), 0,
                 "the failed migration's table was rolled back");
    cr_expect_eq(count(db, "SELECT count(*) FROM pg_tables WHERE tablename = 'first_ok'"), 1,
                 "the migration before it stays applied");
    cr_expect_eq(count(db, "SELECT count(*) FROM shop_meta.schema_migrations"), 1);
}

Test(migrating_a_database, refuses_a_migration_that_commits_on_its_own)
{
    static char committing_sql[] = "CREATE TABLE public.escaped (id int);\n"
                                   "COMMIT;\n"
                                   "CREATE TABLE public.after_commit (id int);";
    struct migration set[1] = {
        {.version = 1, .name = "0001_commits", .checksum = "1", .sql = committing_sql}};
    struct migration_store *store;
    struct migrate_report r;

    migration_store_pg_new(&store, db);
    cr_assert_eq(migrate_run(&r, store, set, 1, false, NULL, NULL), SHOP_EREFUSED);
    cr_expect(strstr(shop_error_message(), "0001_commits ends or aborts the transaction"),
              "message was: %s", shop_error_message());
    migrate_report_dispose(&r);
    migration_store_free(store);

    cr_expect_eq(count(db, "SELECT count(*) FROM shop_meta.schema_migrations"), 0,
                 "a migration that escaped its transaction is never recorded as applied");
}

Test(migrating_a_database, status_of_a_new_database_in_a_cluster_that_has_the_roles)
{
    /* Another database of the cluster is migrated: the shop roles exist cluster-wide. */
    char other_name[TEST_DB_NAME_MAX];
    PGconn *other = test_db_create(other_name);
    test_db_migrate(other);
    test_db_drop(other, other_name);

    struct system_status st;
    cr_assert_eq(system_status_read(&st, db), 0, "%s", shop_error_message());
    for (int i = 0; i < SYSTEM_CONTEXT_COUNT; i++) {
        cr_expect(st.contexts[i].role_exists, "role %s", st.contexts[i].role);
        cr_expect_not(st.contexts[i].schema_exists, "schema %s", st.contexts[i].name);
        cr_expect_not(st.contexts[i].role_uses_own);
        cr_expect_eq(st.contexts[i].foreign_schemas, 0);
    }
}

struct migrator {
    int rc;
    size_t applied;
    char message[SHOP_ERROR_MESSAGE_MAX];
};

static void *migrate_in_thread(void *arg)
{
    struct migrator *m = arg;
    PGconn *conn = test_db_connect(db_name, NULL); /* one connection per thread */
    struct migrate_report r;
    m->rc = test_db_run_migrations(conn, &r);
    m->applied = r.applied_count;
    snprintf(m->message, sizeof m->message, "%s", shop_error_message());
    PQfinish(conn);
    return NULL;
}

Test(migrating_a_database, two_migrators_at_once_apply_each_migration_once)
{
    struct migrator a = {0}, b = {0};
    pthread_t ta, tb;
    pthread_create(&ta, NULL, migrate_in_thread, &a);
    pthread_create(&tb, NULL, migrate_in_thread, &b);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);

    cr_expect_eq(a.rc, 0, "first migrator: %s", a.message);
    cr_expect_eq(b.rc, 0, "second migrator: %s", b.message);
    long rows = count(db, "SELECT count(*) FROM shop_meta.schema_migrations");
    cr_expect_eq(a.applied + b.applied, (size_t)rows,
                 "each migration applied by exactly one of them");
    cr_expect(a.applied == 0 || b.applied == 0, "one did everything, the other nothing");
}
