/*
 * tests/contract/product_repository_memory_fixture.c — runs the product-repository
 * contract against the in-memory adapter.  Its "other writer" is the same repository:
 * in one process, there is only one copy of the rows to race on.  Its outbox is the
 * twin's list in memory.
 */
#include "infrastructure/memory/product_repository_memory.h"
#include "tests/contract/product_repository_contract.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

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

void contract_products_outbox(struct outgoing_message **out, size_t *count)
{
    const struct outgoing_message *box;
    product_repository_memory_outbox(current, &box, count);
    *out = calloc(*count ? *count : 1, sizeof **out);
    cr_assert(*out);
    for (size_t i = 0; i < *count; i++) {
        (*out)[i] = box[i];
        (*out)[i].payload = strdup(box[i].payload);
    }
}

void contract_outbox_free(struct outgoing_message *messages, size_t count)
{
    for (size_t i = 0; i < count; i++)
        outgoing_message_dispose(&messages[i]);
    free(messages);
}
