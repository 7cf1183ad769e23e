/*
 * infrastructure/ordering/fulfilment_subscription.c — the fulfilment saga's consumer and
 * deadline timer on PostgreSQL (see fulfilment_subscription.h).
 *
 * Both build the same ports on their own connection: Ordering's event store and order
 * store, the saga store (ordering.sagas + ordering.outbox), a clock and an id generator,
 * and hand them to application/ordering/fulfilment_service.c.  None of them begins or
 * commits: the consumer's transaction (with the inbox row) or the timer's, one per saga,
 * holds everything a step writes.
 * Read next: application/ordering/fulfilment_service.c, tests/integration/
 * fulfilment_subscription_test.c
 */
#include "infrastructure/ordering/fulfilment_subscription.h"

#include "application/ordering/fulfilment_service.h"
#include "application/ordering/order_service.h"
#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "domain/shared/text.h"
#include "infrastructure/messaging/consumer.h"
#include "infrastructure/messaging/worker.h"
#include "infrastructure/ordering/order_store_es.h"
#include "infrastructure/ordering/saga_messages.h"
#include "infrastructure/ordering/saga_store_pg.h"
#include "infrastructure/postgres/event_store_pg.h"
#include "infrastructure/postgres/sqlstate.h"
#include "infrastructure/system/clock_system.h"
#include "infrastructure/system/id_generator_uuid.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ settings */

static int setting(int64_t *out, const char *name, int64_t fallback, int64_t min, int64_t max)
{
    const char *v = getenv(name);
    *out = fallback;
    if (!v)
        return 0;
    size_t n = strlen(v);
    if (n == 0 || n > 12 || strspn(v, "0123456789") != n || text_parse_int64(out, v) < 0 ||
        *out < min || *out > max) {
        char quoted[TEXT_QUOTE_SIZE];
        return shop_error_set(
            SHOP_EINVALID, "%s must be a whole number from %" PRId64 " to %" PRId64 ", got \"%s\"",
            name, min, max, text_quote(quoted, v));
    }
    return 0;
}

int fulfilment_settings_read(struct saga_settings *out)
{
    int64_t step_ms, compensation_ms, attempts;
    int rc;
    memset(out, 0, sizeof *out);
    if ((rc = setting(&step_ms, "SHOP_SAGA_STEP_TIMEOUT_MS", SAGA_DEFAULT_STEP_TIMEOUT_US / 1000, 1,
                      86400000)) < 0 ||
        (rc = setting(&compensation_ms, "SHOP_SAGA_COMPENSATION_TIMEOUT_MS",
                      SAGA_DEFAULT_COMPENSATION_TIMEOUT_US / 1000, 1, 86400000)) < 0 ||
        (rc = setting(&attempts, "SHOP_SAGA_COMPENSATION_ATTEMPTS",
                      SAGA_DEFAULT_COMPENSATION_ATTEMPTS, 1, 100)) < 0)
        return rc;
    out->step_timeout_us = step_ms * 1000;
    out->compensation_timeout_us = compensation_ms * 1000;
    out->compensation_attempts = (int)attempts;
    return 0;
}

/* ------------------------------------------------------------------ the ports */

struct fulfilment_handler {
    PGconn *conn;
    struct event_store *events;
    struct order_store *orders;
    struct saga_store *sagas;
    struct shop_clock *clock, *own_clock;
    struct id_generator *ids;
    struct order_service order_service;
    struct fulfilment_service service;
};

