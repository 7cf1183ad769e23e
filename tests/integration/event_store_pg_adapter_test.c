/*
 * tests/integration/event_store_pg_adapter_test.c — what only the PostgreSQL event store
 * has: its tables' grants, the caller's transactions, prepared statements shared on a
 * connection, and the plan of the global-log reader.
 *
 * The port's promises are tested once for both adapters in
 * tests/contract/event_store_contract.c; these are the PostgreSQL adapter's own.
 * Read next: infrastructure/postgres/event_store_pg.c,
 * infrastructure/postgres/migrations/0002_event_store.sql
 */
#include "domain/shared/error.h"
#include "infrastructure/postgres/event_store_pg.h"
#include "tests/support/test_db.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char db_name[TEST_DB_NAME_MAX];
static PGconn *db;
static struct event_store *store;

static void setup(void)
{
    db = test_db_create(db_name);
    test_db_migrate(db);
    cr_assert_eq(event_store_pg_new(&store, db, "ordering"), 0, "%s", shop_error_message());
}

static void teardown(void)
{
    es_free(store);
    test_db_drop(db, db_name);
}

TestSuite(the_postgres_event_store, .init = setup, .fini = teardown, .timeout = 60);

static struct es_new_event event(const char *type)
{
    return (struct es_new_event){.type = type, .schema_version = 1, .data = "{\"n\": 1}"};
}

static void append(struct event_store *s, const char *stream_id, int64_t expected, size_t n)
{
    struct es_new_event batch[500];
    cr_assert_leq(n, 500);
    for (size_t i = 0; i < n; i++)
        batch[i] = event("Happened");
    cr_assert_eq(es_append(s, NULL, stream_id, expected, batch, n, NULL), 0, "%s: %s",
                 shop_error_name(shop_error_code()), shop_error_message());
}

static char *query_text(PGconn *conn, const char *sql)
{
    PGresult *res = PQexec(conn, sql);
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s: %s", sql, PQresultErrorMessage(res));
    size_t size = 1;
    for (int r = 0; r < PQntuples(res); r++)
        size += strlen(PQgetvalue(res, r, 0)) + 1;
    char *text = calloc(1, size);
    for (int r = 0; r < PQntuples(res); r++) {
        strcat(text, PQgetvalue(res, r, 0));
        strcat(text, "\n");
    }
    PQclear(res);
    return text;
}

static size_t stream_length(struct event_store *s, const char *stream_id)
{
    struct es_event_list l;
    cr_assert_eq(es_read_stream(s, &l, stream_id, ES_WHOLE_STREAM), 0, "%s", shop_error_message());
    size_t n = l.count;
    es_event_list_dispose(&l);
    return n;
}

/* ------------------------------------------------------------------ setting up */

Test(the_postgres_event_store, is_only_for_event_sourced_contexts)
{
    static struct event_store not_touched;
    struct event_store *s = &not_touched;
    cr_expect_eq(event_store_pg_new(&s, db, "catalog"), SHOP_EINVALID);
    cr_expect_null(s);
    cr_expect(strstr(shop_error_message(), "\"catalog\" is not event-sourced (known: ordering, payments, shipping)"),
              "%s", shop_error_message());
    cr_expect_eq(event_store_pg_new(&s, db, "ordering; DROP TABLE ordering.events"), SHOP_EINVALID);
    cr_expect_eq(event_store_pg_new(&s, db, NULL), SHOP_EINVALID);
}

Test(the_postgres_event_store, says_so_when_the_database_is_not_migrated)
{
    char other_name[TEST_DB_NAME_MAX];
    PGconn *other = test_db_create(other_name);
    struct event_store *s = NULL;
    int rc = event_store_pg_new(&s, other, "ordering");
    cr_expect_eq(rc, SHOP_EUNAVAILABLE, "got %s: %s", shop_error_name(rc), shop_error_message());
    cr_expect(strstr(shop_error_message(), "is the database migrated?"), "%s",
              shop_error_message());
    cr_expect_null(s);
    test_db_drop(other, other_name);
}

