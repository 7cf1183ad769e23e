/*
 * tests/contract/migration_store_pg_fixture.c — runs the migration-store contract
 * against the PostgreSQL adapter, each test in a fresh database.
 */
#include "infrastructure/postgres/migration_store_pg.h"
#include "tests/contract/migration_store_contract.h"
#include "tests/support/test_db.h"

static char db_name[TEST_DB_NAME_MAX];
static PGconn *db;

struct migration_store *contract_store_new(void)
{
    struct migration_store *s;
    db = test_db_create(db_name);
    migration_store_pg_new(&s, db);
    return s;
}

void contract_store_free(struct migration_store *store)
{
    migration_store_free(store);
    test_db_drop(db, db_name);
    db = NULL;
}