int fulfilment_handler_open(struct fulfilment_handler **out, PGconn *conn,
                            const struct saga_settings *settings, struct shop_clock *clock)
{
    struct fulfilment_handler *h = shop_xcalloc(1, sizeof *h);
    struct saga_settings read;
    int rc;
    *out = NULL;
    h->conn = conn;
    if (!settings) {
        if ((rc = fulfilment_settings_read(&read)) < 0)
            goto fail;
        settings = &read;
    }
    if (!clock && (rc = clock_system_new(&h->own_clock)) < 0)
        goto fail;
    h->clock = clock ? clock : h->own_clock;
    if ((rc = event_store_pg_new(&h->events, conn, "ordering")) < 0 ||
        (rc = order_store_es_new(&h->orders, h->events, ORDER_SNAPSHOT_EVERY_DEFAULT)) < 0 ||
        (rc = saga_store_pg_new(&h->sagas, conn)) < 0 || (rc = id_generator_uuid_new(&h->ids)) < 0)
        goto fail;
    /* One attempt: inside the consumer's transaction a lost race aborts the transaction,
     * so the message is handled again from the start (the consumer's retry), not here. */
    h->order_service = (struct order_service){
        .orders = h->orders, .prices = NULL, .clock = h->clock, .ids = h->ids, .max_attempts = 1};
    h->service = (struct fulfilment_service){.sagas = h->sagas,
                                             .orders = &h->order_service,
                                             .clock = h->clock,
                                             .ids = h->ids,
                                             .settings = *settings};
    *out = h;
    return 0;
fail:
    fulfilment_handler_close(h);
    return rc;
}

void fulfilment_handler_close(struct fulfilment_handler *h)
{
    if (!h)
        return;
    saga_store_free(h->sagas);
    order_store_free(h->orders);
    es_free(h->events);
    id_generator_free(h->ids);
    shop_clock_free(h->own_clock);
    free(h);
}

/* ------------------------------------------------------------------ the subscription */

int fulfilment_handler_handle(struct fulfilment_handler *h, const struct message *m)
{
    struct saga_message msg;
    int rc = saga_message_decode(&msg, m);
    if (rc < 0)
        return rc; /* SHOP_EINVALID: it can never be handled */
    if (msg.input.type == 0)
        return 0; /* inventory.ReservationCommitted: the saga has already ended */
    return fulfilment_service_handle(&h->service, &msg.order, &msg.input, &m->meta);
}

static int subscription_open(void **ctx, PGconn *conn, void *arg)
{
    (void)arg;
    struct fulfilment_handler *h;
    int rc = fulfilment_handler_open(&h, conn, NULL, NULL);
    *ctx = rc == 0 ? h : NULL;
    return rc;
}

static void subscription_close(void *ctx)
{
    fulfilment_handler_close(ctx);
}

static int subscription_handle(void *ctx, const struct message *m)
{
    return fulfilment_handler_handle(ctx, m);
}

const struct consumer_options fulfilment_subscription_options = {
    .max_attempts = 30, .backoff_base_ms = 100, .backoff_cap_ms = 2000};

const struct subscription fulfilment_subscription = {
    .name = FULFILMENT_SUBSCRIBER,
    .inbox_schema = "ordering",
    .types = {"ordering.OrderPlaced", "ordering.OrderCancelled", "inventory.StockReserved",
              "inventory.StockReservationRejected", "inventory.ReservationReleased",
              "inventory.ReservationCommitted", "payments.PaymentAuthorized",
              "payments.PaymentDeclined", "payments.PaymentCaptured", "payments.PaymentVoided",
              "shipping.ShipmentScheduled", "shipping.ShipmentRejected",
              "shipping.ShipmentCancelled", NULL},
    .handle = subscription_handle,
    .open = subscription_open,
    .close = subscription_close,
};

/* ------------------------------------------------------------------ the deadline timer */

/* The saga's row, if it is still past its deadline and no other timer (or handler) holds
 * it; the lock lasts until the transaction ends. */
static const char sql_take[] = "SELECT 1 FROM ordering.sagas"
                               " WHERE order_id = $1::uuid AND deadline IS NOT NULL"
                               "   AND deadline <= timestamptz 'epoch' + $2::bigint"
                               "                   * interval '1 microsecond'"
                               " FOR UPDATE SKIP LOCKED";