Test(the_postgres_event_store, shares_its_prepared_statements_with_a_second_store_on_the_connection)
{
    struct event_store *second;
    test_db_exec(db, "BEGIN");
    /* Preparing again would fail and abort the caller's transaction: it must not. */
    cr_assert_eq(event_store_pg_new(&second, db, "ordering"), 0, "%s", shop_error_message());
    cr_expect_eq(PQtransactionStatus(db), PQTRANS_INTRANS, "the transaction is intact");
    append(second, "order-1", ES_EXPECT_NO_STREAM, 1);
    test_db_exec(db, "COMMIT");
    append(store, "order-1", 1, 1);
    char *count = query_text(db, "SELECT count(*) FROM pg_prepared_statements"
                                 " WHERE name LIKE 'es\\_ordering\\_%'");
    cr_expect_str_eq(count, "6\n", "each of the six statements prepared once");
    free(count);
    es_free(second);
    cr_expect_eq(stream_length(store, "order-1"), 2, "the first store still works");
}

/* ------------------------------------------------------------------ grants */

Test(the_postgres_event_store, serves_the_ordering_role)
{
    /* Connect as the admin with the role set from the start: every statement, including
     * the prepared ones, runs with shop_ordering's rights and nothing more.  (The context
     * roles have no password in the test cluster, so they cannot log in themselves.) */
    PGconn *conn = test_db_connect(db_name, "options='-c role=shop_ordering'");
    char *user = query_text(conn, "SELECT current_user");
    cr_assert_str_eq(user, "shop_ordering\n");
    free(user);

    struct event_store *s;
    cr_assert_eq(event_store_pg_new(&s, conn, "ordering"), 0, "%s", shop_error_message());
    struct es_new_event e = event("OrderPlaced");
    char snap_data[] = "{\"status\": \"placed\"}", later_data[] = "{\"status\": \"later\"}";
    struct es_snapshot snap = {.stream_version = 1, .schema_version = 1, .data = snap_data};
    struct es_snapshot later = {.stream_version = 2, .schema_version = 1, .data = later_data};
    cr_assert_eq(es_append(s, NULL, "order-1", ES_EXPECT_NO_STREAM, &e, 1, &snap), 0, "%s",
                 shop_error_message());
    cr_assert_eq(es_append(s, NULL, "order-1", 1, &e, 1, &later), 0, "replacing the snapshot: %s",
                 shop_error_message());
    cr_assert_eq(es_append(s, NULL, "order-1", ES_EXPECT_ANY, &e, 1, NULL), 0, "%s",
                 shop_error_message());

    struct es_snapshot loaded;
    struct es_event_list l;
    cr_assert_eq(es_load(s, &loaded, &l, "order-1", 1), 0, "%s", shop_error_message());
    cr_expect_eq(loaded.stream_version, 2);
    cr_expect_eq(l.count, 1);
    es_snapshot_dispose(&loaded);
    es_event_list_dispose(&l);
    cr_assert_eq(es_read_all(s, &l, (struct es_checkpoint){0, 0}, 10), 0, "%s",
                 shop_error_message());
    es_event_list_dispose(&l);
    es_free(s);
    PQfinish(conn);
}

Test(the_postgres_event_store, keeps_events_append_only_for_the_ordering_role)
{
    append(store, "order-1", ES_EXPECT_NO_STREAM, 1);
    test_db_exec(db, "SET ROLE shop_ordering");
    cr_expect_str_eq(test_db_exec_fails(db, "UPDATE ordering.events SET type = 'Rewritten'"),
                     "42501");
    cr_expect_str_eq(test_db_exec_fails(db, "DELETE FROM ordering.events"), "42501");
    cr_expect_str_eq(test_db_exec_fails(db, "TRUNCATE ordering.events"), "42501");
    test_db_exec(db, "DELETE FROM ordering.snapshots"); /* snapshots are a cache: allowed */
    cr_expect_str_eq(test_db_exec_fails(db, "CALL shop_ddl.create_event_store('ordering')"),
                     "42501", "only migrations create tables");
    test_db_exec(db, "RESET ROLE");
    cr_expect_eq(stream_length(store, "order-1"), 1);
}

