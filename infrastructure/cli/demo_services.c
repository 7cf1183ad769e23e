/*
 * infrastructure/cli/demo_services.c — the demo's microservices step (`shop demo`, step 6).
 *
 * Starts Catalog, Inventory and Ordering as services inside this process (each with its
 * own thread, event loop, HTTP server and database connection running as its context's
 * role, exactly as `shop up --monolith` does), then talks to them only over HTTP, as the
 * command line does: adds a product, receives stock, places an order that Ordering
 * prices by asking Catalog, shows it, and finally stops Catalog to show what a
 * synchronous dependency costs: Ordering can no longer take orders.
 * Read next: infrastructure/service/services.c, infrastructure/ordering/price_list_http.c,
 * docs/patterns/microservices.md
 */
#include "infrastructure/cli/demo.h"

#include "domain/shared/error.h"
#include "infrastructure/http/http_client.h"
#include "infrastructure/messaging/observers.h"
#include "infrastructure/service/serve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEMO_SERVICE_COUNT 3
static const char *const demo_services[DEMO_SERVICE_COUNT] = {"catalog", "inventory", "ordering"};

struct running_service {
    struct served *served;
    char url[64];
};

/* One HTTP call; the reply's JSON in *out (may be NULL).  Prints the call as it goes. */
static int call(const struct cli *cli, cJSON **out, const struct running_service *svc,
                const char *name, const char *method, const char *path, const char *body)
{
    struct http_request req = {
        .service = name, .base_url = svc->url, .method = method, .path = path, .body = body};
    demo_say(cli, "   %-4s %s%s%s%s\n", method, name, path, body ? "  " : "", body ? body : "");
    return http_call(out, &req);
}

static const char *string_of(const cJSON *doc, const char *field)
{
    const cJSON *v = doc ? cJSON_GetObjectItemCaseSensitive(doc, field) : NULL;
    return cJSON_IsString(v) ? v->valuestring : "?";
}

