/*
 * infrastructure/cli/demo_messaging.c — the demo's event-driven step (`shop demo`, step 7).
 *
 * Step 6 showed Ordering asking Catalog for every price over HTTP, and failing when
 * Catalog is down.  This step runs the shop's default instead: Ordering keeps its own
 * replica of Catalog's prices, fed by Catalog's integration events (event-carried state
 * transfer).  Catalog, Ordering and Notifications start here with their workers (relays
 * and consumers, infrastructure/service/services.c); the step changes a price, watches
 * it arrive in Ordering's replica (outbox → relay → bus → consumer), stops Catalog,
 * places an order at the new price all the same, waits for its notification and prints
 * the order's trace — the causal tree `shop trace` prints.
 * Read next: docs/patterns/event-driven.md, infrastructure/messaging/relay.c,
 * infrastructure/messaging/consumer.c
 */
#include "infrastructure/cli/demo.h"

#include "domain/shared/error.h"
#include "domain/shared/uuid.h"
#include "infrastructure/http/http_client.h"
#include "infrastructure/messaging/trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WAIT_LIMIT_MS 10000 /* a message's journey takes milliseconds; give up after 10 s */

enum { CATALOG, ORDERING, NOTIFICATIONS, SERVICE_COUNT };
static const char *const names[SERVICE_COUNT] = {"catalog", "ordering", "notifications"};

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void pause_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

/* Asks quietly (the waits would print a line per poll). */
static int ask(cJSON **out, const struct demo_service *svc, const char *path)
{
    struct http_request req = {
        .service = svc->name, .base_url = svc->url, .method = "GET", .path = path};
    return http_call(out, &req);
}

/* Waits until Ordering's replica has `price` for the SKU; *waited_ms how long it took. */
static int wait_for_price(const struct demo_service *ordering, const char *sku, const char *price,
                          int64_t *waited_ms)
{
    char path[96];
    int64_t start = now_ms();
    snprintf(path, sizeof path, "/prices/%s", sku);
    for (;;) {
        cJSON *reply = NULL;
        int rc = ask(&reply, ordering, path);
        bool arrived = rc == 0 && strcmp(demo_string(reply, "price"), price) == 0;
        cJSON_Delete(reply);
        *waited_ms = now_ms() - start;
        if (arrived)
            return 0;
        if (rc < 0 && rc != SHOP_ENOTFOUND)
            return rc;
        if (*waited_ms > WAIT_LIMIT_MS)
            return shop_error_set(SHOP_EUNAVAILABLE,
                                  "Ordering's price of %s did not become %s within %d s", sku,
                                  price, WAIT_LIMIT_MS / 1000);
        pause_ms(10);
    }
}

/* Waits for the order's first notification; its text in out. */
static int wait_for_notification(const struct demo_service *notifications, const char *order_id,
                                 char *out, size_t size)
{
    char path[128];
    int64_t start = now_ms();
    snprintf(path, sizeof path, "/notifications?order=%s", order_id);
    for (;;) {
        cJSON *reply = NULL;
        int rc = ask(&reply, notifications, path);
        const cJSON *first = rc == 0 && cJSON_IsArray(reply) ? cJSON_GetArrayItem(reply, 0) : NULL;
        if (first)
            snprintf(out, size, "%s", demo_string(first, "text"));
        cJSON_Delete(reply);
        if (first)
            return 0;
        if (rc < 0)
            return rc;
        if (now_ms() - start > WAIT_LIMIT_MS)
            return shop_error_set(SHOP_EUNAVAILABLE, "no notification for order %s within %d s",
                                  order_id, WAIT_LIMIT_MS / 1000);
        pause_ms(10);
    }
}

