/*
 * application/shipping/carrier.h — the port through which Shipping talks to the parcel
 * carrier, an external system (docs/contracts/carrier.md).
 *
 * Pattern: a driven port with an idempotency key.  Every call names its key; the carrier
 * answers a call repeated under the same key with its first answer and books nothing
 * twice, so the command handler may retry a call whose answer it never got (a timeout)
 * without booking two parcels.  An undeliverable address is an answer, not an error:
 * book() returns 0 with out->verdict CARRIER_UNDELIVERABLE.
 *
 * Adapters: infrastructure/shipping/carrier_http.c (the carrier over HTTP, with a
 * timeout) and infrastructure/memory/carrier_memory.c (an in-memory twin for tests).
 * tests/contract/carrier_contract.c holds both to the same promises.
 * Read next: application/shipping/shipping_service.h
 */
#ifndef SHOP_APPLICATION_SHIPPING_CARRIER_H
#define SHOP_APPLICATION_SHIPPING_CARRIER_H

#include "domain/shared/address.h"
#include "domain/shipping/shipment.h"

#define CARRIER_PORT_VERSION 1
#define CARRIER_KEY_MAX      200 /* bytes of an idempotency key, printable ASCII */

struct carrier_booking_request {
    const char *reference; /* the order id, as text */
    const ship_to *ship_to;
    const postcode *postcode;
};

struct carrier_booking {
    enum carrier_verdict verdict;             /* CARRIER_BOOKED or CARRIER_UNDELIVERABLE */
    char id[SHIPMENT_CARRIER_ID_MAX + 1];     /* when booked */
    char tracking[SHIPMENT_TRACKING_MAX + 1]; /* when booked */
};

struct carrier_port {
    unsigned version; /* CARRIER_PORT_VERSION */

    /*
     * Books a shipment under key.  0 with *out filled (booked or undeliverable), or
     * SHOP_EUNAVAILABLE (no answer: down, timed out, failing), SHOP_ECONFLICT (the key
     * was used for another request), SHOP_EINVALID (the carrier refused the request's
     * shape), SHOP_EINTERNAL (an answer this adapter cannot read).
     */
    int (*book)(struct carrier_port *self, struct carrier_booking *out, const char *key,
                const struct carrier_booking_request *req);

    /*
     * Cancels booking carrier_id under key; 0 also when it was cancelled already.
     * SHOP_ENOTFOUND if the carrier has no such booking, else as book().
     */
    int (*cancel)(struct carrier_port *self, const char *key, const char *carrier_id);

    void (*free)(struct carrier_port *self);
};

static inline int carrier_book(struct carrier_port *c, struct carrier_booking *out, const char *key,
                               const struct carrier_booking_request *req)
{
    return c->book(c, out, key, req);
}

static inline int carrier_cancel(struct carrier_port *c, const char *key, const char *carrier_id)
{
    return c->cancel(c, key, carrier_id);
}

static inline void carrier_free(struct carrier_port *c)
{
    if (c)
        c->free(c);
}

#endif
