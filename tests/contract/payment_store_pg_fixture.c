/*
 * tests/contract/payment_store_pg_fixture.c — the payment-store contract on the
 * PostgreSQL event store, in a fresh, migrated database, as the Payments role
 * (SET ROLE shop_payments): the grants of migration 0005 are part of what is tested.
 */
#include "infrastructure/postgres/event_store_pg.h"
#include "tests/contract/payment_store_contract.h"
#include "tests/support/test_db.h"

#include "domain/shared/error.h"

#include <criterion/criterion.h>

static char db_name[TEST_DB_NAME_MAX];
static PGconn *db;

struct event_store *contract_payment_events_new(void)
{
    struct event_store *s;
    db = test_db_create(db_name);
    test_db_migrate(db);
    test_db_exec(db, "SET ROLE shop_payments");
    cr_assert_eq(event_store_pg_new(&s, db, "payments"), 0, "%s", shop_error_message());
    return s;
}

void contract_payment_events_free(struct event_store *store)
{
    es_free(store);
    test_db_exec(db, "RESET ROLE");
    test_db_drop(db, db_name);
    db = NULL;
}
