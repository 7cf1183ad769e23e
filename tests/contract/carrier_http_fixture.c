/*
 * tests/contract/carrier_http_fixture.c — the carrier contract on the HTTP adapter
 * talking to the real simulator (`shop serve carrier`, started in this process on a port
 * the kernel chooses).  Going down is stopping the simulator: the port then refuses.
 * Before stopping it, one request makes sure its loop runs: serve_stop asks a running
 * loop to break, and a loop that has not started yet would not see it.
 */
#include "domain/shared/error.h"
#include "infrastructure/shipping/carrier_http.h"
#include "tests/contract/carrier_contract.h"
#include "tests/support/test_service.h"

#include <criterion/criterion.h>

static struct test_service simulator;

struct carrier_port *contract_carrier_new(void)
{
    struct carrier_port *c;
    test_service_start(&simulator, "carrier", NULL, NULL);
    cr_assert_eq(carrier_http_new(&c, simulator.url, 2000), 0, "%s", shop_error_message());
    return c;
}

void contract_carrier_free(struct carrier_port *carrier)
{
    carrier_free(carrier);
    test_service_stop(&simulator);
}

void contract_carrier_go_down(void)
{
    struct test_reply r;
    test_http(&r, simulator.url, "GET", "/health", NULL);
    test_reply_dispose(&r);
    test_service_stop(&simulator);
}
