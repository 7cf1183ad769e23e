/*
 * infrastructure/memory/carrier_memory.h — the carrier in memory: an in-memory twin of
 * the carrier port (application/shipping/carrier.h) for tests.
 *
 * It keeps the carrier's promises (docs/contracts/carrier.md) without HTTP: postcode
 * 00000 is undeliverable; a call repeated under its key gets the first answer and books
 * nothing; a key used for another call is SHOP_ECONFLICT; cancelling is idempotent.  The
 * test can make it unavailable, and count its bookings.  tests/contract/carrier_contract.c
 * holds it and the HTTP adapter on the real simulator to the same suite.
 * Read next: infrastructure/shipping/carrier_http.c
 */
#ifndef SHOP_INFRASTRUCTURE_MEMORY_CARRIER_MEMORY_H
#define SHOP_INFRASTRUCTURE_MEMORY_CARRIER_MEMORY_H

#include "application/shipping/carrier.h"

#include <stdbool.h>
#include <stddef.h>

int carrier_memory_new(struct carrier_port **out);

/* While down, every call is SHOP_EUNAVAILABLE and changes nothing. */
void carrier_memory_set_unavailable(struct carrier_port *carrier, bool down);

/* Bookings made so far (a replay is not a booking); and those cancelled. */
size_t carrier_memory_bookings(const struct carrier_port *carrier);
size_t carrier_memory_cancellations(const struct carrier_port *carrier);

#endif
