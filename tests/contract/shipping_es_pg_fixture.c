/*
 * tests/contract/shipping_es_pg_fixture.c — Shipping's contract tests on PostgreSQL: a
 * fresh migrated database per test, the connection taking the context's role
 * (SET ROLE shop_shipping) as the service does, and the "shipping" schema's event store.
 */
#include "domain/shared/error.h"
#include "infrastructure/postgres/event_store_pg.h"
#include "tests/contract/shipping_es_fixture.h"
#include "tests/support/test_db.h"

#include <criterion/criterion.h>

static char db_name[TEST_DB_NAME_MAX];
static PGconn *db;

struct event_store *shipping_es_new(void)
{
    struct event_store *s;
    db = test_db_create(db_name);
    test_db_migrate(db);
    test_db_exec(db, "SET ROLE shop_shipping");
    cr_assert_eq(event_store_pg_new(&s, db, "shipping"), 0, "%s", shop_error_message());
    return s;
}

void shipping_es_free(struct event_store *store)
{
    es_free(store);
    test_db_drop(db, db_name);
    db = NULL;
}
