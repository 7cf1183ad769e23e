/*
 * domain/shipping/shipment.c — the Shipment aggregate as a decider (DDD aggregate, event
 * sourcing), see shipment.h for its rules.
 *
 * Pattern: decide (state, command) -> events | refusal, and evolve (state, event) -> state,
 * both pure.  The carrier's answer is part of the command: the decider checks that the
 * answer it needs is there and well-formed, and turns it into ShipmentScheduled or
 * ShipmentRejected.  Each decide checks the state first, then the command's own rules,
 * and writes `out` only once every rule has passed.
 * Read next: tests/unit/shipment_test.c, application/shipping/shipping_service.c
 */
#include "domain/shipping/shipment.h"

#include "domain/shared/error.h"
#include "domain/shared/text.h"

#include <string.h>

#define SHIPMENT_STREAM_PREFIX "shipment-"
_Static_assert(sizeof SHIPMENT_STREAM_PREFIX - 1 + UUID_STRING_SIZE == SHIPMENT_STREAM_ID_SIZE,
               "SHIPMENT_STREAM_ID_SIZE holds the prefix, the UUID and the NUL");

/* Why a shipment is rejected: the only reason the carrier gives. */
#define REASON_UNDELIVERABLE "undeliverable"

const char *shipment_stream_id(char out[SHIPMENT_STREAM_ID_SIZE], shipment_id id)
{
    memcpy(out, SHIPMENT_STREAM_PREFIX, sizeof SHIPMENT_STREAM_PREFIX - 1);
    uuid_format(out + sizeof SHIPMENT_STREAM_PREFIX - 1, id.order_id);
    return out;
}

int shipment_id_parse(shipment_id *out, const char *text)
{
    char quoted[TEXT_QUOTE_SIZE];

    memset(out, 0, sizeof *out);
    if (uuid_parse(&out->order_id, text) < 0)
        return shop_error_set(SHOP_EINVALID,
                              "order id \"%s\" is not a UUID (8-4-4-4-12 hex digits)",
                              text_quote(quoted, text));
    return 0;
}

const char *shipment_status_name(enum shipment_status s)
{
    switch (s) {
    case SHIPMENT_STATUS_NONE: return "none";
    case SHIPMENT_STATUS_SCHEDULED: return "scheduled";
    case SHIPMENT_STATUS_REJECTED: return "rejected";
    case SHIPMENT_STATUS_CANCELLED: return "cancelled";
    }
    return "unknown";
}

static const char *const EVENT_NAMES[] = {
    [SHIPMENT_SCHEDULED] = "ShipmentScheduled",
    [SHIPMENT_REJECTED] = "ShipmentRejected",
    [SHIPMENT_CANCELLED] = "ShipmentCancelled",
};
#define EVENT_NAME_COUNT (sizeof EVENT_NAMES / sizeof EVENT_NAMES[0])

const char *shipment_event_type_name(enum shipment_event_type t)
{
    if ((size_t)t < EVENT_NAME_COUNT && EVENT_NAMES[t])
        return EVENT_NAMES[t];
    return "unknown";
}

enum shipment_event_type shipment_event_type_from_name(const char *name)
{
    for (size_t t = 0; name && t < EVENT_NAME_COUNT; t++)
        if (EVENT_NAMES[t] && strcmp(EVENT_NAMES[t], name) == 0)
            return (enum shipment_event_type)t;
    return 0;
}

void shipment_init(shipment *out)
{
    memset(out, 0, sizeof *out);
}

/* ---- scheduling ---- */

static bool same_address(const shipment *state, const schedule_shipment *cmd)
{
    return ship_to_equal(&state->ship_to, &cmd->ship_to) &&
           postcode_equal(&state->postcode, &cmd->postcode);
}

bool shipment_schedule_needs_carrier(const shipment *state, const schedule_shipment *cmd)
{
    return state->status == SHIPMENT_STATUS_NONE ||
           (state->status == SHIPMENT_STATUS_REJECTED && !same_address(state, cmd));
}

/* A carrier's id or tracking number: 1..max bytes of printable ASCII within its array. */
static int check_carrier_text(const char *text, size_t max, const char *what)
{
    size_t len = strnlen(text, max + 1);
    if (len == 0 || len > max || !text_is_printable_ascii(text))
        return shop_error_set(SHOP_EINVALID,
                              "the carrier's %s must be 1-%zu characters of printable ASCII", what,
                              max);
    return 0;
}

/*
 * The command's own rules: the address is valid (the command is plain data, so it is
 * parsed again here rather than trusted), and a booking has an id and a tracking number.
 */
static int check_schedule(const schedule_shipment *cmd)
{
    ship_to to;
    postcode code;
    int rc;

    if (strnlen(cmd->ship_to.text, sizeof cmd->ship_to.text) == sizeof cmd->ship_to.text)
        return shop_error_set(SHOP_EINVALID, "ship-to is not terminated");
    if ((rc = ship_to_parse(&to, cmd->ship_to.text)) < 0)
        return rc;
    if (strnlen(cmd->postcode.code, sizeof cmd->postcode.code) == sizeof cmd->postcode.code)
        return shop_error_set(SHOP_EINVALID, "postcode is not terminated");
    if ((rc = postcode_parse(&code, cmd->postcode.code)) < 0)
        return rc;
    if (!postcode_equal(&code, &cmd->postcode))
        return shop_error_set(SHOP_EINVALID, "postcode %s is not in upper case",
                              cmd->postcode.code);
    if (cmd->carrier == CARRIER_BOOKED) {
        if ((rc = check_carrier_text(cmd->carrier_id, SHIPMENT_CARRIER_ID_MAX, "booking id")) < 0)
            return rc;
        if ((rc = check_carrier_text(cmd->tracking, SHIPMENT_TRACKING_MAX, "tracking number")) < 0)
            return rc;
    }
    return 0;
}

