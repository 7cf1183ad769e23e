/*
 * domain/shipping/shipment.h — the Shipment aggregate of the Shipping context (DDD
 * aggregate, event-sourced, written as a decider like domain/ordering/order.h).
 *
 * A shipment takes one order to its ship-to address through the carrier.  It is named by
 * the order it ships (one order, one shipment): its stream is "shipment-<order id>", so
 * scheduling the same order twice finds the shipment already there.
 *
 *   decide  (state, command) -> events | refusal    shipment_decide_schedule/cancel
 *   evolve  (state, event)   -> state               shipment_evolve
 *
 * The carrier is outside the domain.  Its answer comes in with the command as plain data
 * (booked with an id and a tracking number, or undeliverable): the command handler asks
 * shipment_schedule_needs_carrier / shipment_cancel_needs_carrier whether the decision
 * depends on the carrier, asks it through its port if so, and then decides.  The decider
 * stays pure: no I/O, no clock, no heap.
 *
 * Rules (docs/architecture.md §2):
 *   - ship-to and postcode follow domain/shared/address.h;
 *   - scheduling asks the carrier to book; an undeliverable address is recorded as
 *     ShipmentRejected (reason "undeliverable");
 *   - scheduling a scheduled shipment again to the same address changes nothing; to
 *     another address it is refused (a booked shipment's address does not change);
 *   - a rejected shipment stays rejected for the same address; another address is a new
 *     attempt with the carrier;
 *   - a cancelled shipment cannot be rescheduled;
 *   - cancelling asks the carrier to cancel the booking; cancelling twice changes nothing;
 *     a rejected shipment has no booking to cancel (refused), one never scheduled is not
 *     found.
 * Read next: domain/shipping/shipment.c, tests/unit/shipment_test.c,
 * application/shipping/shipping_service.c.
 */
#ifndef SHOP_DOMAIN_SHIPPING_SHIPMENT_H
#define SHOP_DOMAIN_SHIPPING_SHIPMENT_H

#include "domain/shared/address.h"
#include "domain/shared/uuid.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The carrier's id of a booking ("shp_0123abcd...") and its tracking number ("TRK...").
 * Printable ASCII, 1..max bytes. */
#define SHIPMENT_CARRIER_ID_MAX 64
#define SHIPMENT_TRACKING_MAX   64
#define SHIPMENT_REASON_MAX     64

/* A shipment is named by the order it ships. */
typedef struct shipment_id {
    shop_uuid order_id;
} shipment_id;

/* "shipment-<order uuid>": the event stream of one shipment. */
#define SHIPMENT_STREAM_ID_SIZE (9 + UUID_STRING_SIZE)
const char *shipment_stream_id(char out[SHIPMENT_STREAM_ID_SIZE], shipment_id id);
/* From text: the order's UUID.  SHOP_EINVALID names the rule. */
int shipment_id_parse(shipment_id *out, const char *text);

enum shipment_status {
    SHIPMENT_STATUS_NONE = 0, /* nothing has happened yet */
    SHIPMENT_STATUS_SCHEDULED,
    SHIPMENT_STATUS_REJECTED,
    SHIPMENT_STATUS_CANCELLED,
};

/* "scheduled", "rejected", "cancelled" ("none" for SHIPMENT_STATUS_NONE). */
const char *shipment_status_name(enum shipment_status s);

typedef struct shipment {
    shipment_id id;
    enum shipment_status status;
    ship_to ship_to;
    postcode postcode;
    char carrier_id[SHIPMENT_CARRIER_ID_MAX + 1]; /* "" unless it was ever booked */
    char tracking[SHIPMENT_TRACKING_MAX + 1];
    char reason[SHIPMENT_REASON_MAX + 1]; /* "undeliverable" when rejected, "" otherwise */
    int64_t scheduled_at_us;              /* when scheduled or rejected */
    int64_t cancelled_at_us;              /* 0 unless cancelled */
} shipment;

void shipment_init(shipment *out);

/* ---- commands ---- */

/* What the carrier said to a booking: the command handler fills this in. */
enum carrier_verdict {
    CARRIER_NOT_ASKED = 0,
    CARRIER_BOOKED,
    CARRIER_UNDELIVERABLE,
};

typedef struct schedule_shipment {
    shipment_id id;
    ship_to ship_to;
    postcode postcode;
    enum carrier_verdict carrier;
    char carrier_id[SHIPMENT_CARRIER_ID_MAX + 1]; /* when CARRIER_BOOKED */
    char tracking[SHIPMENT_TRACKING_MAX + 1];     /* when CARRIER_BOOKED */
    int64_t at_us;
} schedule_shipment;

typedef struct cancel_shipment {
    shipment_id id;
    bool carrier_cancelled; /* the carrier confirmed the cancellation of the booking */
    int64_t at_us;
} cancel_shipment;

/* ---- events ---- */

enum shipment_event_type {
    SHIPMENT_SCHEDULED = 1,
    SHIPMENT_REJECTED,
    SHIPMENT_CANCELLED,
};

/* "ShipmentScheduled", "ShipmentRejected", "ShipmentCancelled". */
const char *shipment_event_type_name(enum shipment_event_type t);
/* The reverse; 0 for a name that is not a Shipping event. */
enum shipment_event_type shipment_event_type_from_name(const char *name);

typedef struct shipment_event {
    enum shipment_event_type type;
    shipment_id id;
    int64_t at_us;
    /* ShipmentScheduled and ShipmentRejected: where to */
    ship_to ship_to;
    postcode postcode;
    /* ShipmentScheduled: the carrier's booking */
    char carrier_id[SHIPMENT_CARRIER_ID_MAX + 1];
    char tracking[SHIPMENT_TRACKING_MAX + 1];
    /* ShipmentRejected: why ("undeliverable") */
    char reason[SHIPMENT_REASON_MAX + 1];
} shipment_event;

#define SHIPMENT_MAX_DECIDED_EVENTS 1

/*
 * Does scheduling need the carrier's answer?  True when there is nothing scheduled yet
 * to the command's address (a new shipment, or a rejected one to another address).
 */
bool shipment_schedule_needs_carrier(const shipment *state, const schedule_shipment *cmd);
/* Does cancelling need the carrier to cancel the booking?  True for a scheduled one. */
bool shipment_cancel_needs_carrier(const shipment *state);

/*
 * decide: 0 with *out_count events in out (0: the command changes nothing), or:
 *   SHOP_EINVALID  the command breaks a rule of its own (an invalid ship-to or postcode,
 *                  the carrier's answer missing or malformed)
 *   SHOP_EREFUSED  the shipment's state forbids it (cancelled, scheduled elsewhere,
 *                  rejected and so never booked)
 *   SHOP_ENOTFOUND cancelling a shipment that was never scheduled
 * with shop_error_message() naming the rule.  Nothing is written to out on refusal.
 * A ShipmentRejected is a decision, not a refusal: it is returned as an event.
 */
int shipment_decide_schedule(shipment_event out[SHIPMENT_MAX_DECIDED_EVENTS], size_t *out_count,
                             const shipment *state, const schedule_shipment *cmd);
int shipment_decide_cancel(shipment_event out[SHIPMENT_MAX_DECIDED_EVENTS], size_t *out_count,
                           const shipment *state, const cancel_shipment *cmd);

void shipment_evolve(shipment *state, const shipment_event *event);

#endif