Test(the_postgres_event_store, is_closed_to_the_other_contexts)
{
    static const char *const others[] = {"shop_catalog",  "shop_inventory", "shop_payments",
                                         "shop_shipping", "shop_reporting", "shop_notifications"};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        char sql[64];
        snprintf(sql, sizeof sql, "SET ROLE %s", others[i]);
        test_db_exec(db, sql);
        cr_expect_str_eq(test_db_exec_fails(db, "SELECT count(*) FROM ordering.events"), "42501",
                         "%s", others[i]);
        cr_expect_str_eq(test_db_exec_fails(db, "CALL shop_ddl.create_event_store('payments')"),
                         "42501", "%s may not create tables through the migrations' procedure",
                         others[i]);
        test_db_exec(db, "RESET ROLE");
    }
}

/* ------------------------------------------------------------------ transactions */

Test(the_postgres_event_store, joins_the_callers_transaction)
{
    struct es_new_event e = event("OrderPlaced");
    char data[] = "{\"status\": \"placed\"}";
    struct es_snapshot snap = {.stream_version = 2, .schema_version = 1, .data = data};

    test_db_exec(db, "BEGIN");
    append(store, "order-1", ES_EXPECT_NO_STREAM, 1);
    cr_assert_eq(es_append(store, NULL, "order-1", 1, &e, 1, &snap), 0, "%s", shop_error_message());
    cr_expect_eq(PQtransactionStatus(db), PQTRANS_INTRANS, "still the caller's, still open");
    cr_expect_eq(stream_length(store, "order-1"), 2, "the caller sees its own appends");
    test_db_exec(db, "ROLLBACK");

    struct es_snapshot loaded;
    struct es_event_list l;
    cr_assert_eq(es_load(store, &loaded, &l, "order-1", 1), 0);
    cr_expect_null(loaded.data, "the rollback took the snapshot too");
    cr_expect_eq(l.count, 0, "and the events");

    test_db_exec(db, "BEGIN");
    cr_assert_eq(es_append(store, NULL, "order-1", ES_EXPECT_NO_STREAM, &e, 1, NULL), 0);
    cr_assert_eq(es_append(store, NULL, "order-1", 1, &e, 1, &snap), 0, "%s", shop_error_message());
    test_db_exec(db, "COMMIT");
    cr_assert_eq(es_load(store, &loaded, &l, "order-1", 1), 0);
    cr_expect_eq(loaded.stream_version, 2, "committed by the caller");
    es_snapshot_dispose(&loaded);
    es_event_list_dispose(&l);
}

Test(the_postgres_event_store, ends_its_own_transaction_after_a_refused_append_with_a_snapshot)
{
    append(store, "order-1", ES_EXPECT_NO_STREAM, 2);
    struct es_new_event e = event("OrderCancelled");
    char data[] = "{\"status\": \"cancelled\"}";
    struct es_snapshot snap = {.stream_version = 2, .schema_version = 1, .data = data};
    cr_assert_eq(es_append(store, NULL, "order-1", 1, &e, 1, &snap), SHOP_ECONFLICT, "%s",
                 shop_error_message());
    cr_expect_eq(PQtransactionStatus(db), PQTRANS_IDLE, "rolled back, not left aborted");
    cr_expect_eq(PQpipelineStatus(db), PQ_PIPELINE_OFF);

    snap.stream_version = 3;
    cr_assert_eq(es_append(store, NULL, "order-1", 2, &e, 1, &snap), 0, "%s", shop_error_message());
}

Test(the_postgres_event_store, leaves_a_failed_callers_transaction_to_the_caller)
{
    append(store, "order-1", ES_EXPECT_NO_STREAM, 2);
    struct es_new_event e = event("OrderCancelled");
    char data[] = "{\"status\": \"cancelled\"}";
    struct es_snapshot snap = {.stream_version = 2, .schema_version = 1, .data = data};
    test_db_exec(db, "BEGIN");
    cr_assert_eq(es_append(store, NULL, "order-1", 1, &e, 1, &snap), SHOP_ECONFLICT, "%s",
                 shop_error_message());
    cr_expect_eq(PQtransactionStatus(db), PQTRANS_INERROR,
                 "the caller's transaction failed; ending it is the caller's business");
    test_db_exec(db, "ROLLBACK");
    cr_expect_eq(stream_length(store, "order-1"), 2);
}

/* ------------------------------------------------------------------ reading */

