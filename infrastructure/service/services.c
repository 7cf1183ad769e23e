/*
 * infrastructure/service/services.c — the table of services: every process layout
 * (`shop serve NAME`, `shop up`, `shop up --monolith`) starts services from here.
 *
 * Pattern: microservices.  Each row is one deployable unit: a bounded context with its
 * own schema and database role, or a simulated external system with no database.
 *
 * Beside its API a context runs its background workers (event-driven architecture,
 * docs/patterns/event-driven.md), listed here so the whole flow of messages is on one
 * page:
 *   catalog        relay: catalog.outbox → messaging.bus
 *   ordering       relay: ordering.events, translated, and ordering.outbox → messaging.bus
 *                  consumer ordering.price-list: catalog.* → ordering.prices (the replica)
 *                  consumer ordering.fulfilment: OrderPlaced, OrderCancelled and the
 *                  participants' replies → the saga (ordering.sagas + ordering.outbox)
 *                  saga deadlines: the timer of sagas whose reply did not come in time
 *   reporting      projector: the bus → reporting.* read tables (its projections)
 *   notifications  consumer notifications.order-outcomes: ordering.* → notifications
 *   inventory      consumer inventory.commands: the saga's stock commands → a reply each
 *                  relay: inventory.outbox (replies, StockReceived) → messaging.bus
 *   payments       consumer payments.commands: the saga's payment commands → a reply each
 *                  relay: payments.outbox → messaging.bus
 *   shipping       consumer shipping.commands: the saga's shipment commands → a reply each
 *                  relay: shipping.outbox → messaging.bus
 * Read next: service.h, serve.c, docs/patterns/microservices.md.
 */
#include "infrastructure/service/service.h"

#include "infrastructure/catalog/catalog_api.h"
#include "infrastructure/inventory/inventory_api.h"
#include "infrastructure/inventory/inventory_commands.h"
#include "infrastructure/messaging/consumer.h"
#include "infrastructure/messaging/relay.h"
#include "infrastructure/messaging/worker.h"
#include "infrastructure/notifications/notifications_api.h"
#include "infrastructure/notifications/order_outcomes.h"
#include "infrastructure/ordering/fulfilment_subscription.h"
#include "infrastructure/ordering/order_api.h"
#include "infrastructure/ordering/ordering_messages.h"
#include "infrastructure/ordering/price_list_subscription.h"
#include "infrastructure/payments/payment_api.h"
#include "infrastructure/payments/payment_commands.h"
#include "infrastructure/reporting/projector.h"
#include "infrastructure/reporting/reporting_api.h"
#include "infrastructure/shipping/shipping_api.h"
#include "infrastructure/shipping/shipping_commands.h"
#include "infrastructure/simulators/carrier.h"
#include "infrastructure/simulators/payment_gateway.h"

#include "domain/shared/error.h"
#include "domain/shared/text.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------ workers */

static struct relay_source catalog_relay = {"catalog", RELAY_OUTBOX_TABLE, NULL, false};
/* Ordering's events, translated, and the saga's commands in ordering.outbox. */
static struct relay_source ordering_relay = {"ordering", RELAY_EVENT_STORE,
                                             ordering_messages_translate, true};
static struct consumer_worker_arg ordering_price_list = {&price_list_subscription, NULL, NULL};
static struct consumer_worker_arg ordering_fulfilment = {&fulfilment_subscription,
                                                         &fulfilment_subscription_options, NULL};
static struct consumer_worker_arg notifications_order_outcomes = {&order_outcomes_subscription,
                                                                  NULL, NULL};
/* The saga's participants: each answers Ordering's commands through its own outbox.
 * Payments and Shipping wait out a gateway or carrier that is away (their options keep
 * retrying for about two minutes), so a saga step waits while a breaker is open. */
static struct relay_source inventory_relay = {"inventory", RELAY_OUTBOX_TABLE, NULL, false};
static struct relay_source payments_relay = {"payments", RELAY_OUTBOX_TABLE, NULL, false};
static struct relay_source shipping_relay = {"shipping", RELAY_OUTBOX_TABLE, NULL, false};
static struct consumer_worker_arg inventory_commands = {&inventory_commands_subscription, NULL,
                                                        NULL};
static struct consumer_worker_arg payments_commands = {&payment_commands_subscription,
                                                       &payment_commands_options, NULL};
static struct consumer_worker_arg shipping_commands = {&shipping_commands_subscription,
                                                       &shipping_commands_options, NULL};

static size_t add_relay(struct worker_def *defs, void **args, size_t n, size_t max,
                        struct relay_source *src)
{
    if (n >= max)
        return n;
    relay_worker_def(&defs[n], src);
    args[n] = src;
    return n + 1;
}

