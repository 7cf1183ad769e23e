/*
 * infrastructure/service/services.c — the table of services: every process layout
 * (`shop serve NAME`, `shop up`, `shop up --monolith`) starts services from here.
 *
 * Pattern: microservices.  Each row is one deployable unit: a bounded context with its
 * own schema and database role, or a simulated external system with no database.
 * Read next: service.h, serve.c, docs/patterns/microservices.md.
 */
#include "infrastructure/service/service.h"

#include "infrastructure/catalog/catalog_api.h"
#include "infrastructure/inventory/inventory_api.h"
#include "infrastructure/notifications/notifications_api.h"
#include "infrastructure/ordering/order_api.h"
#include "infrastructure/payments/payment_api.h"
#include "infrastructure/shipping/shipping_api.h"
#include "infrastructure/simulators/carrier.h"
#include "infrastructure/simulators/payment_gateway.h"

#include "domain/shared/error.h"
#include "domain/shared/text.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

const struct service_def service_defs[] = {
    {"catalog", 1, "shop_catalog", "products and their prices", false, catalog_api_open,
     catalog_api_close, NULL},
    {"ordering", 2, "shop_ordering", "orders (event-sourced)", false, order_api_open,
     order_api_close, NULL},
    {"inventory", 3, "shop_inventory", "stock and reservations", false, inventory_api_open,
     inventory_api_close, NULL},
    {"payments", 4, "shop_payments", "payments (event-sourced), through the gateway", false,
     payment_api_open, payment_api_close, NULL},
    {"shipping", 5, "shop_shipping", "shipments (event-sourced), through the carrier", false,
     shipping_api_open, shipping_api_close, NULL},
    {"notifications", 7, "shop_notifications", "one notification per customer-visible order event",
     false, notifications_api_open, notifications_api_close, NULL},
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
