/*
 * tests/contract/product_repository_contract.h — what each adapter's fixture supplies to
 * the product-repository contract suite (tests/contract/product_repository_contract.c).
 */
#ifndef SHOP_TESTS_CONTRACT_PRODUCT_REPOSITORY_CONTRACT_H
#define SHOP_TESTS_CONTRACT_PRODUCT_REPOSITORY_CONTRACT_H

#include "application/catalog/product_repository.h"

/* A new, empty repository (each test gets its own). */
struct product_repository *contract_products_new(void);
/*
 * A second writer on the same products: PostgreSQL, a repository on a connection of its
 * own; in memory, the same repository.  Freed by contract_products_free.
 */
struct product_repository *contract_products_other_writer(void);
void contract_products_free(struct product_repository *repository);

#endif
