/*
 * infrastructure/cli/demo_fulfilment.c — the demo on a running system (`shop demo`,
 * steps 5 to 9): the shop as its users meet it.
 *
 *   5. the running system: the services at SHOP_API_URL; when they are not all up, the
 *      demo starts `shop up` itself (one process per service) and stops it at the end;
 *   6. a catalogue and stock; a price change reaches Ordering's replica through the bus
 *      (event-carried state transfer: placing an order asks Catalog nothing);
 *   7. four orders, one per outcome of docs/cli.md — a happy order, out of stock, a
 *      declined card, an undeliverable address — each told in the saga's own words
 *      (the steps `shop saga show` prints), with the files to read;
 *   8. the patterns each order touched: the happy order's event stream (event sourcing),
 *      the read model catching up (CQRS), its notifications (observer), the undeliverable
 *      order's causal tree with its compensations (`shop trace`), the payment gateway's
 *      circuit breaker;
 *   9. the system left consistent: every order of the demo confirmed or cancelled, no
 *      stock of its products still reserved, no saga stuck, nothing dead-lettered.
 * Everything goes through the services' HTTP APIs, as `shop` does, but the saga's steps,
 * the trace and the last checks, which read PostgreSQL like the operations commands.
 * Read next: docs/patterns/saga.md, domain/ordering/fulfilment.c
 */
#include "infrastructure/cli/demo.h"

#include "application/ordering/saga_store.h"
#include "domain/shared/error.h"
#include "domain/shared/uuid.h"
#include "infrastructure/http/http_client.h"
#include "infrastructure/messaging/trace.h"
#include "infrastructure/ordering/saga_store_pg.h"
#include "infrastructure/service/service.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define START_LIMIT_MS   30000 /* `shop up` starts every service in a second or two */
#define OUTCOME_LIMIT_MS 30000 /* an order's saga takes well under a second when all is up */
#define STOP_LIMIT_MS    15000 /* `shop up` stops its children within 5 s, then kills them */

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

