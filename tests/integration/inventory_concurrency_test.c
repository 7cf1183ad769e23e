/*
 * tests/integration/inventory_concurrency_test.c — two reservations race for the last
 * unit of a SKU on a real PostgreSQL: two threads, two connections, one service each.
 *
 * The race is staged, not left to chance: each thread's stock repository is wrapped in a
 * decorator (the port makes that one struct) that, on the thread's first load, records
 * the version it read and then waits at a barrier until the other thread has loaded too.
 * So both decide on version 1 (one unit available) and both try to save.  Exactly one
 * save finds version 1 still there; the other finds the row moved on (its UPDATE waits
 * for the winner's transaction, then matches zero rows): SHOP_ECONFLICT, the service
 * rolls back and tries again, and on the fresh load the unit is gone: "out of stock".
 * One unit, one reservation, never reserved twice, on hand minus reserved never negative.
 *
 * The rest of the file holds the database's own guard (the CHECK) and the role's grants.
 * Read next: application/inventory/inventory_service.c (retry),
 * infrastructure/inventory/stock_repository_pg.c (the versioned UPDATE)
 */
#include "application/inventory/inventory_service.h"
#include "domain/shared/error.h"
#include "infrastructure/inventory/inventory_pg.h"
#include "tests/support/test_db.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char db_name[TEST_DB_NAME_MAX];
static PGconn *db;

static void setup(void)
{
    db = test_db_create(db_name);
    test_db_migrate(db);
}

static void teardown(void)
{
    test_db_drop(db, db_name);
}

TestSuite(reserving_the_last_unit, .init = setup, .fini = teardown, .timeout = 60);
TestSuite(the_inventory_tables, .init = setup, .fini = teardown, .timeout = 60);

/* ---- the staging decorator ---- */

struct staged_stock {
    struct stock_repository base; /* first */
    struct stock_repository *inner;
    pthread_barrier_t *barrier;
    bool loaded;           /* the first load has happened */
    int64_t first_version; /* the version it read */
    int conflicts;         /* saves refused with SHOP_ECONFLICT */
};

static int staged_load(struct stock_repository *self, stock_item *out, int64_t *out_version,
                       const sku *s)
{
    struct staged_stock *st = (struct staged_stock *)self;
    int rc = stock_repository_load(st->inner, out, out_version, s);
    if (!st->loaded) {
        st->loaded = true;
        st->first_version = rc == 0 ? *out_version : -1;
        pthread_barrier_wait(st->barrier); /* both have read the same version */
    }
    return rc;
}

static int staged_save(struct stock_repository *self, const stock_item *item, int64_t expected)
{
    struct staged_stock *st = (struct staged_stock *)self;
    int rc = stock_repository_save(st->inner, item, expected);
    if (rc == SHOP_ECONFLICT)
        st->conflicts++;
    return rc;
}

static int staged_list(struct stock_repository *self, stock_item **out, size_t *out_count)
{
    return stock_repository_list(((struct staged_stock *)self)->inner, out, out_count);
}

static void staged_free(struct stock_repository *self)
{
    (void)self;
}

/* ---- one buyer: a thread with its own connection and service ---- */

struct buyer {
    PGconn *conn;
    struct staged_stock stock;
    struct reservation_repository *reservations;
    struct unit_of_work *uow;
    int max_attempts;
    shop_uuid order_id;
    int rc;
    char message[SHOP_ERROR_MESSAGE_MAX];
};

static void buyer_open(struct buyer *b, pthread_barrier_t *barrier, const char *order_text,
                       int max_attempts)
{
    memset(b, 0, sizeof *b);
    b->conn = test_db_connect(db_name, NULL);
    test_db_exec(b->conn, "SET ROLE shop_inventory");
    cr_assert_eq(stock_repository_pg_new(&b->stock.inner, b->conn), 0);
    b->stock.base = (struct stock_repository){STOCK_REPOSITORY_VERSION, staged_load, staged_save,
                                              staged_list, staged_free};
    b->stock.barrier = barrier;
    cr_assert_eq(reservation_repository_pg_new(&b->reservations, b->conn), 0);
    cr_assert_eq(unit_of_work_pg_new(&b->uow, b->conn), 0);
    cr_assert_eq(uuid_parse(&b->order_id, order_text), 0);
    b->max_attempts = max_attempts;
}

static void buyer_close(struct buyer *b)
{
    stock_repository_free(b->stock.inner);
    reservation_repository_free(b->reservations);
    unit_of_work_free(b->uow);
    PQfinish(b->conn);
}

static void *buy_last_unit(void *arg)
{
    struct buyer *b = arg;
    struct inventory_service svc = {&b->stock.base, b->reservations, b->uow, b->max_attempts};
    reserve_stock cmd;
    reservation r;
    memset(&cmd, 0, sizeof cmd);
    cmd.order_id = b->order_id;
    cmd.line_count = 1;
    sku_parse(&cmd.lines[0].sku, "LAST-1");
    cmd.lines[0].quantity = 1;
    b->rc = inventory_service_reserve(&r, &svc, &cmd);
    snprintf(b->message, sizeof b->message, "%s", shop_error_message());
    return NULL;
}