int shipment_decide_schedule(shipment_event out[SHIPMENT_MAX_DECIDED_EVENTS], size_t *out_count,
                             const shipment *state, const schedule_shipment *cmd)
{
    char id[UUID_STRING_SIZE];
    shipment_event event;
    int rc;

    *out_count = 0;
    uuid_format(id, cmd->id.order_id);
    if (state->status == SHIPMENT_STATUS_CANCELLED)
        return shop_error_set(
            SHOP_EREFUSED, "the shipment of order %s is cancelled and cannot be rescheduled", id);
    if ((rc = check_schedule(cmd)) < 0)
        return rc;
    if (state->status == SHIPMENT_STATUS_SCHEDULED) {
        if (same_address(state, cmd))
            return 0; /* scheduled twice: the first booking stands */
        return shop_error_set(
            SHOP_EREFUSED, "the shipment of order %s is already scheduled to another address", id);
    }
    if (!shipment_schedule_needs_carrier(state, cmd))
        return 0; /* rejected again for the same address: nothing new */
    if (cmd->carrier != CARRIER_BOOKED && cmd->carrier != CARRIER_UNDELIVERABLE)
        return shop_error_set(SHOP_EINVALID,
                              "scheduling the shipment of order %s needs the carrier's answer", id);

    memset(&event, 0, sizeof event);
    event.id = cmd->id;
    event.at_us = cmd->at_us;
    event.ship_to = cmd->ship_to;
    event.postcode = cmd->postcode;
    if (cmd->carrier == CARRIER_BOOKED) {
        event.type = SHIPMENT_SCHEDULED;
        memcpy(event.carrier_id, cmd->carrier_id, strlen(cmd->carrier_id) + 1);
        memcpy(event.tracking, cmd->tracking, strlen(cmd->tracking) + 1);
    } else {
        event.type = SHIPMENT_REJECTED;
        memcpy(event.reason, REASON_UNDELIVERABLE, sizeof REASON_UNDELIVERABLE);
    }
    out[0] = event;
    *out_count = 1;
    return 0;
}

/* ---- cancelling ---- */

bool shipment_cancel_needs_carrier(const shipment *state)
{
    return state->status == SHIPMENT_STATUS_SCHEDULED;
}

int shipment_decide_cancel(shipment_event out[SHIPMENT_MAX_DECIDED_EVENTS], size_t *out_count,
                           const shipment *state, const cancel_shipment *cmd)
{
    char id[UUID_STRING_SIZE];

    *out_count = 0;
    uuid_format(id, cmd->id.order_id);
    switch (state->status) {
    case SHIPMENT_STATUS_NONE:
        return shop_error_set(SHOP_ENOTFOUND, "no shipment for order %s", id);
    case SHIPMENT_STATUS_CANCELLED: return 0; /* cancelling twice changes nothing */
    case SHIPMENT_STATUS_REJECTED:
        return shop_error_set(SHOP_EREFUSED,
                              "the shipment of order %s was rejected (%s): nothing to cancel", id,
                              state->reason);
    case SHIPMENT_STATUS_SCHEDULED: break;
    }
    if (!cmd->carrier_cancelled)
        return shop_error_set(SHOP_EINVALID,
                              "cancelling the shipment of order %s needs the carrier to cancel "
                              "booking %s first",
                              id, state->carrier_id);
    out[0] = (shipment_event){.type = SHIPMENT_CANCELLED, .id = cmd->id, .at_us = cmd->at_us};
    *out_count = 1;
    return 0;
}

/* ---- evolving ---- */

/* Copies a string of a stored event into an array of the same size, always terminated. */
#define COPY_TEXT(dst, src)                                                                        \
    do {                                                                                           \
        memcpy((dst), (src), sizeof(dst));                                                         \
        (dst)[sizeof(dst) - 1] = '\0';                                                             \
    } while (0)

void shipment_evolve(shipment *state, const shipment_event *event)
{
    switch (event->type) {
    case SHIPMENT_SCHEDULED:
    case SHIPMENT_REJECTED:
        state->id = event->id;
        state->status = event->type == SHIPMENT_SCHEDULED ? SHIPMENT_STATUS_SCHEDULED
                                                          : SHIPMENT_STATUS_REJECTED;
        state->ship_to = event->ship_to;
        state->ship_to.text[SHIP_TO_MAX_BYTES] = '\0';
        state->postcode = event->postcode;
        state->postcode.code[POSTCODE_MAX_LENGTH] = '\0';
        COPY_TEXT(state->carrier_id, event->carrier_id);
        COPY_TEXT(state->tracking, event->tracking);
        COPY_TEXT(state->reason, event->reason);
        state->scheduled_at_us = event->at_us;
        state->cancelled_at_us = 0;
        return;
    case SHIPMENT_CANCELLED:
        state->status = SHIPMENT_STATUS_CANCELLED;
        state->cancelled_at_us = event->at_us;
        return;
    }
    /* An event type this version does not know: the state stays as it was. */
}