static double number_of(const cJSON *doc, const char *field)
{
    const cJSON *v = doc ? cJSON_GetObjectItemCaseSensitive(doc, field) : NULL;
    return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

static int start_all(const struct cli *cli, struct running_service svc[DEMO_SERVICE_COUNT],
                     cJSON *out)
{
    serve_use_threads();
    /* This step shows the synchronous dependency: Ordering asks Catalog for each price
     * (its default, a replica fed by Catalog's events, would not need Catalog up). */
    setenv("SHOP_PRICE_LIST", "catalog-http", 1);
    event_log_set(cli->verbose ? stderr : NULL); /* the services' event log: with --verbose */
    for (int i = 0; i < DEMO_SERVICE_COUNT; i++) {
        const struct service_def *def = service_find(demo_services[i]);
        struct serve_options options = {
            .conninfo = cli->db, .host = "127.0.0.1", .port = 0, .verbose = cli->verbose};
        int rc = serve_open(&svc[i].served, def, &options);
        if (rc < 0)
            return rc;
        snprintf(svc[i].url, sizeof svc[i].url, "http://127.0.0.1:%u",
                 (unsigned)serve_port(svc[i].served));
        /* the services find each other as the command line finds them: SHOP_<NAME>_URL */
        service_set_url(def->name, svc[i].url);
        if ((rc = serve_start_thread(svc[i].served)) < 0)
            return rc;
        struct http_request req = {
            .service = def->name, .base_url = svc[i].url, .method = "GET", .path = "/health"};
        cJSON *health = NULL;
        rc = http_call(&health, &req);
        demo_say(cli, "   %-10s %s  pid %ld  runs as %s\n", def->name, svc[i].url,
                 (long)number_of(health, "pid"), string_of(health, "db_role"));
        if (out) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "name", def->name);
            cJSON_AddStringToObject(o, "address", svc[i].url);
            cJSON_AddStringToObject(o, "db_role", string_of(health, "db_role"));
            cJSON_AddItemToArray(out, o);
        }
        cJSON_Delete(health);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static void stop_one(struct running_service *svc)
{
    if (svc->served) {
        serve_stop(svc->served);
        serve_close(svc->served);
        svc->served = NULL;
    }
}

int demo_services_step(const struct cli *cli, cJSON *doc)
{
    struct running_service svc[DEMO_SERVICE_COUNT] = {0};
    cJSON *step = doc ? cJSON_AddObjectToObject(doc, "services") : NULL;
    cJSON *reply = NULL;
    char path[128];
    int rc;

    demo_say(cli, "6. Microservices: each context is a service with its own API and database role\n"
                  "   Catalog, Inventory and Ordering start here, each with its own thread, loop\n"
                  "   and connection (what `shop up --monolith` does; `shop up` gives each its own\n"
                  "   process).  From now on they are reached over HTTP only.\n");
    if ((rc = start_all(cli, svc, step ? cJSON_AddArrayToObject(step, "started") : NULL)) < 0)
        goto done;

    rc = call(cli, &reply, &svc[0], "catalog", "POST", "/products",
              "{\"sku\":\"DEMO-LAMP\",\"name\":\"Desk lamp\",\"price\":\"24.90 EUR\"}");
    if (rc == SHOP_EREFUSED) {
        demo_say(cli, "   -> already in the catalogue (an earlier demo added it)\n");
        rc = 0;
    } else if (rc == 0) {
        demo_say(cli, "   -> added %s at %s\n", string_of(reply, "sku"), string_of(reply, "price"));
    }
    cJSON_Delete(reply);
    reply = NULL;
    if (rc < 0)
        goto done;

    rc = call(cli, &reply, &svc[1], "inventory", "POST", "/stock/DEMO-LAMP/receipts",
              "{\"quantity\":5}");
    if (rc < 0)
        goto done;
    demo_say(cli, "   -> on hand %.0f, available %.0f\n", number_of(reply, "on_hand"),
             number_of(reply, "available"));
    cJSON_Delete(reply);
    reply = NULL;

    static const char order_body[] =
        "{\"customer\":\"demo-customer\",\"lines\":[{\"sku\":\"DEMO-LAMP\",\"quantity\":2}],"
        "\"ship_to\":\"1 Demo Street, Springfield\",\"postcode\":\"12345\"}";
    if ((rc = call(cli, &reply, &svc[2], "ordering", "POST", "/orders", order_body)) < 0)
        goto done;
    char order_id[64];
    snprintf(order_id, sizeof order_id, "%s", string_of(reply, "order_id"));
    demo_say(cli, "   -> order %s (Ordering asked Catalog for the price over HTTP)\n", order_id);
    cJSON_Delete(reply);
    reply = NULL;
    snprintf(path, sizeof path, "/orders/%s", order_id);
    if ((rc = call(cli, &reply, &svc[2], "ordering", "GET", path, NULL)) < 0)
        goto done;
    demo_say(cli, "   -> %s, total %s\n", string_of(reply, "status"), string_of(reply, "total"));
    if (step) {
        cJSON_AddStringToObject(step, "service_order_id", order_id);
        cJSON_AddStringToObject(step, "total", string_of(reply, "total"));
    }
    cJSON_Delete(reply);
    reply = NULL;

    demo_say(cli, "   Catalog stops.  Ordering asks it for prices on every order, synchronously:\n");
    stop_one(&svc[0]);
    rc = call(cli, NULL, &svc[2], "ordering", "POST", "/orders", order_body);
    demo_say(cli, "   -> %s: %s\n", rc == SHOP_EUNAVAILABLE ? "refused, try again later" : "?",
             rc < 0 ? shop_error_message() : "the order was taken");
    if (step)
        cJSON_AddBoolToObject(step, "ordering_needs_catalog", rc == SHOP_EUNAVAILABLE);
    rc = rc == SHOP_EUNAVAILABLE ? 0 : shop_error_set(SHOP_EINTERNAL,
                                                      "Ordering took an order without Catalog");
    demo_say(cli, "   (keeping a replica of Catalog's prices, fed by its events, removes that\n"
                  "   dependency: that comes with messaging.)\n");
    demo_say(cli, "   Read: infrastructure/service/services.c, infrastructure/catalog/catalog_api.c,\n"
                  "         infrastructure/ordering/price_list_http.c, docs/patterns/microservices.md\n\n");
done:
    cJSON_Delete(reply);
    for (int i = DEMO_SERVICE_COUNT - 1; i >= 0; i--)
        stop_one(&svc[i]);
    return rc;
}
