/*
 * tests/integration/event_log_test.c — where `shop events tail` starts reading the global
 * log (infrastructure/postgres/event_log_pg.c), against a real PostgreSQL.
 *
 * The log's order is (transaction id, position).  Transaction ids grow past 999, 9999, …
 * on every real database, so these tests make the events of one log straddle such a
 * boundary and check that "the last N" and "from position P" pick the events the
 * gap-free reader (es_read_all) delivers in that order — compared as numbers, never as
 * text, where "1000" sorts before "999".
 * Read next: docs/adr/0006-gap-free-global-log.md
 */
#include "domain/shared/error.h"
#include "infrastructure/postgres/event_log_pg.h"
#include "infrastructure/postgres/event_store_pg.h"
#include "tests/support/test_db.h"

#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EVENTS 12

static char db_name[TEST_DB_NAME_MAX];
static PGconn *db;
static struct event_store *store;
static struct es_event_list log_all; /* the whole log, in the reader's order */

static uint64_t current_xid(void)
{
    PGresult *res = PQexec(db, "SELECT pg_current_xact_id()::text");
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQresultErrorMessage(res));
    uint64_t xid = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return xid;
}

/* Uses up transaction ids, one committed transaction each, until the next is >= target. */
static void burn_xids_until(uint64_t target)
{
    test_db_exec(db, "CREATE OR REPLACE PROCEDURE public.burn_xids(target xid8)"
                     " LANGUAGE plpgsql AS $$ BEGIN"
                     "   WHILE pg_current_xact_id() < target LOOP COMMIT; END LOOP;"
                     " END $$");
    char sql[96];
    snprintf(sql, sizeof sql, "CALL public.burn_xids('%" PRIu64 "')", target);
    test_db_exec(db, sql);
}

/* The whole visible log, waiting (up to 20 s) until all `want` events are visible: other
 * tests' transactions on the same cluster can hold the log back for a moment. */
static void read_whole_log(struct es_event_list *out, size_t want)
{
    for (int tries = 0; tries < 200; tries++) {
        cr_assert_eq(es_read_all(store, out, (struct es_checkpoint){0, 0}, 1000), 0, "%s",
                     shop_error_message());
        if (out->count >= want)
            return;
        es_event_list_dispose(out);
        nanosleep(&(struct timespec){0, 100 * 1000 * 1000}, NULL);
    }
    cr_assert_fail("the log never showed all %zu events", want);
}

/*
 * EVENTS events, one transaction each, whose transaction ids straddle a power of ten:
 * some below it, some at or above.  Other tests use transaction ids at the same time,
 * so it checks and, rarely, tries again at the next power of ten.
 */
static void setup(void)
{
    db = test_db_create(db_name);
    test_db_migrate(db);
    cr_assert_eq(event_store_pg_new(&store, db, "ordering"), 0, "%s", shop_error_message());
    for (int attempt = 0; attempt < 3; attempt++) {
        uint64_t power = 10;
        while (power <= current_xid() + EVENTS)
            power *= 10;
        burn_xids_until(power - EVENTS / 2);
        size_t before = log_all.count;
        for (int i = 0; i < EVENTS; i++) {
            char stream[32];
            snprintf(stream, sizeof stream, "log-%d-%d", attempt, i % 3);
            struct es_new_event e = {.type = "Happened", .schema_version = 1, .data = "{}"};
            cr_assert_eq(es_append(store, NULL, stream, ES_EXPECT_ANY, &e, 1, NULL), 0, "%s",
                         shop_error_message());
        }
        es_event_list_dispose(&log_all);
        read_whole_log(&log_all, before + EVENTS);
        bool below = false, above = false;
        for (size_t i = 0; i < log_all.count; i++) {
            below |= log_all.items[i].transaction_id < power;
            above |= log_all.items[i].transaction_id >= power;
        }
        if (below && above)
            return;
    }
    cr_assert_fail("could not make the log straddle a power of ten in transaction ids");
}

static void teardown(void)
{
    es_event_list_dispose(&log_all);
    es_free(store);
    test_db_drop(db, db_name);
}

TestSuite(tailing_the_event_log, .init = setup, .fini = teardown, .timeout = 120);

/* The events es_read_all gives from checkpoint `from`, all of them. */
static void read_from(struct es_event_list *out, struct es_checkpoint from)
{
    cr_assert_eq(es_read_all(store, out, from, 1000), 0, "%s", shop_error_message());
}

Test(tailing_the_event_log, shows_the_last_n_events_in_log_order_across_a_power_of_ten)
{
    for (size_t n = 1; n <= 6; n++) {
        struct es_checkpoint at;
        struct es_event_list got = {0};
        cr_assert_eq(event_log_pg_checkpoint_last(&at, db, "ordering", n), 0, "%s",
                     shop_error_message());
        read_from(&got, at);
        cr_assert_eq(got.count, n, "last %zu: got %zu events", n, got.count);
        for (size_t i = 0; i < n; i++) {
            const struct es_event *want = &log_all.items[log_all.count - n + i];
            cr_expect_eq(got.items[i].global_position, want->global_position,
                         "last %zu, event %zu: position %" PRId64 " (xid %" PRIu64
                         "), expected %" PRId64 " (xid %" PRIu64 ")",
                         n, i, got.items[i].global_position, got.items[i].transaction_id,
                         want->global_position, want->transaction_id);
        }
        es_event_list_dispose(&got);
    }
}

Test(tailing_the_event_log, starts_from_a_position_at_that_event_in_log_order)
{
    for (size_t k = 0; k < log_all.count; k++) {
        int64_t position = log_all.items[k].global_position;
        /* the first event in log order whose position is at least `position` */
        size_t first = 0;
        while (log_all.items[first].global_position < position)
            first++;
        struct es_checkpoint at;
        struct es_event_list got = {0};
        cr_assert_eq(event_log_pg_checkpoint_at(&at, db, "ordering", position), 0, "%s",
                     shop_error_message());
        read_from(&got, at);
        cr_assert_eq(got.count, log_all.count - first, "from %" PRId64 ": %zu events, expected %zu",
                     position, got.count, log_all.count - first);
        cr_expect_eq(got.items[0].global_position, log_all.items[first].global_position,
                     "from %" PRId64 ": starts at %" PRId64, position,
                     got.items[0].global_position);
        es_event_list_dispose(&got);
    }
}

Test(tailing_the_event_log, from_a_position_after_the_end_shows_nothing)
{
    struct es_checkpoint at;
    struct es_event_list got = {0};
    int64_t after = log_all.items[log_all.count - 1].global_position + 1000;
    cr_assert_eq(event_log_pg_checkpoint_at(&at, db, "ordering", after), 0, "%s",
                 shop_error_message());
    read_from(&got, at);
    cr_expect_eq(got.count, 0);
    es_event_list_dispose(&got);
}