static void rollback(PGconn *conn)
{
    char saved[SHOP_ERROR_MESSAGE_MAX];
    snprintf(saved, sizeof saved, "%s", shop_error_message());
    PQclear(PQexec(conn, "ROLLBACK"));
    shop_error_set(SHOP_EINTERNAL, "%s", saved); /* the code is the caller's */
}

/* One saga in one transaction; *taken: it was still due and this timer had it. */
static int deadline_of(struct fulfilment_handler *h, const order_id *id, int64_t now_us,
                       bool *taken)
{
    char text[UUID_STRING_SIZE], now[24];
    snprintf(now, sizeof now, "%" PRId64, now_us);
    const char *params[] = {uuid_format(text, id->uuid), now};
    *taken = false;
    int rc = pg_exec_command(h->conn, "BEGIN", "starting the saga timer's transaction");
    if (rc < 0)
        return rc;
    PGresult *res = PQexecParams(h->conn, sql_take, 2, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = pg_result_error(h->conn, res, "taking a saga past its deadline");
        PQclear(res);
        rollback(h->conn);
        return rc;
    }
    *taken = PQntuples(res) == 1;
    PQclear(res);
    if (!*taken) /* moved on, or another timer has it */
        return pg_exec_command(h->conn, "ROLLBACK", "ending the saga timer's transaction");
    if ((rc = fulfilment_service_deadline(&h->service, id)) < 0) {
        char why[SHOP_ERROR_MESSAGE_MAX];
        snprintf(why, sizeof why, "%s", shop_error_message());
        rollback(h->conn);
        return shop_error_set(rc, "the deadline of order %s: %s", text, why);
    }
    return pg_exec_command(h->conn, "COMMIT", "committing the saga timer's transaction");
}

int fulfilment_deadlines_step(struct fulfilment_handler *h, size_t max, size_t *handled)
{
    order_id due[SAGA_DEADLINES_BATCH];
    size_t n = 0;
    *handled = 0;
    if (max == 0 || max > SAGA_DEADLINES_BATCH)
        max = SAGA_DEADLINES_BATCH;
    int64_t now_us = shop_clock_now_us(h->clock);
    int rc = saga_store_due(h->sagas, due, max, &n, now_us);
    /* One saga that fails (a damaged row, say) is reported and passed over, so that it
     * cannot hold back every other deadline (it comes first on every pass, being the
     * oldest); the database gone ends the pass. */
    int first = rc;
    for (size_t i = 0; rc != SHOP_EUNAVAILABLE && i < n; i++) {
        bool taken;
        rc = deadline_of(h, &due[i], now_us, &taken);
        *handled += rc == 0 && taken;
        if (rc < 0 && first == 0)
            first = rc;
        if (rc < 0 && rc != SHOP_EUNAVAILABLE)
            fprintf(stderr, "saga deadlines: %s\n", shop_error_message());
    }
    return first;
}

static int timer_open(void **ctx, PGconn *conn, void *arg)
{
    (void)arg;
    struct fulfilment_handler *h;
    int rc = fulfilment_handler_open(&h, conn, NULL, NULL);
    *ctx = rc == 0 ? h : NULL;
    return rc;
}

static int timer_step(void *ctx, bool *more)
{
    size_t handled;
    int rc = fulfilment_deadlines_step(ctx, SAGA_DEADLINES_BATCH, &handled);
    *more = rc == 0 && handled == SAGA_DEADLINES_BATCH;
    return rc;
}

static void timer_close(void *ctx)
{
    fulfilment_handler_close(ctx);
}

/* It wakes with the saga's commands (a new deadline was set) and polls: a deadline
 * passing makes no notification, so the poll interval bounds how late the timer is. */
const struct worker_def saga_deadlines_worker = {
    .name = "ordering saga deadlines",
    .channels = {"shop_outbox_ordering", NULL},
    .open = timer_open,
    .step = timer_step,
    .close = timer_close,
};
