/*
 * tests/contract/inventory_store_pg_fixture.c — runs the Inventory contract against the
 * PostgreSQL adapters, each test in a fresh, migrated database, connected as the
 * context's own role (shop_inventory), as the service runs.
 */
#include "infrastructure/inventory/inventory_pg.h"
#include "tests/contract/inventory_store_contract.h"
#include "tests/support/test_db.h"

#include "domain/shared/error.h"

#include <criterion/criterion.h>

static char db_name[TEST_DB_NAME_MAX];
static PGconn *admin;
static PGconn *conn;

void contract_inventory_open(struct inventory_ports *out)
{
    admin = test_db_create(db_name);
    test_db_migrate(admin);
    conn = test_db_connect(db_name, NULL);
    test_db_exec(conn, "SET ROLE shop_inventory");
    cr_assert_eq(stock_repository_pg_new(&out->stock, conn), 0);
    cr_assert_eq(reservation_repository_pg_new(&out->reservations, conn), 0);
    cr_assert_eq(unit_of_work_pg_new(&out->uow, conn), 0);
}

void contract_inventory_close(struct inventory_ports *ports)
{
    stock_repository_free(ports->stock);
    reservation_repository_free(ports->reservations);
    unit_of_work_free(ports->uow);
    PQfinish(conn);
    conn = NULL;
    test_db_drop(admin, db_name);
    admin = NULL;
}
