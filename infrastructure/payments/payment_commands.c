/*
 * infrastructure/payments/payment_commands.c — Ordering's commands to Payments, from the
 * bus to the payment service and back as one reply (see payment_commands.h).
 *
 * Per message: read the command strictly (published_read.h; SHOP_EINVALID is a dead
 * letter at once) → the payment service, its events stamped with the command's
 * correlation and as its effect (causation) → the reply, its id derived from the
 * command's (infrastructure/messaging/reply.h), into payments.outbox on the same connection.
 * Read next: payment_messages.c, application/payments/payment_service.c
 */
#include "infrastructure/payments/payment_commands.h"

#include "application/payments/payment_service.h"
#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "infrastructure/messaging/outbox_pg.h"
#include "infrastructure/messaging/published_read.h"
#include "infrastructure/messaging/reply.h"
#include "infrastructure/payments/payment_gateway_http.h"
#include "infrastructure/payments/payment_messages.h"
#include "infrastructure/payments/payment_store_es.h"
#include "infrastructure/postgres/event_store_pg.h"
#include "infrastructure/system/clock_system.h"
#include "infrastructure/system/id_generator_uuid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct consumer_options payment_commands_options = {
    .max_attempts = 30, .backoff_base_ms = 200, .backoff_cap_ms = 5000};

struct payment_commands {
    PGconn *conn; /* the consumer's */
    struct event_store *events;
    struct payment_store *payments;
    struct payment_gateway *gateway;
    struct shop_clock *clock;
    struct id_generator *ids;
    struct payment_service svc;
};

/* The ids of the domain events a command causes: a new message id each (the service's),
 * the command's correlation and traceparent, the command as cause. */
static void event_meta(struct message_meta *out, const struct message *m)
{
    memset(out, 0, sizeof *out);
    out->correlation_id = m->meta.correlation_id;
    out->causation_id = m->meta.message_id;
    snprintf(out->traceparent, sizeof out->traceparent, "%s", m->meta.traceparent);
}

static int reply(struct payment_commands *h, const struct message *m, const char *type,
                 shop_uuid order_id, const payment_id *id, money amount, int64_t at_us)
{
    struct outgoing_message out;
    struct message_meta meta;
    message_reply_meta(&meta, m, type);
    int rc = payment_message_reply(&out, type, order_id, id->uuid, amount, at_us, &meta);
    if (rc == 0)
        rc = outbox_pg_write(h->conn, "payments", &out);
    outgoing_message_dispose(&out);
    return rc;
}

/* A refusal no reply can tell: it will never succeed, so it is given up on at once. */
static int give_up(const struct message *m, const payment_id *id)
{
    char text[UUID_STRING_SIZE], why[SHOP_ERROR_MESSAGE_MAX];
    snprintf(why, sizeof why, "%s", shop_error_message());
    return shop_error_set(SHOP_EINVALID, "%s for payment %s: %s", m->type,
                          uuid_format(text, id->uuid), why);
}

static int authorize(struct payment_commands *h, const struct message *m, const cJSON *root,
                     shop_uuid order_id, const payment_id *id)
{
    struct authorize_payment_request req = {.order_id = order_id};
    struct message_meta meta;
    payment p;
    int rc;

    if ((rc = published_get_money(&req.amount, root, "amount", m)) < 0 ||
        (rc = published_get_string(&req.card, root, "card", m)) < 0)
        return rc;
    event_meta(&meta, m);
    rc = payment_service_authorize_as(&p, &h->svc, id, &req, &meta);
    if (rc == SHOP_EREFUSED && p.status == PAYMENT_STATUS_DECLINED)
        return reply(h, m, PAYMENTS_PAYMENT_DECLINED, order_id, id, p.amount, p.changed_at_us);
    if (rc < 0)
        return rc; /* SHOP_EUNAVAILABLE: nothing recorded, tried again later */
    return reply(h, m, PAYMENTS_PAYMENT_AUTHORIZED, order_id, id, p.amount, p.authorized_at_us);
}

