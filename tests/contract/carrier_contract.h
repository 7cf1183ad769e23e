/*
 * tests/contract/carrier_contract.h — what each adapter's fixture supplies to the carrier
 * contract suite (tests/contract/carrier_contract.c).
 */
#ifndef SHOP_TESTS_CONTRACT_CARRIER_CONTRACT_H
#define SHOP_TESTS_CONTRACT_CARRIER_CONTRACT_H

#include "application/shipping/carrier.h"

/* A carrier with no bookings (each test gets its own). */
struct carrier_port *contract_carrier_new(void);
void contract_carrier_free(struct carrier_port *carrier);

/* Makes the carrier stop answering, for the rest of the test. */
void contract_carrier_go_down(void);

#endif
