/*
 * infrastructure/memory/payment_gateway_memory.h — the in-memory twin of the payment
 * gateway port: the simulator's own book of charges (infrastructure/simulators/
 * gateway_ledger.c) called directly, without HTTP, so it keeps the same rules by
 * construction.  tests/contract/payment_gateway_contract.c holds it and the HTTP adapter to
 * the same promises.  For tests of the command handlers it can also play a gateway that
 * does not answer.
 * Read next: application/payments/payment_gateway.h
 */
#ifndef SHOP_INFRASTRUCTURE_MEMORY_PAYMENT_GATEWAY_MEMORY_H
#define SHOP_INFRASTRUCTURE_MEMORY_PAYMENT_GATEWAY_MEMORY_H

#include "application/payments/payment_gateway.h"

/* Free it with payment_gateway_free. */
int payment_gateway_memory_new(struct payment_gateway **out);

/* The next n calls fail with SHOP_EUNAVAILABLE and change nothing (a gateway that is down). */
void payment_gateway_memory_fail_next(struct payment_gateway *g, int n);

/* How many calls reached the twin (answered or failed), and how many charges it approved. */
unsigned long payment_gateway_memory_calls(const struct payment_gateway *g);
unsigned long payment_gateway_memory_charges(const struct payment_gateway *g);

#endif
