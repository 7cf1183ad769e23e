/*
 * tests/contract/product_repository_contract.h — what each adapter's fixture supplies to
 * the product-repository contract suite (tests/contract/product_repository_contract.c).
 */
#ifndef SHOP_TESTS_CONTRACT_PRODUCT_REPOSITORY_CONTRACT_H
#define SHOP_TESTS_CONTRACT_PRODUCT_REPOSITORY_CONTRACT_H

#include "application/catalog/product_repository.h"
#include "application/messaging/message.h"

#include <stddef.h>

/* A new, empty repository (each test gets its own). */
struct product_repository *contract_products_new(void);
/*
 * A second writer on the same products: PostgreSQL, a repository on a connection of its
 * own; in memory, the same repository.  Freed by contract_products_free.
 */
struct product_repository *contract_products_other_writer(void);
void contract_products_free(struct product_repository *repository);
/*
 * The outbox as the adapter wrote it, oldest first: *out an array of *count messages
 * the caller frees with contract_outbox_free.
 */
void contract_products_outbox(struct outgoing_message **out, size_t *count);
void contract_outbox_free(struct outgoing_message *messages, size_t count);

#endif