/* One quiet call to a service at its address: 0 and the reply's JSON, or a SHOP_E*. */
static int ask(cJSON **out, const struct cli *cli, const char *service, const char *method,
               const char *path, const char *body)
{
    char url[SERVICE_URL_MAX];
    *out = NULL;
    int rc = service_url(url, service, cli->api);
    if (rc < 0)
        return rc;
    struct http_request req = {.service = service,
                               .base_url = url,
                               .method = method,
                               .path = path,
                               .body = body,
                               .timeout_ms = 5000};
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

/* ------------------------------------------------------------ 5. the running system */

/* The services that have a /health: every row of the table. */
static bool all_up(const struct cli *cli)
{
    for (size_t i = 0; i < service_def_count; i++) {
        cJSON *reply = NULL;
        int rc = ask(&reply, cli, service_defs[i].name, "GET", "/health", NULL);
        cJSON_Delete(reply);
        if (rc < 0)
            return false;
    }
    return true;
}

int demo_system_start(const struct cli *cli, struct demo_system *sys, cJSON *doc)
{
    char url[SERVICE_URL_MAX];
    memset(sys, 0, sizeof *sys);
    sys->up_pid = -1;
    service_url(url, "catalog", cli->api);
    demo_say(cli, "5. The running system: every context a service with its own API and workers\n");
    if (all_up(cli)) {
        demo_say(cli, "   every service already answers /health: the demo uses them as they are\n");
        if (doc)
            cJSON_AddStringToObject(doc, "system", "running");
    } else {
        const char *tmp = getenv("TMPDIR");
        snprintf(sys->log, sizeof sys->log, "%s/shop-demo-up-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        int fd = mkstemp(sys->log);
        if (fd < 0)
            return shop_error_set(SHOP_EUNAVAILABLE, "cannot create a log file for shop up: %s",
                                  strerror(errno));
        demo_say(cli, "   not every service is up, so the demo starts them: shop up (log: %s)\n",
                 sys->log);
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0) {
            close(fd);
            return shop_error_set(SHOP_EUNAVAILABLE, "cannot start shop up: %s", strerror(errno));
        }
        if (pid == 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
            close(fd);
            int devnull = open("/dev/null", O_RDONLY);
            if (devnull >= 0)
                dup2(devnull, STDIN_FILENO);
            setpgid(0, 0); /* Ctrl-C on the demo's terminal reaches the demo, which stops it */
            if (cli->db)
                execl("/proc/self/exe", "shop", "--db", cli->db, "up", (char *)NULL);
            else
                execl("/proc/self/exe", "shop", "up", (char *)NULL);
            _exit(127);
        }
        close(fd);
        sys->up_pid = pid;
        int64_t start = now_ms();
        for (;;) {
            int status;
            if (waitpid(pid, &status, WNOHANG) == pid) {
                sys->up_pid = -1;
                return shop_error_set(SHOP_EUNAVAILABLE, "shop up stopped while starting; see %s",
                                      sys->log);
            }
            if (all_up(cli))
                break;
            if (now_ms() - start > START_LIMIT_MS) {
                demo_system_stop(cli, sys);
                return shop_error_set(SHOP_EUNAVAILABLE,
                                      "the services did not all answer within %d s; see %s",
                                      START_LIMIT_MS / 1000, sys->log);
            }
            pause_ms(100);
        }
        demo_say(cli, "   up in %lld ms (pid %ld); the demo stops it when it is done\n",
                 (long long)(now_ms() - start), (long)pid);
        if (doc)
            cJSON_AddStringToObject(doc, "system", "started");
    }
    demo_say(cli, "   Read: infrastructure/service/services.c (every service and its workers),\n"
                  "         docs/patterns/microservices.md\n\n");
    return 0;
}

void demo_system_stop(const struct cli *cli, struct demo_system *sys)
{
    if (sys->up_pid <= 0)
        return;
    kill(sys->up_pid, SIGTERM);
    int64_t start = now_ms();
    int status;
    while (waitpid(sys->up_pid, &status, WNOHANG) == 0) {
        if (now_ms() - start > STOP_LIMIT_MS) {
            kill(sys->up_pid, SIGKILL);
            waitpid(sys->up_pid, &status, 0);
            break;
        }
        pause_ms(50);
    }
    demo_say(cli, "The demo stopped the system it started (shop up, pid %ld).\n", (long)sys->up_pid);
    sys->up_pid = -1;
    unlink(sys->log);
}

/* ------------------------------------------------------------ 6. catalogue and stock */

/* The product at the price, added if it is missing. */
static int ensure_product(const struct cli *cli, const char *code, const char *name,
                          const char *price)
{
    char path[96], body[256];
    cJSON *reply = NULL;
    snprintf(path, sizeof path, "/products/%s", code);
    int rc = ask(&reply, cli, "catalog", "GET", path, NULL);
    cJSON_Delete(reply);
    if (rc != SHOP_ENOTFOUND)
        return rc;
    snprintf(body, sizeof body, "{\"sku\":\"%s\",\"name\":\"%s\",\"price\":\"%s\"}", code, name,
             price);
    rc = ask(&reply, cli, "catalog", "POST", "/products", body);
    cJSON_Delete(reply);
    return rc;
}

/* Available units of a SKU as Inventory counts them (0 if it never had any). */
static int available(const struct cli *cli, const char *code, long *out)
{
    char path[96];
    cJSON *reply = NULL;
    snprintf(path, sizeof path, "/stock/%s", code);
    int rc = ask(&reply, cli, "inventory", "GET", path, NULL);
    *out = rc == 0 ? (long)demo_number(reply, "available") : 0;
    cJSON_Delete(reply);
    return rc == SHOP_ENOTFOUND ? 0 : rc;
}

static int wait_for_price(const struct cli *cli, const char *code, const char *price,
                          int64_t *waited_ms)
{
    char path[96];
    int64_t start = now_ms();
    snprintf(path, sizeof path, "/prices/%s", code);
    for (;;) {
        cJSON *reply = NULL;
        int rc = ask(&reply, cli, "ordering", "GET", path, NULL);
        bool arrived = rc == 0 && strcmp(demo_string(reply, "price"), price) == 0;
        cJSON_Delete(reply);
        *waited_ms = now_ms() - start;
        if (arrived)
            return 0;
        if (rc < 0 && rc != SHOP_ENOTFOUND)
            return rc;
        if (*waited_ms > OUTCOME_LIMIT_MS)
            return shop_error_set(SHOP_EUNAVAILABLE,
                                  "Ordering's price of %s did not become %s within %d s", code,
                                  price, OUTCOME_LIMIT_MS / 1000);
        pause_ms(10);
    }
}

static int seed(const struct cli *cli, cJSON *step)
{
    cJSON *reply = NULL;
    char price_before[64], price_after[64], body[96];
    int64_t waited_ms;
    int rc;

    demo_say(cli, "6. A catalogue and stock; Ordering keeps its own copy of the prices\n");
    if ((rc = ensure_product(cli, "DEMO-MUG", "Demo mug", "8.50 EUR")) < 0 ||
        (rc = ensure_product(cli, "DEMO-RARE", "Demo rare print", "120.00 EUR")) < 0)
        return rc;
    if ((rc = ask(&reply, cli, "inventory", "POST", "/stock/DEMO-MUG/receipts",
                  "{\"quantity\":10}")) < 0)
        return rc;
    cJSON_Delete(reply);
    demo_say(cli, "   Catalog: DEMO-MUG and DEMO-RARE; Inventory: 10 x DEMO-MUG received\n");

    /* A second demo on the same database finds the price the first left: go back and forth. */
    if ((rc = ask(&reply, cli, "catalog", "GET", "/products/DEMO-MUG", NULL)) < 0)
        return rc;
    snprintf(price_before, sizeof price_before, "%s", demo_string(reply, "price"));
    cJSON_Delete(reply);
    snprintf(price_after, sizeof price_after, "%s",
             strcmp(price_before, "8.50 EUR") == 0 ? "9.00 EUR" : "8.50 EUR");
    snprintf(body, sizeof body, "{\"price\":\"%s\"}", price_after);
    if ((rc = ask(&reply, cli, "catalog", "PUT", "/products/DEMO-MUG/price", body)) < 0)
        return rc;
    cJSON_Delete(reply);
    if ((rc = wait_for_price(cli, "DEMO-MUG", price_after, &waited_ms)) < 0 ||
        (rc = wait_for_price(cli, "DEMO-RARE", "120.00 EUR", &waited_ms)) < 0)
        return rc;
    demo_say(cli,
             "   Catalog: DEMO-MUG %s -> %s.  Ordering's replica had it moments later:\n"
             "   catalog.PriceChanged went outbox -> relay -> bus -> consumer ordering.price-list.\n"
             "   Placing an order asks Catalog nothing.\n"
             "   Read: docs/patterns/event-driven.md, infrastructure/ordering/price_list_subscription.c\n\n",
             price_before, price_after);
    if (step) {
        cJSON_AddStringToObject(step, "price_before", price_before);
        cJSON_AddStringToObject(step, "price_after", price_after);
    }
    return 0;
}

/* ------------------------------------------------------------ 7. four orders */

enum { HAPPY, OUT_OF_STOCK, DECLINED, UNDELIVERABLE, SCENARIO_COUNT };

struct scenario {
    const char *name;   /* for --json */
    const char *title;  /* for people */
    const char *sku;
    const char *card;
    const char *postcode;
    const char *expect; /* "confirmed" or the reason of the cancellation */
    const char *read;
    long quantity;
    char order_id[UUID_STRING_SIZE];
    char status[16];
    char reason[256];
    char total[64];
    int64_t took_ms;
};

static struct scenario scenarios[SCENARIO_COUNT] = {
    [HAPPY] = {"happy", "A happy order", "DEMO-MUG", "tok_visa", "12345", "confirmed",
               "domain/ordering/fulfilment.c, infrastructure/ordering/fulfilment_subscription.c", 2},
    [OUT_OF_STOCK] = {"out_of_stock", "Out of stock", "DEMO-RARE", "tok_visa", "12345",
                      "out of stock: SKU DEMO-RARE",
                      "infrastructure/inventory/inventory_commands.c, domain/inventory/inventory.c", 1},
    [DECLINED] = {"declined_card", "A declined card", "DEMO-MUG", "tok_chargeDeclined", "12345",
                  "payment declined",
                  "infrastructure/payments/payment_commands.c, infrastructure/resilience/resilient_call.c",
                  1},
    [UNDELIVERABLE] = {"undeliverable", "An undeliverable address", "DEMO-MUG", "tok_visa",
                       "00000", "undeliverable",
                       "infrastructure/shipping/shipping_commands.c, domain/shipping/shipment.c", 1},
};

static int place(const struct cli *cli, struct scenario *s)
{
    char body[512];
    cJSON *reply = NULL;
    snprintf(body, sizeof body,
             "{\"customer\":\"demo-customer\",\"lines\":[{\"sku\":\"%s\",\"quantity\":%ld}],"
             "\"ship_to\":\"1 Demo Street, Springfield\",\"postcode\":\"%s\",\"card\":\"%s\"}",
             s->sku, s->quantity, s->postcode, s->card);
    int rc = ask(&reply, cli, "ordering", "POST", "/orders", body);
    if (rc == 0)
        snprintf(s->order_id, sizeof s->order_id, "%s", demo_string(reply, "order_id"));
    cJSON_Delete(reply);
    return rc;
}

/* Waits until the order (write side) is confirmed or cancelled. */
static int wait_for_outcome(const struct cli *cli, struct scenario *s, int64_t started)
{
    char path[96];
    snprintf(path, sizeof path, "/orders/%s", s->order_id);
    for (;;) {
        cJSON *reply = NULL;
        int rc = ask(&reply, cli, "ordering", "GET", path, NULL);
        if (rc == 0) {
            snprintf(s->status, sizeof s->status, "%s", demo_string(reply, "status"));
            const cJSON *reason = cJSON_GetObjectItemCaseSensitive(reply, "reason");
            snprintf(s->reason, sizeof s->reason, "%s",
                     cJSON_IsString(reason) ? reason->valuestring : "");
            snprintf(s->total, sizeof s->total, "%s", demo_string(reply, "total"));
        }
        cJSON_Delete(reply);
        if (rc < 0)
            return rc;
        s->took_ms = now_ms() - started;
        if (strcmp(s->status, "placed") != 0)
            return 0;
        if (s->took_ms > OUTCOME_LIMIT_MS)
            return shop_error_set(SHOP_EUNAVAILABLE,
                                  "order %s (%s) has no outcome after %d s; see shop saga show %s",
                                  s->order_id, s->name, OUTCOME_LIMIT_MS / 1000, s->order_id);
        pause_ms(20);
    }
}

/* The saga's steps, as `shop saga show` prints them. */
static void tell_saga(const struct cli *cli, struct saga_store *sagas, const struct scenario *s,
                      cJSON *out)
{
    order_id id;
    fulfilment_saga *saga = calloc(1, sizeof *saga);
    int64_t version;
    if (!saga || uuid_parse(&id.uuid, s->order_id) < 0 ||
        saga_store_load(sagas, saga, &version, &id) < 0 || saga->state == SAGA_NONE) {
        free(saga);
        return;
    }
    cJSON *steps = out ? cJSON_AddArrayToObject(out, "saga_steps") : NULL;
    for (size_t i = 0; i < saga->step_count; i++) {
        long long ms = (long long)((saga->steps[i].at_us - saga->started_at_us) / 1000);
        demo_say(cli, "     %+6lld ms  %s\n", ms, saga->steps[i].name);
        if (steps)
            cJSON_AddItemToArray(steps, cJSON_CreateString(saga->steps[i].name));
    }
    if (out)
        cJSON_AddStringToObject(out, "saga_state", saga_state_name(saga->state));
    free(saga);
}

static int four_orders(const struct cli *cli, PGconn *conn, cJSON *step, bool *as_expected)
{
    long rare = 0;
    int rc = available(cli, "DEMO-RARE", &rare);
    if (rc < 0)
        return rc;
    scenarios[OUT_OF_STOCK].quantity = rare + 1; /* one more than there is */

    demo_say(cli,
             "7. Four orders, four outcomes: the fulfilment saga (orchestrated from Ordering)\n"
             "   reserve stock -> authorize payment -> schedule shipment -> capture -> confirm;\n"
             "   a failure undoes what was done, in reverse.  Every step is a message on the bus.\n");
    int64_t started = now_ms();
    for (int i = 0; i < SCENARIO_COUNT; i++) {
        scenarios[i].status[0] = scenarios[i].reason[0] = '\0';
        if ((rc = place(cli, &scenarios[i])) < 0)
            return rc;
    }
    for (int i = 0; i < SCENARIO_COUNT; i++)
        if ((rc = wait_for_outcome(cli, &scenarios[i], started)) < 0)
            return rc;

    struct saga_store *sagas = NULL;
    if (saga_store_pg_new(&sagas, conn) < 0)
        sagas = NULL;
    cJSON *list = step ? cJSON_AddArrayToObject(step, "orders") : NULL;
    *as_expected = true;
    for (int i = 0; i < SCENARIO_COUNT; i++) {
        struct scenario *s = &scenarios[i];
        bool confirmed = strcmp(s->status, "confirmed") == 0;
        bool expected = confirmed ? strcmp(s->expect, "confirmed") == 0
                                  : strcmp(s->status, "cancelled") == 0 &&
                                        strcmp(s->reason, s->expect) == 0;
        *as_expected = *as_expected && expected;
        demo_say(cli, "   %s: %ld x %s, card %s, postcode %s\n", s->title, s->quantity, s->sku,
                 s->card, s->postcode);
        demo_say(cli, "   -> order %s %s%s%s%s after %lld ms%s\n", s->order_id, s->status,
                 s->reason[0] ? ": \"" : "", s->reason, s->reason[0] ? "\"" : "",
                 (long long)s->took_ms, expected ? "" : "  (NOT WHAT THE SHOP PROMISES)");
        cJSON *o = NULL;
        if (list) {
            o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "scenario", s->name);
            cJSON_AddStringToObject(o, "order_id", s->order_id);
            cJSON_AddStringToObject(o, "status", s->status);
            if (s->reason[0])
                cJSON_AddStringToObject(o, "reason", s->reason);
            else
                cJSON_AddNullToObject(o, "reason");
            cJSON_AddBoolToObject(o, "as_expected", expected);
            cJSON_AddItemToArray(list, o);
        }
        if (sagas)
            tell_saga(cli, sagas, s, o);
        demo_say(cli, "   Read: %s\n", s->read);
    }
    saga_store_free(sagas);
    demo_say(cli, "   Read: docs/patterns/saga.md; watch sagas with shop saga list / shop saga show ID\n\n");
    return 0;
}

