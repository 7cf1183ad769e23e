/*
 * tests/contract/payment_gateway_http_fixture.c — runs the payment-gateway contract
 * against the HTTP adapter talking to the real simulator (`shop serve payment-gateway`,
 * started in this process on a port the kernel chooses, over real TCP).
 */
#include "infrastructure/payments/payment_gateway_http.h"
#include "tests/contract/payment_gateway_contract.h"
#include "tests/support/test_service.h"

#include "domain/shared/error.h"

#include <criterion/criterion.h>

static struct test_service simulator;

struct payment_gateway *contract_gateway_new(void)
{
    struct payment_gateway *g;
    test_service_start(&simulator, "payment-gateway", NULL, NULL);
    cr_assert_eq(payment_gateway_http_new(&g, simulator.url, 2000), 0, "%s", shop_error_message());
    return g;
}

void contract_gateway_free(struct payment_gateway *g)
{
    payment_gateway_free(g);
    test_service_stop(&simulator);
}