int demo_messaging_step(const struct cli *cli, PGconn *conn, cJSON *doc)
{
    struct demo_service svc[SERVICE_COUNT] = {{0}};
    cJSON *step = doc ? cJSON_AddObjectToObject(doc, "messaging") : NULL;
    cJSON *reply = NULL;
    char body[256], price_before[64], price_after[64], order_id[64] = "";
    int64_t waited_ms = 0;
    int rc;

    demo_say(cli,
             "7. Event-driven: Ordering keeps its own copy of Catalog's prices\n"
             "   Catalog writes each change and its integration event in one statement (an\n"
             "   outbox); its relay moves the event to the bus; Ordering's consumer updates\n"
             "   its replica, once, whatever is delivered twice.  Placing an order asks nobody.\n");
    cJSON *started = step ? cJSON_AddArrayToObject(step, "started") : NULL;
    for (int i = 0; i < SERVICE_COUNT; i++)
        if ((rc = demo_start_service(cli, &svc[i], names[i], started)) < 0)
            goto done;

    /* Step 6 added DEMO-LAMP; a second demo on the same database finds it at the price
     * the first one left, so the change goes back and forth. */
    if ((rc = ask(&reply, &svc[CATALOG], "/products/DEMO-LAMP")) < 0)
        goto done;
    snprintf(price_before, sizeof price_before, "%s", demo_string(reply, "price"));
    snprintf(price_after, sizeof price_after, "%s",
             strcmp(price_before, "19.90 EUR") == 0 ? "24.90 EUR" : "19.90 EUR");
    cJSON_Delete(reply);
    reply = NULL;
    if ((rc = wait_for_price(&svc[ORDERING], "DEMO-LAMP", price_before, &waited_ms)) < 0)
        goto done;
    demo_say(cli, "   Ordering's replica: DEMO-LAMP at %s\n", price_before);

    snprintf(body, sizeof body, "{\"price\":\"%s\"}", price_after);
    if ((rc = demo_call(cli, &reply, &svc[CATALOG], "PUT", "/products/DEMO-LAMP/price", body)) < 0)
        goto done;
    char price_change[64];
    snprintf(price_change, sizeof price_change, "%s", demo_string(reply, "correlation_id"));
    cJSON_Delete(reply);
    reply = NULL;
    demo_say(cli, "   -> Catalog: DEMO-LAMP now %s (correlation id %s)\n", price_after,
             price_change);
    if ((rc = wait_for_price(&svc[ORDERING], "DEMO-LAMP", price_after, &waited_ms)) < 0)
        goto done;
    demo_say(cli,
             "   -> Ordering's replica had %s %lld ms later: catalog.PriceChanged went\n"
             "      outbox -> relay -> messaging.bus -> consumer ordering.price-list\n",
             price_after, (long long)waited_ms);

    demo_say(cli,
             "   Catalog stops.  Ordering prices from its replica, so it still takes orders:\n");
    demo_stop_service(&svc[CATALOG]);
    static const char order_body[] =
        "{\"customer\":\"demo-customer\",\"lines\":[{\"sku\":\"DEMO-LAMP\",\"quantity\":2}],"
        "\"ship_to\":\"1 Demo Street, Springfield\",\"postcode\":\"12345\"}";
    if ((rc = demo_call(cli, &reply, &svc[ORDERING], "POST", "/orders", order_body)) < 0)
        goto done;
    snprintf(order_id, sizeof order_id, "%s", demo_string(reply, "order_id"));
    cJSON_Delete(reply);
    reply = NULL;
    char path[128];
    snprintf(path, sizeof path, "/orders/%s", order_id);
    if ((rc = ask(&reply, &svc[ORDERING], path)) < 0)
        goto done;
    demo_say(cli, "   -> order %s placed, total %s (2 x %s), Catalog not running\n", order_id,
             demo_string(reply, "total"), price_after);
    if (step) {
        cJSON_AddStringToObject(step, "price_before", price_before);
        cJSON_AddStringToObject(step, "price_after", price_after);
        cJSON_AddNumberToObject(step, "replica_caught_up_ms", (double)waited_ms);
        cJSON_AddStringToObject(step, "price_change_correlation_id", price_change);
        cJSON_AddStringToObject(step, "replica_order_id", order_id);
        cJSON_AddStringToObject(step, "total", demo_string(reply, "total"));
        cJSON_AddBoolToObject(step, "catalog_running", false);
    }
    cJSON_Delete(reply);
    reply = NULL;

    char text[512];
    if ((rc = wait_for_notification(&svc[NOTIFICATIONS], order_id, text, sizeof text)) < 0)
        goto done;
    demo_say(cli, "   -> Notifications heard ordering.OrderPlaced: \"%s\"\n", text);
    if (step)
        cJSON_AddStringToObject(step, "notification", text);

    /* The order's causal tree, as `shop trace ID` prints it. */
    shop_uuid id;
    struct trace trace;
    if (uuid_parse(&id, order_id) == 0) {
        trace_init(&trace, id);
        if (trace_collect_pg(&trace, conn) == 0 && !cli->json) {
            demo_say(cli, "   shop trace %s:\n", order_id);
            fflush(stdout);
            cli_print_trace(&trace);
        }
        trace_dispose(&trace);
    }
    demo_say(cli,
             "   Read: docs/patterns/event-driven.md, infrastructure/service/services.c,\n"
             "         infrastructure/messaging/relay.c, infrastructure/messaging/consumer.c,\n"
             "         infrastructure/ordering/price_list_subscription.c\n\n");
    rc = 0;
done:
    cJSON_Delete(reply);
    for (int i = SERVICE_COUNT - 1; i >= 0; i--)
        demo_stop_service(&svc[i]);
    return rc;
}