/* ------------------------------------------------------------ 8. the patterns */

static int patterns(const struct cli *cli, PGconn *conn, cJSON *step)
{
    const struct scenario *happy = &scenarios[HAPPY], *undeliverable = &scenarios[UNDELIVERABLE];
    char path[128];
    cJSON *reply = NULL;
    int rc;

    demo_say(cli, "8. What the orders touched\n");

    /* Event sourcing: the happy order is its events; version 1 is the order as placed. */
    snprintf(path, sizeof path, "/orders/%s?as_of=1", happy->order_id);
    if ((rc = ask(&reply, cli, "ordering", "GET", path, NULL)) < 0)
        return rc;
    demo_say(cli,
             "   Event sourcing: the happy order is the events of its stream; at version 1 it\n"
             "   was \"%s\", now it is \"%s\" (shop order history %s).\n"
             "   Read: docs/patterns/event-sourcing.md\n",
             demo_string(reply, "status"), happy->status, happy->order_id);
    cJSON_Delete(reply);
    reply = NULL;
    snprintf(path, sizeof path, "/orders/%s/cancel", happy->order_id);
    rc = ask(&reply, cli, "ordering", "POST", path, "{\"reason\":\"changed my mind\"}");
    cJSON_Delete(reply);
    reply = NULL;
    demo_say(cli, "   Cancelling it now: %s\n",
             rc == 0 ? "ACCEPTED (a confirmed order must not be cancelled)" : shop_error_message());
    if (step)
        cJSON_AddBoolToObject(step, "confirmed_order_cancel_refused", rc == SHOP_EREFUSED);

    /* CQRS: the read model catches up with the write side. */
    snprintf(path, sizeof path, "/orders/%s", happy->order_id);
    int64_t start = now_ms();
    for (;;) {
        rc = ask(&reply, cli, "reporting", "GET", path, NULL);
        bool caught_up = rc == 0 && strcmp(demo_string(reply, "status"), happy->status) == 0;
        if (caught_up)
            break;
        cJSON_Delete(reply);
        reply = NULL;
        if (rc < 0 && rc != SHOP_ENOTFOUND)
            return rc;
        if (now_ms() - start > OUTCOME_LIMIT_MS)
            return shop_error_set(SHOP_EUNAVAILABLE,
                                  "Reporting's read model did not show order %s %s within %d s",
                                  happy->order_id, happy->status, OUTCOME_LIMIT_MS / 1000);
        pause_ms(20);
    }
    demo_say(cli,
             "   CQRS: Reporting's read model showed it %s %lld ms after the write side\n"
             "   (shop order show reads it, and says when it is behind).\n"
             "   Read: docs/patterns/cqrs.md\n",
             happy->status, (long long)(now_ms() - start));
    if (step)
        cJSON_AddNumberToObject(step, "read_model_caught_up_ms", (double)(now_ms() - start));
    cJSON_Delete(reply);
    reply = NULL;

    /* Observer / event-driven: the customer was told, once per event. */
    snprintf(path, sizeof path, "/notifications?order=%s", happy->order_id);
    start = now_ms();
    int told = 0;
    for (;;) {
        rc = ask(&reply, cli, "notifications", "GET", path, NULL);
        told = rc == 0 && cJSON_IsArray(reply) ? cJSON_GetArraySize(reply) : 0;
        if (told >= 2 || now_ms() - start > OUTCOME_LIMIT_MS)
            break;
        cJSON_Delete(reply);
        reply = NULL;
        pause_ms(20);
    }
    demo_say(cli, "   Observer: Notifications heard the order's events and told the customer:\n");
    const cJSON *n;
    cJSON_ArrayForEach(n, reply) demo_say(cli, "     \"%s\"\n", demo_string(n, "text"));
    demo_say(cli, "   Read: infrastructure/notifications/order_outcomes.c\n");
    cJSON_Delete(reply);
    reply = NULL;

    /* The causal tree of the undeliverable order: every step and every compensation. */
    shop_uuid id;
    struct trace trace;
    if (uuid_parse(&id, undeliverable->order_id) == 0) {
        trace_init(&trace, id);
        if (trace_collect_pg(&trace, conn) == 0 && !cli->json) {
            demo_say(cli, "   Tracing: the undeliverable order, message by message (shop trace %s):\n",
                     undeliverable->order_id);
            fflush(stdout);
            cli_print_trace(&trace);
        }
        trace_dispose(&trace);
    }

    /* Circuit breaker: the gateway's, as `shop breaker status` shows it. */
    if (ask(&reply, cli, "payments", "GET", "/breakers", NULL) == 0 && cJSON_IsArray(reply)) {
        cJSON_ArrayForEach(n, reply)
        {
            demo_say(cli, "   Circuit breaker: %s is %s after %.0f calls (shop breaker status)\n",
                     demo_string(n, "name"), demo_string(n, "state"), demo_number(n, "calls"));
        }
        demo_say(cli, "   Read: docs/patterns/circuit-breaker.md\n");
    }
    cJSON_Delete(reply);
    demo_say(cli, "\n");
    return 0;
}

