/*
 * application/ordering/order_service.c — Ordering's command handlers (application service).
 *
 * Pattern: the application service of an event-sourced aggregate.  Every handler runs the
 * same loop, handle() below:
 *
 *     load the order (order_store)            state, version
 *     decide (domain/ordering/order.c)        events, or a refusal
 *     append the events at that version       SHOP_ECONFLICT: someone else wrote first
 *
 * and on a conflict starts again from the load, so the decision is always taken on the
 * latest state (optimistic concurrency), at most max_attempts times.  The handlers add
 * only what the domain must not do itself: read the clock, make ids, ask the price list.
 * Placing goes through the same loop: a new order's stream is at version 0, and the
 * append expects exactly that (ES_EXPECT_NO_STREAM), so two orders can never share an id.
 *
 * Once the append has succeeded — the events are recorded — the handler dispatches them to
 * the service's observers (application/messaging/dispatcher.h).  Never before: an observer
 * must not see an event that a conflict then threw away.  And an observer cannot undo
 * them: its failure is the dispatcher's to report, not the command's.
 *
 * Everything outside the domain is reached through ports (order_store.h, price_list.h,
 * clock.h, id_generator.h); nothing here knows about PostgreSQL or JSON.
 * Read next: infrastructure/ordering/order_store_es.c, tests/unit/order_service_test.c
 */
#include "application/ordering/order_service.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"

#include <stdlib.h>
#include <string.h>

/* A command's decide function, with the command behind a void pointer. */
typedef int (*decide_fn)(order_event out[ORDER_MAX_DECIDED_EVENTS], size_t *out_count,
                         const order *state, const void *cmd);

static int decide_place(order_event out[ORDER_MAX_DECIDED_EVENTS], size_t *out_count,
                        const order *state, const void *cmd)
{
    return order_decide_place(out, out_count, state, cmd);
}

static int decide_confirm(order_event out[ORDER_MAX_DECIDED_EVENTS], size_t *out_count,
                          const order *state, const void *cmd)
{
    return order_decide_confirm(out, out_count, state, cmd);
}

static int decide_cancel(order_event out[ORDER_MAX_DECIDED_EVENTS], size_t *out_count,
                         const order *state, const void *cmd)
{
    return order_decide_cancel(out, out_count, state, cmd);
}

/*
 * The ids to stamp on the events: the caller's, with the conversation defaulting to the
 * order itself and a new message id unless the caller chose one.  Made once per command,
 * so a retried attempt records the events under the same message id.
 */
static int stamp(struct message_meta *out, struct order_service *svc, const order_id *id,
                 const struct message_meta *meta)
{
    memset(out, 0, sizeof *out);
    if (meta)
        *out = *meta;
    if (uuid_is_nil(out->correlation_id))
        out->correlation_id = id->uuid;
    if (uuid_is_nil(out->message_id))
        return id_generator_next(svc->ids, &out->message_id);
    return 0;
}

/* Hands the recorded events to the observers, in the order they were recorded. */
static void dispatch(struct order_service *svc, const order_event *events, size_t n,
                     const struct message_meta *meta)
{
    for (size_t i = 0; i < n && svc->observers; i++) {
        struct domain_event e = {.context = "ordering",
                                 .type = order_event_type_name(events[i].type),
                                 .event = &events[i],
                                 .meta = meta};
        dispatcher_dispatch(svc->observers, &e); /* failures are reported, not returned */
    }
}

/* load -> decide -> append, again on SHOP_ECONFLICT, at most max_attempts times; then the
 * observers. */
static int handle(struct order_service *svc, const order_id *id, decide_fn decide, const void *cmd,
                  const struct message_meta *meta)
{
    struct message_meta stamped;
    int attempts = svc->max_attempts > 0 ? svc->max_attempts : ORDER_SERVICE_MAX_ATTEMPTS;
    int rc = stamp(&stamped, svc, id, meta);
    if (rc < 0)
        return rc;

    for (int attempt = 1; attempt <= attempts; attempt++) {
        order state;
        int64_t version;
        order_event events[ORDER_MAX_DECIDED_EVENTS];
        size_t n;

        rc = order_store_load(svc->orders, &state, &version, id);
        if (rc < 0)
            return rc;
        rc = decide(events, &n, &state, cmd);
        if (rc < 0 || n == 0) /* refused, or nothing changes (confirmed twice) */
            return rc;
        rc = order_store_append(svc->orders, id, version, events, n, &stamped);
        if (rc == 0)
            dispatch(svc, events, n, &stamped);
        if (rc != SHOP_ECONFLICT)
            return rc;
    }
    char text[UUID_STRING_SIZE];
    return shop_error_set(SHOP_ECONFLICT,
                          "order %s was changed by another writer on each of %d attempts",
                          uuid_format(text, id->uuid), attempts);
}

int order_service_place(order_id *out, struct order_service *svc,
                        const struct place_order_request *req, const struct message_meta *meta)
{
    place_order *cmd = NULL;
    int rc = 0;

    memset(out, 0, sizeof *out);
    if (req->line_count > ORDER_MAX_REQUESTED_LINES)
        return shop_error_set(SHOP_EINVALID, "an order may name at most %d lines, got %zu",
                              ORDER_MAX_REQUESTED_LINES, req->line_count);

    cmd = shop_xcalloc(1, sizeof *cmd);
    cmd->customer = req->customer;
    cmd->address = req->address;
    cmd->line_count = req->line_count;
    memcpy(cmd->card, req->card, sizeof cmd->card);
    cmd->card[ORDER_CARD_MAX] = '\0';
    for (size_t i = 0; i < req->line_count; i++) {
        cmd->lines[i].sku = req->lines[i].sku;
        cmd->lines[i].quantity = req->lines[i].quantity;
        rc = price_list_price_of(svc->prices, &cmd->lines[i].unit_price, &req->lines[i].sku);
        if (rc < 0) /* SHOP_ENOTFOUND "unknown SKU ...", or the price list is down */
            goto done;
    }
    rc = id_generator_next(svc->ids, &cmd->id.uuid);
    if (rc < 0)
        goto done;
    cmd->at_us = shop_clock_now_us(svc->clock);

    rc = handle(svc, &cmd->id, decide_place, cmd, meta);
    if (rc == 0)
        *out = cmd->id;

done:
    free(cmd);
    return rc;
}

int order_service_confirm(struct order_service *svc, const order_id *id,
                          const struct message_meta *meta)
{
    confirm_order cmd = {.id = *id, .at_us = shop_clock_now_us(svc->clock)};
    return handle(svc, id, decide_confirm, &cmd, meta);
}

int order_service_cancel(struct order_service *svc, const order_id *id, const char *reason,
                         const struct message_meta *meta)
{
    cancel_order cmd = {.id = *id};
    size_t n = reason ? strlen(reason) : 0;
    if (n > ORDER_REASON_MAX) /* too long to hold: the domain's other rules see the rest */
        return shop_error_set(SHOP_EINVALID,
                              "a cancellation reason may be at most %d bytes, got %zu",
                              ORDER_REASON_MAX, n);
    memcpy(cmd.reason, reason ? reason : "", n + 1);
    cmd.at_us = shop_clock_now_us(svc->clock);
    return handle(svc, id, decide_cancel, &cmd, meta);
}
