/*
 * tests/contract/inventory_store_memory_fixture.c — runs the Inventory contract against
 * the in-memory twins.
 */
#include "infrastructure/memory/inventory_memory.h"
#include "tests/contract/inventory_store_contract.h"

#include <criterion/criterion.h>

static struct inventory_memory *store;

void contract_inventory_open(struct inventory_ports *out)
{
    cr_assert_eq(inventory_memory_new(&store), 0);
    out->stock = inventory_memory_stock(store);
    out->reservations = inventory_memory_reservations(store);
    out->uow = inventory_memory_unit_of_work(store);
}

void contract_inventory_close(struct inventory_ports *ports)
{
    stock_repository_free(ports->stock);
    reservation_repository_free(ports->reservations);
    unit_of_work_free(ports->uow);
    inventory_memory_free(store);
    store = NULL;
}
