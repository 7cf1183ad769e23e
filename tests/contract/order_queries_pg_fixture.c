/*
 * tests/contract/order_queries_pg_fixture.c — the order-queries contract on PostgreSQL:
 * a fresh migrated database per test, used as the Ordering service uses it, as the role
 * shop_ordering (so the grants are part of what is tested).
 */
#include "domain/shared/error.h"
#include "infrastructure/ordering/order_queries_pg.h"
#include "infrastructure/postgres/event_store_pg.h"
#include "tests/contract/order_queries_contract.h"
#include "tests/support/test_db.h"

#include <criterion/criterion.h>

static char db_name[TEST_DB_NAME_MAX];
static PGconn *db;

void contract_oq_open(struct event_store **out_events, struct order_queries **out_queries)
{
    db = test_db_create(db_name);
    test_db_migrate(db);
    test_db_exec(db, "SET ROLE shop_ordering");
    cr_assert_eq(event_store_pg_new(out_events, db, "ordering"), 0, "%s", shop_error_message());
    cr_assert_eq(order_queries_pg_new(out_queries, db), 0, "%s", shop_error_message());
}

void contract_oq_close(struct event_store *events, struct order_queries *queries)
{
    order_queries_free(queries);
    es_free(events);
    test_db_exec(db, "RESET ROLE");
    test_db_drop(db, db_name);
    db = NULL;
}
