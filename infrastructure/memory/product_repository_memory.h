/*
 * infrastructure/memory/product_repository_memory.h — Catalog's products held in memory.
 *
 * Pattern: the in-memory twin of an adapter (hexagonal architecture).  It keeps the same
 * promises as the PostgreSQL repository — versions, conflicts, SKU order, one outbox
 * message per saved event and none for a save that lost — because it runs the same
 * contract suite (tests/contract/product_repository_contract.c), so tests of the command
 * handlers can use it in place of a database.  Its outbox is a list in memory that tests
 * read with product_repository_memory_outbox.
 * Read next: infrastructure/catalog/product_repository_pg.c, the real one.
 */
#ifndef SHOP_INFRASTRUCTURE_MEMORY_PRODUCT_REPOSITORY_MEMORY_H
#define SHOP_INFRASTRUCTURE_MEMORY_PRODUCT_REPOSITORY_MEMORY_H

#include "application/catalog/product_repository.h"
#include "application/messaging/message.h"

#include <stddef.h>

/* An empty catalogue.  Free it with product_repository_free. */
int product_repository_memory_new(struct product_repository **out);

/* The outbox in the order written: *out borrowed (valid until the next save or the
 * free), *count its length.  repository must come from product_repository_memory_new. */
void product_repository_memory_outbox(struct product_repository *repository,
                                      const struct outgoing_message **out, size_t *count);

#endif