static int capture(struct payment_commands *h, const struct message *m, const cJSON *root,
                   shop_uuid order_id, const payment_id *id)
{
    struct message_meta meta;
    money amount;
    payment p;
    int64_t version;
    int rc;

    if ((rc = published_get_money(&amount, root, "amount", m)) < 0)
        return rc;
    event_meta(&meta, m);
    rc = payment_service_capture(&h->svc, id, &meta);
    if (rc == SHOP_EREFUSED || rc == SHOP_ENOTFOUND)
        return give_up(m, id);
    if (rc < 0 || (rc = payment_service_get(&p, &version, &h->svc, id)) < 0)
        return rc;
    return reply(h, m, PAYMENTS_PAYMENT_CAPTURED, order_id, id, p.captured, p.changed_at_us);
}

static int void_(struct payment_commands *h, const struct message *m, shop_uuid order_id,
                 const payment_id *id)
{
    struct message_meta meta;
    money none = {0};
    payment p;
    int64_t version;
    int rc = payment_service_get(&p, &version, &h->svc, id);

    if (rc == SHOP_ENOTFOUND || (rc == 0 && p.status == PAYMENT_STATUS_DECLINED))
        /* never authorized: nothing to void, and said so */
        return reply(h, m, PAYMENTS_PAYMENT_VOIDED, order_id, id, none,
                     shop_clock_now_us(h->clock));
    if (rc < 0)
        return rc;
    event_meta(&meta, m);
    rc = payment_service_give_back(&h->svc, id, &meta);
    if (rc == SHOP_EREFUSED)
        return give_up(m, id);
    if (rc < 0 || (rc = payment_service_get(&p, &version, &h->svc, id)) < 0)
        return rc;
    return reply(h, m, PAYMENTS_PAYMENT_VOIDED, order_id, id, none, p.changed_at_us);
}

static int handle(void *ctx, const struct message *m)
{
    struct payment_commands *h = ctx;
    shop_uuid order_id;
    payment_id id;
    cJSON *root;
    int rc = published_read_object(&root, m);
    if (rc < 0)
        return rc;
    if ((rc = published_get_uuid(&order_id, root, "order_id", m)) < 0 ||
        (rc = published_get_uuid(&id.uuid, root, "payment_id", m)) < 0)
        goto done;
    if (strcmp(m->type, ORDERING_AUTHORIZE_PAYMENT) == 0)
        rc = authorize(h, m, root, order_id, &id);
    else if (strcmp(m->type, ORDERING_CAPTURE_PAYMENT) == 0)
        rc = capture(h, m, root, order_id, &id);
    else if (strcmp(m->type, ORDERING_VOID_PAYMENT) == 0)
        rc = void_(h, m, order_id, &id);
    else
        rc = shop_error_set(SHOP_EINVALID, "%s is not a command to Payments", m->type);
done:
    cJSON_Delete(root);
    return rc;
}

/* ---- the handler's state, on the consumer's connection ---- */

static void close_commands(void *ctx)
{
    struct payment_commands *h = ctx;
    if (!h)
        return;
    id_generator_free(h->ids);
    shop_clock_free(h->clock);
    payment_gateway_free(h->gateway);
    payment_store_free(h->payments);
    es_free(h->events);
    free(h);
}

static int open_commands(void **ctx, PGconn *conn, void *arg)
{
    const struct payment_commands_config *config = arg;
    struct payment_commands *h = shop_xcalloc(1, sizeof *h);
    int rc;

    h->conn = conn;
    if ((rc = event_store_pg_new(&h->events, conn, "payments")) < 0 ||
        (rc = payment_store_es_new(&h->payments, h->events)) < 0 ||
        (rc = payment_gateway_http_new(&h->gateway, config ? config->gateway_url : NULL,
                                       config ? config->gateway_timeout_ms : 0)) < 0 ||
        (rc = clock_system_new(&h->clock)) < 0 || (rc = id_generator_uuid_new(&h->ids)) < 0) {
        close_commands(h);
        *ctx = NULL;
        return rc;
    }
    h->svc = (struct payment_service){
        .payments = h->payments, .gateway = h->gateway, .clock = h->clock, .ids = h->ids};
    *ctx = h;
    return 0;
}

const struct subscription payment_commands_subscription = {
    .name = PAYMENT_COMMANDS_SUBSCRIBER,
    .inbox_schema = "payments",
    .types = {ORDERING_AUTHORIZE_PAYMENT, ORDERING_CAPTURE_PAYMENT, ORDERING_VOID_PAYMENT, NULL},
    .handle = handle,
    .open = open_commands,
    .close = close_commands,
};
