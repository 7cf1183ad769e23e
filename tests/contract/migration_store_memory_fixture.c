/*
 * tests/contract/migration_store_memory_fixture.c — runs the migration-store contract
 * against the in-memory adapter.
 */
#include "infrastructure/memory/migration_store_memory.h"
#include "tests/contract/migration_store_contract.h"

struct migration_store *contract_store_new(void)
{
    struct migration_store *s;
    migration_store_memory_new(&s);
    return s;
}

void contract_store_free(struct migration_store *store)
{
    migration_store_free(store);
}
