/*
 * tests/contract/product_repository_pg_fixture.c — runs the product-repository contract
 * against the PostgreSQL adapter, each test in a fresh, migrated database, connected as
 * the Catalog context's role (SET ROLE shop_catalog, as the service does), so the suite
 * also proves that the role's grants are enough.  The other writer has a connection of
 * its own.
 */
#include "infrastructure/catalog/product_repository_pg.h"
#include "tests/contract/product_repository_contract.h"
#include "tests/support/test_db.h"

#include "domain/shared/error.h"

#include <criterion/criterion.h>

static char db_name[TEST_DB_NAME_MAX];
static PGconn *db, *other_conn;
static struct product_repository *other;

static struct product_repository *open_as_catalog(PGconn *conn)
{
    struct product_repository *r;
    test_db_exec(conn, "SET ROLE shop_catalog");
    cr_assert_eq(product_repository_pg_new(&r, conn), 0, "%s", shop_error_message());
    return r;
}

struct product_repository *contract_products_new(void)
{
    db = test_db_create(db_name);
    test_db_migrate(db);
    return open_as_catalog(db);
}

struct product_repository *contract_products_other_writer(void)
{
    if (!other) {
        other_conn = test_db_connect(db_name, NULL);
        other = open_as_catalog(other_conn);
    }
    return other;
}

void contract_products_free(struct product_repository *repository)
{
    product_repository_free(repository);
    product_repository_free(other);
    other = NULL;
    if (other_conn)
        PQfinish(other_conn);
    other_conn = NULL;
    test_db_drop(db, db_name);
    db = NULL;
}
