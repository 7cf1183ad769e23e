/*
 * tests/contract/inventory_store_contract.h — what each adapter's fixture supplies to the
 * Inventory contract suite (tests/contract/inventory_store_contract.c): the three ports
 * over one new, empty store.
 */
#ifndef SHOP_TESTS_CONTRACT_INVENTORY_STORE_CONTRACT_H
#define SHOP_TESTS_CONTRACT_INVENTORY_STORE_CONTRACT_H

#include "application/inventory/reservation_repository.h"
#include "application/inventory/stock_repository.h"
#include "application/inventory/unit_of_work.h"

struct inventory_ports {
    struct stock_repository *stock;
    struct reservation_repository *reservations;
    struct unit_of_work *uow;
};

void contract_inventory_open(struct inventory_ports *out);
void contract_inventory_close(struct inventory_ports *ports);

#endif
