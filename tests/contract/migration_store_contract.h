/*
 * tests/contract/migration_store_contract.h — what a contract-suite fixture provides.
 *
 * Pattern: contract tests for a port.  The suite (migration_store_contract.c) is
 * compiled once per adapter, linked with that adapter's fixture, so every adapter of
 * the migration_store port keeps exactly the same promises.
 */
#ifndef SHOP_TESTS_CONTRACT_MIGRATION_STORE_CONTRACT_H
#define SHOP_TESTS_CONTRACT_MIGRATION_STORE_CONTRACT_H

#include "application/operations/migration.h"

/* A new, empty store of the adapter under test; released by contract_store_free. */
struct migration_store *contract_store_new(void);
void contract_store_free(struct migration_store *store);

#endif
