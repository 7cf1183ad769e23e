/*
 * application/ordering/fulfilment_service.c — the fulfilment saga's handlers (the
 * orchestrator; docs/patterns/saga.md).
 *
 * Pattern: a process manager's handler, the same steps for every message:
 *   load the saga -> decide -> confirm or cancel the order -> save the saga + commands.
 * Nothing is retried here: the caller's transaction holds the inbox row of the message
 * being handled, so on SHOP_ECONFLICT the caller rolls everything back and the message is
 * handled again, on the saga the other handler left.
 *
 * One case the decider cannot see: the saga decides to confirm an order that someone
 * cancelled an instant before (its OrderCancelled is still on its way).  Order refuses
 * (SHOP_EREFUSED); the saga is then told the order was cancelled instead, and undoes
 * everything, as it would have on that OrderCancelled.
 * Read next: tests/unit/fulfilment_service_test.c
 */
#include "application/ordering/fulfilment_service.h"

#include "domain/shared/error.h"

#include <string.h>

/* The ids stamped on the order's event: a new message, caused by `cause`. */
static struct message_meta order_meta(const struct message_meta *cause, const order_id *id)
{
    struct message_meta meta;
    memset(&meta, 0, sizeof meta);
    meta.correlation_id =
        cause && !uuid_is_nil(cause->correlation_id) ? cause->correlation_id : id->uuid;
    if (cause) {
        meta.causation_id = cause->message_id;
        memcpy(meta.traceparent, cause->traceparent, sizeof meta.traceparent);
    }
    return meta;
}

/* Decides `in` on the saga loaded at `version`, applies the decision and saves it. */
static int handle_loaded(struct fulfilment_service *svc, const fulfilment_saga *state,
                         int64_t version, const order_id *id, const struct saga_input *in,
                         const struct message_meta *cause)
{
    struct saga_decision d;
    struct message_meta meta = order_meta(cause, id);
    int rc = fulfilment_decide(&d, state, in, &svc->settings);
    if (rc < 0 || !d.changed)
        return rc;

    if (d.order == SAGA_ORDER_CONFIRM) {
        rc = order_service_confirm(svc->orders, id, &meta);
        if (rc == SHOP_EREFUSED) { /* cancelled meanwhile: undo instead */
            order o;
            int64_t order_version;
            if ((rc = order_store_load(svc->orders->orders, &o, &order_version, id)) < 0)
                return rc;
            struct saga_input cancelled = {
                .type = SAGA_IN_ORDER_CANCELLED,
                .now_us = in->now_us,
                .reason = o.reason[0] ? o.reason : NULL,
            };
            if ((rc = fulfilment_decide(&d, state, &cancelled, &svc->settings)) < 0)
                return rc;
            if (!d.changed || d.order != SAGA_ORDER_UNCHANGED)
                return shop_error_set(SHOP_EINTERNAL, "the saga cannot undo a refused confirm");
        }
    } else if (d.order == SAGA_ORDER_CANCEL) {
        rc = order_service_cancel(svc->orders, id, d.saga.reason, &meta);
    }
    if (rc < 0)
        return rc;
    return saga_store_save(svc->sagas, &d.saga, version, d.commands, d.command_count, cause);
}

int fulfilment_service_handle(struct fulfilment_service *svc, const order_id *id,
                              const struct saga_input *in, const struct message_meta *cause)
{
    fulfilment_saga state;
    int64_t version;
    order placed;
    struct saga_input input = *in;
    char text[UUID_STRING_SIZE];
    int rc;

    if ((rc = saga_store_load(svc->sagas, &state, &version, id)) < 0)
        return rc;
    input.now_us = shop_clock_now_us(svc->clock);
    if (input.type == SAGA_IN_ORDER_PLACED && !input.placed) {
        if (state.state != SAGA_NONE)
            return 0; /* started already: a duplicate */
        int64_t order_version;
        if ((rc = order_store_load(svc->orders->orders, &placed, &order_version, id)) < 0)
            return rc;
        if (placed.status == ORDER_STATUS_NONE)
            return shop_error_set(SHOP_ENOTFOUND, "order %s was never placed",
                                  uuid_format(text, id->uuid));
        input.placed = &placed;
    }
    return handle_loaded(svc, &state, version, id, &input, cause);
}

int fulfilment_service_deadline(struct fulfilment_service *svc, const order_id *id)
{
    fulfilment_saga state;
    int64_t version;
    int rc;

    if ((rc = saga_store_load(svc->sagas, &state, &version, id)) < 0)
        return rc;
    int64_t now = shop_clock_now_us(svc->clock);
    if (state.deadline_us == 0 || now < state.deadline_us)
        return 0; /* moved on since the timer looked */

    struct message_meta cause;
    memset(&cause, 0, sizeof cause);
    if ((rc = id_generator_next(svc->ids, &cause.message_id)) < 0)
        return rc;
    cause.correlation_id = id->uuid;
    struct saga_input in = {.type = SAGA_IN_DEADLINE_PASSED, .now_us = now};
    return handle_loaded(svc, &state, version, id, &in, &cause);
}