Test(the_postgres_event_store, reads_the_global_log_along_its_index)
{
    for (int i = 0; i < 10; i++)
        append(store, i % 2 ? "order-odd" : "order-even", ES_EXPECT_ANY, 500);
    test_db_exec(db, "ANALYZE ordering.events");

    static const char *const modes[] = {"SET plan_cache_mode = force_custom_plan",
                                        "SET plan_cache_mode = force_generic_plan"};
    for (int m = 0; m < 2; m++) {
        test_db_exec(db, modes[m]);
        char *plan = query_text(db, "EXPLAIN EXECUTE es_ordering_read_all('0', '0', '100')");
        cr_expect(strstr(plan, "Index Scan using events_global_log"), "%s:\n%s", modes[m], plan);
        cr_expect_null(strstr(plan, "Sort"), "no sort, the index gives the order:\n%s", plan);
        free(plan);
    }
    test_db_exec(db, "RESET plan_cache_mode");
}

Test(the_postgres_event_store, keeps_times_to_the_microsecond)
{
    append(store, "order-1", ES_EXPECT_NO_STREAM, 1);
    struct es_event_list l;
    cr_assert_eq(es_read_stream(store, &l, "order-1", ES_WHOLE_STREAM), 0);
    cr_assert_eq(l.count, 1);

    /* The same instant, written by PostgreSQL and by the C library from our number. */
    char *server = query_text(db, "SELECT to_char(recorded_at AT TIME ZONE 'UTC',"
                                  " 'YYYY-MM-DD HH24:MI:SS.US') FROM ordering.events");
    time_t seconds = (time_t)(l.items[0].recorded_at_us / 1000000);
    struct tm tm;
    gmtime_r(&seconds, &tm);
    char ours[64], date[32];
    strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &tm);
    snprintf(ours, sizeof ours, "%s.%06lld\n", date,
             (long long)(l.items[0].recorded_at_us % 1000000));
    cr_expect_str_eq(ours, server);
    free(server);

    char *xid = query_text(db, "SELECT transaction_id::text FROM ordering.events");
    char expected[32];
    snprintf(expected, sizeof expected, "%llu\n", (unsigned long long)l.items[0].transaction_id);
    cr_expect_str_eq(expected, xid);
    free(xid);
    es_event_list_dispose(&l);
}

/*
 * A writer whose transaction began before another writer appended version 1, and that
 * appends version 2 afterwards: version 2 must not be stamped before version 1, or the
 * stream read as of a time between them would show version 2 without version 1.
 */
Test(the_postgres_event_store, never_stamps_an_event_before_the_version_it_follows)
{
    PGconn *early = test_db_connect(db_name, NULL);
    struct event_store *late_writer;
    test_db_exec(early, "BEGIN");
    test_db_exec(early, "SELECT 1"); /* the transaction has started: now() is fixed */
    nanosleep(&(struct timespec){0, 5 * 1000 * 1000}, NULL);
    append(store, "order-early", ES_EXPECT_NO_STREAM, 1); /* version 1, committed */
    nanosleep(&(struct timespec){0, 5 * 1000 * 1000}, NULL);
    cr_assert_eq(event_store_pg_new(&late_writer, early, "ordering"), 0, "%s",
                 shop_error_message());
    append(late_writer, "order-early", 1, 1); /* version 2, in the early transaction */
    test_db_exec(early, "COMMIT");

    struct es_event_list all = {0}, then = {0};
    cr_assert_eq(es_read_stream(store, &all, "order-early", ES_WHOLE_STREAM), 0);
    cr_assert_eq(all.count, 2);
    cr_expect_gt(all.items[1].recorded_at_us, all.items[0].recorded_at_us,
                 "version 2 stamped %lld us before version 1",
                 (long long)(all.items[0].recorded_at_us - all.items[1].recorded_at_us));
    struct es_stream_range as_of_v1 = {1, ES_UNBOUNDED, all.items[0].recorded_at_us};
    cr_assert_eq(es_read_stream(store, &then, "order-early", as_of_v1), 0);
    cr_assert_eq(then.count, 1, "as of version 1's time: %zu events", then.count);
    cr_expect_eq(then.items[0].stream_version, 1);
    es_event_list_dispose(&all);
    es_event_list_dispose(&then);
    es_free(late_writer);
    PQfinish(early);
}
