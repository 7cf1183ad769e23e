/*
 * tests/contract/carrier_memory_fixture.c — the carrier contract on the in-memory twin.
 */
#include "infrastructure/memory/carrier_memory.h"
#include "tests/contract/carrier_contract.h"

#include <criterion/criterion.h>

static struct carrier_port *current;

struct carrier_port *contract_carrier_new(void)
{
    cr_assert_eq(carrier_memory_new(&current), 0);
    return current;
}

void contract_carrier_free(struct carrier_port *carrier)
{
    carrier_free(carrier);
    current = NULL;
}

void contract_carrier_go_down(void)
{
    carrier_memory_set_unavailable(current, true);
}
