/*
 * tests/contract/payment_gateway_memory_fixture.c — runs the payment-gateway contract
 * against the in-memory twin.
 */
#include "infrastructure/memory/payment_gateway_memory.h"
#include "tests/contract/payment_gateway_contract.h"

#include <criterion/criterion.h>

struct payment_gateway *contract_gateway_new(void)
{
    struct payment_gateway *g;
    cr_assert_eq(payment_gateway_memory_new(&g), 0);
    return g;
}

void contract_gateway_free(struct payment_gateway *g)
{
    payment_gateway_free(g);
}
