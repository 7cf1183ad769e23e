/*
 * tests/contract/product_repository_memory_fixture.c — runs the product-repository
 * contract against the in-memory adapter.  Its "other writer" is the same repository:
 * in one process, there is only one copy of the rows to race on.
 */
#include "infrastructure/memory/product_repository_memory.h"
#include "tests/contract/product_repository_contract.h"

#include <criterion/criterion.h>

static struct product_repository *current;

struct product_repository *contract_products_new(void)
{
    cr_assert_eq(product_repository_memory_new(&current), 0);
    return current;
}

struct product_repository *contract_products_other_writer(void)
{
    return current;
}

void contract_products_free(struct product_repository *repository)
{
    product_repository_free(repository);
    current = NULL;
}