/* ------------------------------------------------------------ 9. consistent */

static long count(PGconn *conn, const char *sql, int nparams, const char *const *params)
{
    PGresult *res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
    long n = PQresultStatus(res) == PGRES_TUPLES_OK ? atol(PQgetvalue(res, 0, 0)) : -1;
    PQclear(res);
    return n;
}

static int consistent(const struct cli *cli, PGconn *conn, cJSON *step, bool *ok)
{
    long reserved = 0;
    for (const char *const *code = (const char *const[]){"DEMO-MUG", "DEMO-RARE", NULL}; *code;
         code++) {
        char path[96];
        cJSON *reply = NULL;
        snprintf(path, sizeof path, "/stock/%s", *code);
        if (ask(&reply, cli, "inventory", "GET", path, NULL) == 0)
            reserved += (long)demo_number(reply, "reserved");
        cJSON_Delete(reply);
    }
    long stuck = count(conn, "SELECT count(*) FROM ordering.sagas WHERE state = 'stuck'", 0, NULL);
    long dead = count(conn, "SELECT count(*) FROM messaging.dead_letters", 0, NULL);
    *ok = reserved == 0;
    demo_say(cli,
             "9. Consistent: every order of the demo confirmed or cancelled; %ld unit(s) of its\n"
             "   products still reserved.  In the whole shop: %ld saga(s) stuck, %ld message(s)\n"
             "   dead-lettered (shop saga list --state stuck, shop dlq list).\n\n",
             reserved, stuck, dead);
    if (step) {
        cJSON_AddNumberToObject(step, "reserved", (double)reserved);
        cJSON_AddNumberToObject(step, "sagas_stuck", (double)stuck);
        cJSON_AddNumberToObject(step, "dead_letters", (double)dead);
    }
    return 0;
}

int demo_fulfilment_step(const struct cli *cli, PGconn *conn, cJSON *doc, bool *ok)
{
    cJSON *step = doc ? cJSON_AddObjectToObject(doc, "fulfilment") : NULL;
    bool as_expected = false, clean = false;
    int rc;
    *ok = false;
    if ((rc = seed(cli, step)) < 0 || (rc = four_orders(cli, conn, step, &as_expected)) < 0 ||
        (rc = patterns(cli, conn, step)) < 0 || (rc = consistent(cli, conn, step, &clean)) < 0)
        return rc;
    *ok = as_expected && clean;
    return 0;
}
