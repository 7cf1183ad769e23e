/*
 * application/shipping/shipping_service.h — Shipping's command handlers (application
 * service), on ports only: the shipment store, the carrier, the clock, the id generator.
 *
 * Each handler is the loop of application/ordering/order_service.c with one step more:
 *   load the shipment -> ask the carrier if the decision needs it (book / cancel, under
 *   an idempotency key) -> decide with the carrier's answer in the command -> append at
 *   the loaded version -> on SHOP_ECONFLICT start again, at most max_attempts times.
 * Read next: application/shipping/shipping_service.c, tests/unit/shipping_service_test.c
 */
#ifndef SHOP_APPLICATION_SHIPPING_SHIPPING_SERVICE_H
#define SHOP_APPLICATION_SHIPPING_SHIPPING_SERVICE_H

#include "application/shared/clock.h"
#include "application/shared/id_generator.h"
#include "application/shared/message_meta.h"
#include "application/shipping/carrier.h"
#include "application/shipping/shipment_store.h"
#include "domain/shipping/shipment.h"

#define SHIPPING_SERVICE_MAX_ATTEMPTS 5

/* The ports the handlers use; borrowed, not owned. */
struct shipping_service {
    struct shipment_store *shipments;
    struct carrier_port *carrier;
    struct shop_clock *clock;
    struct id_generator *ids;
    int max_attempts; /* 0 means SHIPPING_SERVICE_MAX_ATTEMPTS */
};

struct schedule_shipment_request {
    shipment_id id; /* the order to ship */
    ship_to ship_to;
    postcode postcode;
};

/*
 * Schedules the shipment of an order: the carrier books it.  0 with *out scheduled (also
 * when it was scheduled to this address before: the first booking stands).  When the
 * carrier does not deliver there, the rejection is recorded and the result is
 * SHOP_EREFUSED "... undeliverable ..." with *out the rejected shipment.  Otherwise as
 * the domain (SHOP_EREFUSED cancelled or scheduled elsewhere) and the carrier port
 * (SHOP_EUNAVAILABLE: nothing was recorded, the call may be repeated).
 */
int shipping_service_schedule(shipment *out, struct shipping_service *svc,
                              const struct schedule_shipment_request *req,
                              const struct message_meta *meta);

/* Cancels a scheduled shipment with the carrier (no-op if cancelled already); *out after. */
int shipping_service_cancel(shipment *out, struct shipping_service *svc, const shipment_id *id,
                            const struct message_meta *meta);

/* The shipment of an order; SHOP_ENOTFOUND if it was never scheduled. */
int shipping_service_get(shipment *out, struct shipping_service *svc, const shipment_id *id);

#endif
