/*
 * infrastructure/shipping/shipping_commands.c — Ordering's commands to Shipping, from the
 * bus to the shipping service and back as one reply (see shipping_commands.h).
 *
 * Per message: read the command strictly (published_read.h, ship_to_parse,
 * postcode_parse; SHOP_EINVALID is a dead letter at once) → the shipping service, its
 * events stamped with the command's correlation and as its effect → the reply, its id
 * derived from the command's (infrastructure/messaging/reply.h), into shipping.outbox on the
 * same connection.
 * Read next: shipping_messages.c, application/shipping/shipping_service.c
 */
#include "infrastructure/shipping/shipping_commands.h"

#include "infrastructure/messaging/reply.h"
#include "application/shipping/shipping_service.h"
#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "infrastructure/messaging/outbox_pg.h"
#include "infrastructure/messaging/published_read.h"
#include "infrastructure/postgres/event_store_pg.h"
#include "infrastructure/shipping/carrier_http.h"
#include "infrastructure/shipping/shipment_store_es.h"
#include "infrastructure/shipping/shipping_messages.h"
#include "infrastructure/system/clock_system.h"
#include "infrastructure/system/id_generator_uuid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct consumer_options shipping_commands_options = {
    .max_attempts = 30, .backoff_base_ms = 200, .backoff_cap_ms = 5000};

struct shipping_commands {
    PGconn *conn; /* the consumer's */
    struct event_store *events;
    struct shipment_store *shipments;
    struct carrier_port *carrier;
    struct shop_clock *clock;
    struct id_generator *ids;
    struct shipping_service svc;
};

/* The ids of the domain events a command causes (a new message id each, the service's). */
static void event_meta(struct message_meta *out, const struct message *m)
{
    memset(out, 0, sizeof *out);
    out->correlation_id = m->meta.correlation_id;
    out->causation_id = m->meta.message_id;
    snprintf(out->traceparent, sizeof out->traceparent, "%s", m->meta.traceparent);
}

static int reply(struct shipping_commands *h, const struct message *m, const char *type,
                 shop_uuid order_id, const char *reason, int64_t at_us)
{
    struct outgoing_message out;
    struct message_meta meta;
    message_reply_meta(&meta, m, type);
    int rc = shipping_message_reply(&out, type, order_id, reason, at_us, &meta);
    if (rc == 0)
        rc = outbox_pg_write(h->conn, "shipping", &out);
    outgoing_message_dispose(&out);
    return rc;
}

static int schedule(struct shipping_commands *h, const struct message *m, const cJSON *root,
                    shop_uuid order_id)
{
    struct schedule_shipment_request req = {.id = {order_id}};
    struct message_meta meta;
    char why[SHOP_ERROR_MESSAGE_MAX];
    const char *text;
    shipment s;
    int rc;

    if ((rc = published_get_string(&text, root, "ship_to", m)) < 0)
        return rc;
    if (ship_to_parse(&req.ship_to, text) < 0) {
        snprintf(why, sizeof why, "%s", shop_error_message());
        return published_refuse(m, "ship_to", why);
    }
    if ((rc = published_get_string(&text, root, "postcode", m)) < 0)
        return rc;
    if (postcode_parse(&req.postcode, text) < 0) {
        snprintf(why, sizeof why, "%s", shop_error_message());
        return published_refuse(m, "postcode", why);
    }
    event_meta(&meta, m);
    rc = shipping_service_schedule(&s, &h->svc, &req, &meta);
    if (rc == SHOP_EREFUSED && s.status == SHIPMENT_STATUS_REJECTED)
        return reply(h, m, SHIPPING_SHIPMENT_REJECTED, order_id, s.reason, s.scheduled_at_us);
    if (rc == SHOP_EREFUSED) {
        /* cancelled, or scheduled to another address: no retry changes that */
        char id[UUID_STRING_SIZE];
        snprintf(why, sizeof why, "%s", shop_error_message());
        return shop_error_set(SHOP_EINVALID, "%s for order %s: %s", m->type,
                              uuid_format(id, order_id), why);
    }
    if (rc < 0)
        return rc; /* SHOP_EUNAVAILABLE: nothing recorded, tried again later */
    return reply(h, m, SHIPPING_SHIPMENT_SCHEDULED, order_id, NULL, s.scheduled_at_us);
}

static int cancel(struct shipping_commands *h, const struct message *m, shop_uuid order_id)
{
    shipment_id id = {order_id};
    struct message_meta meta;
    shipment s;
    int rc = shipping_service_get(&s, &h->svc, &id);

    if (rc == SHOP_ENOTFOUND || (rc == 0 && s.status == SHIPMENT_STATUS_REJECTED))
        /* nothing was booked: nothing to cancel, and said so */
        return reply(h, m, SHIPPING_SHIPMENT_CANCELLED, order_id, NULL,
                     shop_clock_now_us(h->clock));
    if (rc < 0)
        return rc;
    event_meta(&meta, m);
    if ((rc = shipping_service_cancel(&s, &h->svc, &id, &meta)) < 0)
        return rc;
    return reply(h, m, SHIPPING_SHIPMENT_CANCELLED, order_id, NULL, s.cancelled_at_us);
}

static int handle(void *ctx, const struct message *m)
{
    struct shipping_commands *h = ctx;
    shop_uuid order_id;
    cJSON *root;
    int rc = published_read_object(&root, m);
    if (rc < 0)
        return rc;
    if ((rc = published_get_uuid(&order_id, root, "order_id", m)) < 0)
        goto done;
    if (strcmp(m->type, ORDERING_SCHEDULE_SHIPMENT) == 0)
        rc = schedule(h, m, root, order_id);
    else if (strcmp(m->type, ORDERING_CANCEL_SHIPMENT) == 0)
        rc = cancel(h, m, order_id);
    else
        rc = shop_error_set(SHOP_EINVALID, "%s is not a command to Shipping", m->type);
done:
    cJSON_Delete(root);
    return rc;
}

/* ---- the handler's state, on the consumer's connection ---- */

static void close_commands(void *ctx)
{
    struct shipping_commands *h = ctx;
    if (!h)
        return;
    id_generator_free(h->ids);
    shop_clock_free(h->clock);
    carrier_free(h->carrier);
    shipment_store_free(h->shipments);
    es_free(h->events);
    free(h);
}

static int open_commands(void **ctx, PGconn *conn, void *arg)
{
    const struct shipping_commands_config *config = arg;
    struct shipping_commands *h = shop_xcalloc(1, sizeof *h);
    int rc;

    h->conn = conn;
    if ((rc = event_store_pg_new(&h->events, conn, "shipping")) < 0 ||
        (rc = shipment_store_es_new(&h->shipments, h->events)) < 0 ||
        (rc = carrier_http_new(&h->carrier, config ? config->carrier_url : NULL,
                               config ? config->carrier_timeout_ms : 0)) < 0 ||
        (rc = clock_system_new(&h->clock)) < 0 || (rc = id_generator_uuid_new(&h->ids)) < 0) {
        close_commands(h);
        *ctx = NULL;
        return rc;
    }
    h->svc = (struct shipping_service){
        .shipments = h->shipments, .carrier = h->carrier, .clock = h->clock, .ids = h->ids};
    *ctx = h;
    return 0;
}

const struct subscription shipping_commands_subscription = {
    .name = SHIPPING_COMMANDS_SUBSCRIBER,
    .inbox_schema = "shipping",
    .types = {ORDERING_SCHEDULE_SHIPMENT, ORDERING_CANCEL_SHIPMENT, NULL},
    .handle = handle,
    .open = open_commands,
    .close = close_commands,
};
