/*
 * tests/contract/payment_gateway_contract.h — what each adapter's fixture supplies to the
 * payment-gateway contract suite (tests/contract/payment_gateway_contract.c).
 */
#ifndef SHOP_TESTS_CONTRACT_PAYMENT_GATEWAY_CONTRACT_H
#define SHOP_TESTS_CONTRACT_PAYMENT_GATEWAY_CONTRACT_H

#include "application/payments/payment_gateway.h"

/* A gateway with no charges yet (each test gets its own). */
struct payment_gateway *contract_gateway_new(void);
void contract_gateway_free(struct payment_gateway *g);

#endif
