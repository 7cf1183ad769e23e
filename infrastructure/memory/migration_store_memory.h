/*
 * infrastructure/memory/migration_store_memory.h — the in-memory adapter of the
 * migration-store port: it records migrations without running them, for fast tests of
 * the application service.  It keeps the same promises as the PostgreSQL adapter; the
 * contract suite (tests/contract/migration_store_contract.c) checks both.
 * Read next: migration_store_memory.c
 */
#ifndef SHOP_INFRASTRUCTURE_MEMORY_MIGRATION_STORE_MEMORY_H
#define SHOP_INFRASTRUCTURE_MEMORY_MIGRATION_STORE_MEMORY_H

#include "application/operations/migration.h"

int migration_store_memory_new(struct migration_store **out);

/*
 * Makes the next apply of `version` fail as a broken script would (SHOP_EREFUSED,
 * nothing recorded), so tests can take the failure path without a database.
 */
void migration_store_memory_fail_on(struct migration_store *store, int version);

#endif