/* Both buyers at once; returns when both are done. */
static void race(struct buyer buyers[2])
{
    pthread_t threads[2];
    for (int i = 0; i < 2; i++)
        cr_assert_eq(pthread_create(&threads[i], NULL, buy_last_unit, &buyers[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(threads[i], NULL);
}

static const char *value(const char *sql)
{
    static char text[128];
    PGresult *res = PQexec(db, sql);
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQerrorMessage(db));
    snprintf(text, sizeof text, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return text;
}

static void one_unit_in_stock(void)
{
    test_db_exec(db, "INSERT INTO inventory.stock_items (sku, on_hand, reserved, version) "
                     "VALUES ('LAST-1', 1, 0, 1)");
}

Test(reserving_the_last_unit, succeeds_once_and_the_other_ends_out_of_stock_after_its_retry)
{
    pthread_barrier_t barrier;
    struct buyer buyers[2];
    one_unit_in_stock();
    pthread_barrier_init(&barrier, NULL, 2);
    buyer_open(&buyers[0], &barrier, "0190a6f4-8d1e-7c3a-9b2f-000000000001", 0);
    buyer_open(&buyers[1], &barrier, "0190a6f4-8d1e-7c3a-9b2f-000000000002", 0);

    race(buyers);

    cr_expect_eq(buyers[0].stock.first_version, 1, "buyer 1 decided on version 1");
    cr_expect_eq(buyers[1].stock.first_version, 1, "buyer 2 decided on version 1");
    int winners = (buyers[0].rc == 0) + (buyers[1].rc == 0);
    cr_expect_eq(winners, 1, "exactly one reservation: rc %s (%s) and %s (%s)",
                 shop_error_name(buyers[0].rc), buyers[0].message, shop_error_name(buyers[1].rc),
                 buyers[1].message);
    struct buyer *loser = buyers[0].rc == 0 ? &buyers[1] : &buyers[0];
    struct buyer *winner = buyers[0].rc == 0 ? &buyers[0] : &buyers[1];
    cr_expect_eq(loser->rc, SHOP_EREFUSED, "the other is refused, not failed: %s",
                 shop_error_name(loser->rc));
    cr_expect_str_eq(loser->message, "out of stock: SKU LAST-1");
    cr_expect_eq(loser->stock.conflicts, 1, "the loser's stale save was caught once");
    cr_expect_eq(winner->stock.conflicts, 0);

    cr_expect_str_eq(value("SELECT on_hand || '/' || reserved || '/v' || version "
                           "FROM inventory.stock_items WHERE sku = 'LAST-1'"),
                     "1/1/v2", "one unit on hand, reserved once, saved once");
    cr_expect_str_eq(value("SELECT count(*) FROM inventory.reservations"), "1");
    cr_expect_str_eq(value("SELECT count(*) FROM inventory.stock_items "
                           "WHERE on_hand - reserved < 0"),
                     "0");
    for (int i = 0; i < 2; i++)
        buyer_close(&buyers[i]);
    pthread_barrier_destroy(&barrier);
}

Test(reserving_the_last_unit, without_a_retry_the_loser_is_told_of_the_conflict_and_saves_nothing)
{
    pthread_barrier_t barrier;
    struct buyer buyers[2];
    one_unit_in_stock();
    pthread_barrier_init(&barrier, NULL, 2);
    buyer_open(&buyers[0], &barrier, "0190a6f4-8d1e-7c3a-9b2f-000000000001", 1);
    buyer_open(&buyers[1], &barrier, "0190a6f4-8d1e-7c3a-9b2f-000000000002", 1);

    race(buyers);

    int winners = (buyers[0].rc == 0) + (buyers[1].rc == 0);
    cr_expect_eq(winners, 1);
    struct buyer *loser = buyers[0].rc == 0 ? &buyers[1] : &buyers[0];
    cr_expect_eq(loser->rc, SHOP_ECONFLICT, "got %s: %s", shop_error_name(loser->rc),
                 loser->message);
    cr_expect(strstr(loser->message, "changed by another writer on each of 1 attempts"), "%s",
              loser->message);
    cr_expect_str_eq(value("SELECT on_hand || '/' || reserved FROM inventory.stock_items"), "1/1",
                     "the lost race left no half-written reservation");
    cr_expect_str_eq(value("SELECT count(*) FROM inventory.reservations"), "1");
    for (int i = 0; i < 2; i++)
        buyer_close(&buyers[i]);
    pthread_barrier_destroy(&barrier);
}

/* ---- the tables' own guards ---- */

Test(the_inventory_tables, refuse_more_reserved_than_on_hand_whoever_writes)
{
    one_unit_in_stock();
    test_db_exec(db, "SET ROLE shop_inventory");
    cr_expect_str_eq(test_db_exec_fails(db, "UPDATE inventory.stock_items SET reserved = 2"),
                     "23514");
    cr_expect_str_eq(test_db_exec_fails(db, "UPDATE inventory.stock_items SET reserved = -1"),
                     "23514");
    cr_expect_str_eq(test_db_exec_fails(db, "INSERT INTO inventory.reservations "
                                            "(order_id, status, lines, version) VALUES "
                                            "(gen_random_uuid(), 'rejected', '[{}]', 1)"),
                     "23514");
}

Test(the_inventory_tables, are_inventorys_alone_and_never_deleted_from)
{
    one_unit_in_stock();
    test_db_exec(db, "SET ROLE shop_inventory");
    cr_expect_str_eq(test_db_exec_fails(db, "DELETE FROM inventory.stock_items"), "42501");
    cr_expect_str_eq(test_db_exec_fails(db, "SELECT * FROM ordering.events"), "42501");
    test_db_exec(db, "RESET ROLE");
    test_db_exec(db, "SET ROLE shop_ordering");
    cr_expect_str_eq(test_db_exec_fails(db, "SELECT * FROM inventory.stock_items"), "42501");
}