static size_t add_consumer(struct worker_def *defs, void **args, size_t n, size_t max,
                           struct consumer_worker_arg *arg)
{
    if (n >= max)
        return n;
    defs[n] = consumer_worker;
    defs[n].name = arg->sub->name; /* its subscriber: the label in logs and /metrics */
    args[n] = arg;
    return n + 1;
}

static size_t catalog_workers(struct worker_def *defs, void **args, size_t max)
{
    return add_relay(defs, args, 0, max, &catalog_relay);
}

static size_t ordering_workers(struct worker_def *defs, void **args, size_t max)
{
    size_t n = add_relay(defs, args, 0, max, &ordering_relay);
    n = add_consumer(defs, args, n, max, &ordering_price_list);
    n = add_consumer(defs, args, n, max, &ordering_fulfilment);
    if (n < max) { /* the saga's deadline timer */
        defs[n] = saga_deadlines_worker;
        args[n++] = NULL;
    }
    return n;
}

static size_t reporting_workers(struct worker_def *defs, void **args, size_t max)
{
    if (max < 1)
        return 0;
    defs[0] = projector_worker;
    args[0] = NULL;
    return 1;
}

static size_t notifications_workers(struct worker_def *defs, void **args, size_t max)
{
    return add_consumer(defs, args, 0, max, &notifications_order_outcomes);
}

static size_t inventory_workers(struct worker_def *defs, void **args, size_t max)
{
    size_t n = add_consumer(defs, args, 0, max, &inventory_commands);
    return add_relay(defs, args, n, max, &inventory_relay);
}

static size_t payments_workers(struct worker_def *defs, void **args, size_t max)
{
    size_t n = add_consumer(defs, args, 0, max, &payments_commands);
    return add_relay(defs, args, n, max, &payments_relay);
}

static size_t shipping_workers(struct worker_def *defs, void **args, size_t max)
{
    size_t n = add_consumer(defs, args, 0, max, &shipping_commands);
    return add_relay(defs, args, n, max, &shipping_relay);
}

/* ------------------------------------------------------------------ the table */

const struct service_def service_defs[] = {
    {"catalog", 1, "shop_catalog", "products and their prices", false, catalog_api_open,
     catalog_api_close, catalog_workers},
    {"ordering", 2, "shop_ordering", "orders (event-sourced)", false, order_api_open,
     order_api_close, ordering_workers},
    {"inventory", 3, "shop_inventory", "stock and reservations", false, inventory_api_open,
     inventory_api_close, inventory_workers},
    {"payments", 4, "shop_payments", "payments (event-sourced), through the gateway", false,
     payment_api_open, payment_api_close, payments_workers},
    {"shipping", 5, "shop_shipping", "shipments (event-sourced), through the carrier", false,
     shipping_api_open, shipping_api_close, shipping_workers},
    {"reporting", 6, "shop_reporting", "read models of orders, stock and sales (CQRS read side)",
     false, reporting_api_open, reporting_api_close, reporting_workers},
    {"notifications", 7, "shop_notifications", "one notification per customer-visible order event",
     false, notifications_api_open, notifications_api_close, notifications_workers},
    {"payment-gateway", 8, NULL, "simulated card payment gateway (external system)", true,
     payment_gateway_open, payment_gateway_close, NULL},
    {"carrier", 9, NULL, "simulated parcel carrier (external system)", true, carrier_open,
     carrier_close, NULL},
};
const size_t service_def_count = sizeof service_defs / sizeof service_defs[0];

const struct service_def *service_find(const char *name)
{
    for (size_t i = 0; i < service_def_count; i++)
        if (strcmp(service_defs[i].name, name) == 0)
            return &service_defs[i];
    return NULL;
}

int service_select(const struct service_def *out[SERVICE_MAX], const char *only)
{
    bool wanted[SERVICE_MAX] = {false};
    if (only && !*only)
        return shop_error_set(SHOP_EINVALID, "name at least one service, e.g. catalog");
    for (const char *p = only; p;) {
        size_t len = strcspn(p, ",");
        bool found = false;
        for (size_t i = 0; i < service_def_count; i++)
            if (strlen(service_defs[i].name) == len && strncmp(service_defs[i].name, p, len) == 0)
                wanted[i] = found = true;
        if (!found) {
            char name[64], quoted[TEXT_QUOTE_SIZE], names[256] = "";
            snprintf(name, sizeof name, "%.*s", (int)len, p);
            for (size_t i = 0; i < service_def_count; i++) {
                size_t used = strlen(names);
                snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "",
                         service_defs[i].name);
            }
            return shop_error_set(SHOP_EINVALID, "no service '%s'; expected names from: %s",
                                  text_quote(quoted, name), names);
        }
        p = p[len] == ',' ? p + len + 1 : NULL;
    }
    int n = 0;
    for (size_t i = 0; i < service_def_count; i++)
        if (!only || wanted[i])
            out[n++] = &service_defs[i];
    return n;
}
