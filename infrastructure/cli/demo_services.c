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

/* One HTTP call; the reply's JSON in *out (may be NULL).  Prints the call as it goes. */
int demo_call(const struct cli *cli, cJSON **out, const struct demo_service *svc,
              const char *method, const char *path, const char *body)
{
    struct http_request req = {
        .service = svc->name, .base_url = svc->url, .method = method, .path = path, .body = body};
    demo_say(cli, "   %-4s %s%s%s%s\n", method, svc->name, path, body ? "  " : "",
             body ? body : "");
    return http_call(out, &req);
}

const char *demo_string(const cJSON *doc, const char *field)
{
    const cJSON *v = doc ? cJSON_GetObjectItemCaseSensitive(doc, field) : NULL;
    return cJSON_IsString(v) ? v->valuestring : "?";
}

double demo_number(const cJSON *doc, const char *field)
{
    const cJSON *v = doc ? cJSON_GetObjectItemCaseSensitive(doc, field) : NULL;
    return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

int demo_start_service(const struct cli *cli, struct demo_service *svc, const char *name,
                       cJSON *out)
{
    const struct service_def *def = service_find(name);
    struct serve_options options = {
        .conninfo = cli->db, .host = "127.0.0.1", .port = 0, .verbose = cli->verbose};
    int rc;

    serve_use_threads();
    event_log_set(cli->verbose ? stderr : NULL); /* the services' event log: with --verbose */
    svc->name = name;
    if (!def)
        return shop_error_set(SHOP_EINTERNAL, "no service %s", name);
    if ((rc = serve_open(&svc->served, def, &options)) < 0)
        return rc;
    snprintf(svc->url, sizeof svc->url, "http://127.0.0.1:%u", (unsigned)serve_port(svc->served));
    /* the services find each other as the command line finds them: SHOP_<NAME>_URL */
    service_set_url(def->name, svc->url);
    if ((rc = serve_start_thread(svc->served)) < 0)
        return rc;
    struct http_request req = {
        .service = def->name, .base_url = svc->url, .method = "GET", .path = "/health"};
    cJSON *health = NULL;
    rc = http_call(&health, &req);
    demo_say(cli, "   %-13s %s  pid %ld  runs as %s\n", def->name, svc->url,
             (long)demo_number(health, "pid"), demo_string(health, "db_role"));
    if (out) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", def->name);
        cJSON_AddStringToObject(o, "address", svc->url);
        cJSON_AddStringToObject(o, "db_role", demo_string(health, "db_role"));
        cJSON_AddItemToArray(out, o);
    }
    cJSON_Delete(health);
    return rc;
}

void demo_stop_service(struct demo_service *svc)
{
    if (svc->served) {
        serve_stop(svc->served);
        serve_close(svc->served);
        svc->served = NULL;
    }
}

int demo_services_step(const struct cli *cli, cJSON *doc)
{
    struct demo_service svc[DEMO_SERVICE_COUNT] = {0};
    cJSON *step = doc ? cJSON_AddObjectToObject(doc, "services") : NULL;
    cJSON *reply = NULL;
    char path[128];
    int rc;

    demo_say(cli,
             "6. Microservices: each context is a service with its own API and database role\n"
             "   Catalog, Inventory and Ordering start here, each with its own thread, loop\n"
             "   and connection (what `shop up --monolith` does; `shop up` gives each its own\n"
             "   process).  From now on they are reached over HTTP only.\n");
    /* This step shows the synchronous dependency: Ordering asks Catalog for each price
     * (its default, a replica fed by Catalog's events, does not need Catalog up: step 7). */
    setenv("SHOP_PRICE_LIST", "catalog-http", 1);
    cJSON *started = step ? cJSON_AddArrayToObject(step, "started") : NULL;
    for (int i = 0; i < DEMO_SERVICE_COUNT; i++)
        if ((rc = demo_start_service(cli, &svc[i], demo_services[i], started)) < 0)
            goto done;

    rc = demo_call(cli, &reply, &svc[0], "POST", "/products",
                   "{\"sku\":\"DEMO-LAMP\",\"name\":\"Desk lamp\",\"price\":\"24.90 EUR\"}");
    if (rc == SHOP_EREFUSED) {
        demo_say(cli, "   -> already in the catalogue (an earlier demo added it)\n");
        rc = 0;
    } else if (rc == 0) {
        demo_say(cli, "   -> added %s at %s\n", demo_string(reply, "sku"),
                 demo_string(reply, "price"));
    }
    cJSON_Delete(reply);
    reply = NULL;
    if (rc < 0)
        goto done;

    rc = demo_call(cli, &reply, &svc[1], "POST", "/stock/DEMO-LAMP/receipts", "{\"quantity\":5}");
    if (rc < 0)
        goto done;
    demo_say(cli, "   -> on hand %.0f, available %.0f\n", demo_number(reply, "on_hand"),
             demo_number(reply, "available"));
    cJSON_Delete(reply);
    reply = NULL;

    static const char order_body[] =
        "{\"customer\":\"demo-customer\",\"lines\":[{\"sku\":\"DEMO-LAMP\",\"quantity\":2}],"
        "\"ship_to\":\"1 Demo Street, Springfield\",\"postcode\":\"12345\"}";
    if ((rc = demo_call(cli, &reply, &svc[2], "POST", "/orders", order_body)) < 0)
        goto done;
    char order_id[64];
    snprintf(order_id, sizeof order_id, "%s", demo_string(reply, "order_id"));
    demo_say(cli, "   -> order %s (Ordering asked Catalog for the price over HTTP)\n", order_id);
    cJSON_Delete(reply);
    reply = NULL;
    snprintf(path, sizeof path, "/orders/%s", order_id);
    if ((rc = demo_call(cli, &reply, &svc[2], "GET", path, NULL)) < 0)
        goto done;
    demo_say(cli, "   -> %s, total %s\n", demo_string(reply, "status"),
             demo_string(reply, "total"));
    if (step) {
        cJSON_AddStringToObject(step, "service_order_id", order_id);
        cJSON_AddStringToObject(step, "total", demo_string(reply, "total"));
    }
    cJSON_Delete(reply);
    reply = NULL;

    demo_say(cli,
             "   Catalog stops.  Ordering asks it for prices on every order, synchronously:\n");
    demo_stop_service(&svc[0]);
    rc = demo_call(cli, NULL, &svc[2], "POST", "/orders", order_body);
    demo_say(cli, "   -> %s: %s\n", rc == SHOP_EUNAVAILABLE ? "refused, try again later" : "?",
             rc < 0 ? shop_error_message() : "the order was taken");
    if (step)
        cJSON_AddBoolToObject(step, "ordering_needs_catalog", rc == SHOP_EUNAVAILABLE);
    rc = rc == SHOP_EUNAVAILABLE
             ? 0
             : shop_error_set(SHOP_EINTERNAL, "Ordering took an order without Catalog");
    demo_say(cli, "   (keeping a replica of Catalog's prices, fed by its events, removes that\n"
                  "   dependency: the next step.)\n");
    demo_say(
        cli,
        "   Read: infrastructure/service/services.c, infrastructure/catalog/catalog_api.c,\n"
        "         infrastructure/ordering/price_list_http.c, docs/patterns/microservices.md\n\n");
done:
    cJSON_Delete(reply);
    for (int i = DEMO_SERVICE_COUNT - 1; i >= 0; i--)
        demo_stop_service(&svc[i]);
    unsetenv("SHOP_PRICE_LIST");
    return rc;
}
