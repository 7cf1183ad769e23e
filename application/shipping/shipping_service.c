/*
 * application/shipping/shipping_service.c — Shipping's command handlers (application
 * service of an event-sourced aggregate that depends on an external system).
 *
 *     load the shipment (shipment_store)          state, version
 *     ask the carrier, if the decision needs it   its answer, under an idempotency key
 *     decide (domain/shipping/shipment.c)         events, or a refusal
 *     append the events at that version           SHOP_ECONFLICT: load again
 *
 * The carrier is asked before anything is recorded, and under a key that names the
 * decision: "shipment-<order>-book-<version>" to book from that version, and
 * "shipment-<order>-cancel".  A handler that lost its answer (the carrier timed out, the
 * append failed) and runs again asks under the same key and gets the same booking, never
 * a second one.  A carrier that does not answer records nothing: SHOP_EUNAVAILABLE.
 * Read next: infrastructure/shipping/carrier_http.c, tests/unit/shipping_service_test.c
 */
#include "application/shipping/shipping_service.h"

#include "domain/shared/error.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* The ids to stamp on the events: as order_service.c's stamp(). */
static int stamp(struct message_meta *out, struct shipping_service *svc, const shipment_id *id,
                 const struct message_meta *meta)
{
    memset(out, 0, sizeof *out);
    if (meta)
        *out = *meta;
    if (uuid_is_nil(out->correlation_id))
        out->correlation_id = id->order_id;
    if (uuid_is_nil(out->message_id))
        return id_generator_next(svc->ids, &out->message_id);
    return 0;
}

static int attempts_of(const struct shipping_service *svc)
{
    return svc->max_attempts > 0 ? svc->max_attempts : SHIPPING_SERVICE_MAX_ATTEMPTS;
}

static int too_many_conflicts(const shipment_id *id, int attempts)
{
    char text[UUID_STRING_SIZE];
    return shop_error_set(SHOP_ECONFLICT,
                          "the shipment of order %s was changed by another writer on each of "
                          "%d attempts",
                          uuid_format(text, id->order_id), attempts);
}

/* Asks the carrier to book, and puts its answer into the command. */
static int book(struct shipping_service *svc, schedule_shipment *cmd, int64_t version)
{
    char order[UUID_STRING_SIZE], key[CARRIER_KEY_MAX + 1];
    struct carrier_booking booking;
    uuid_format(order, cmd->id.order_id);
    snprintf(key, sizeof key, "shipment-%s-book-%" PRId64, order, version);
    struct carrier_booking_request req = {order, &cmd->ship_to, &cmd->postcode};
    int rc = carrier_book(svc->carrier, &booking, key, &req);
    if (rc < 0)
        return rc;
    cmd->carrier = booking.verdict;
    memcpy(cmd->carrier_id, booking.id, sizeof cmd->carrier_id);
    memcpy(cmd->tracking, booking.tracking, sizeof cmd->tracking);
    return 0;
}

int shipping_service_schedule(shipment *out, struct shipping_service *svc,
                              const struct schedule_shipment_request *req,
                              const struct message_meta *meta)
{
    struct message_meta stamped;
    int attempts = attempts_of(svc);
    int rc = stamp(&stamped, svc, &req->id, meta);

    shipment_init(out);
    if (rc < 0)
        return rc;
    for (int attempt = 1; attempt <= attempts; attempt++) {
        int64_t version;
        shipment_event events[SHIPMENT_MAX_DECIDED_EVENTS];
        size_t n;
        schedule_shipment cmd = {.id = req->id, .ship_to = req->ship_to, .postcode = req->postcode};

        if ((rc = shipment_store_load(svc->shipments, out, &version, &req->id)) < 0)
            return rc;
        cmd.at_us = shop_clock_now_us(svc->clock);
        if (shipment_schedule_needs_carrier(out, &cmd) && (rc = book(svc, &cmd, version)) < 0)
            return rc;
        if ((rc = shipment_decide_schedule(events, &n, out, &cmd)) < 0)
            return rc;
        if (n > 0) {
            rc = shipment_store_append(svc->shipments, &req->id, version, events, n, &stamped);
            if (rc == SHOP_ECONFLICT)
                continue;
            if (rc < 0)
                return rc;
            for (size_t i = 0; i < n; i++)
                shipment_evolve(out, &events[i]);
        }
        if (out->status == SHIPMENT_STATUS_REJECTED)
            return shop_error_set(
                SHOP_EREFUSED, "postcode %s is undeliverable: the carrier does not deliver there",
                out->postcode.code);
        return 0;
    }
    return too_many_conflicts(&req->id, attempts);
}

int shipping_service_cancel(shipment *out, struct shipping_service *svc, const shipment_id *id,
                            const struct message_meta *meta)
{
    struct message_meta stamped;
    int attempts = attempts_of(svc);
    int rc = stamp(&stamped, svc, id, meta);

    shipment_init(out);
    if (rc < 0)
        return rc;
    for (int attempt = 1; attempt <= attempts; attempt++) {
        int64_t version;
        shipment_event events[SHIPMENT_MAX_DECIDED_EVENTS];
        size_t n;
        cancel_shipment cmd = {.id = *id};

        if ((rc = shipment_store_load(svc->shipments, out, &version, id)) < 0)
            return rc;
        cmd.at_us = shop_clock_now_us(svc->clock);
        if (shipment_cancel_needs_carrier(out)) {
            char order[UUID_STRING_SIZE], key[CARRIER_KEY_MAX + 1];
            snprintf(key, sizeof key, "shipment-%s-cancel", uuid_format(order, id->order_id));
            rc = carrier_cancel(svc->carrier, key, out->carrier_id);
            if (rc == SHOP_ENOTFOUND) /* ours to know, not the caller's to be told 404 */
                return shop_error_set(SHOP_EINTERNAL,
                                      "the carrier has no booking %s for the shipment of order %s",
                                      out->carrier_id, order);
            if (rc < 0)
                return rc;
            cmd.carrier_cancelled = true;
        }
        if ((rc = shipment_decide_cancel(events, &n, out, &cmd)) < 0 || n == 0)
            return rc;
        rc = shipment_store_append(svc->shipments, id, version, events, n, &stamped);
        if (rc == SHOP_ECONFLICT)
            continue;
        if (rc < 0)
            return rc;
        for (size_t i = 0; i < n; i++)
            shipment_evolve(out, &events[i]);
        return 0;
    }
    return too_many_conflicts(id, attempts);
}

int shipping_service_get(shipment *out, struct shipping_service *svc, const shipment_id *id)
{
    int64_t version;
    char text[UUID_STRING_SIZE];
    int rc = shipment_store_load(svc->shipments, out, &version, id);
    if (rc < 0)
        return rc;
    if (out->status == SHIPMENT_STATUS_NONE)
        return shop_error_set(SHOP_ENOTFOUND, "no shipment for order %s",
                              uuid_format(text, id->order_id));
    return 0;
}
