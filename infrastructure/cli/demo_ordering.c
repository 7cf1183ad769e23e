/*
 * infrastructure/cli/demo_ordering.c — the demo's event-sourcing step (`shop demo`, step 5).
 *
 * Runs Ordering's real command handlers (application/ordering/order_service.c) on the
 * real PostgreSQL event store, as the Ordering context's own database role: places an
 * order whose lines name one SKU twice, confirms it, tries to cancel it, places and
 * cancels a second one, shows the first order's stream, what it was at version 1, and a
 * writer with a stale version being refused.  Prices come from a fixed in-memory price
 * list here; Catalog serves them once the contexts run as services.
 * Read next: docs/patterns/event-sourcing.md
 */
#include "infrastructure/cli/demo.h"

#include "application/ordering/order_service.h"
#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "infrastructure/cli/cli_events.h"
#include "infrastructure/memory/price_list_memory.h"
#include "infrastructure/ordering/order_codec.h"
#include "infrastructure/ordering/order_store_es.h"
#include "infrastructure/postgres/event_store_pg.h"
#include "infrastructure/postgres/sqlstate.h"
#include "infrastructure/system/clock_system.h"
#include "infrastructure/system/id_generator_uuid.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *sku, *price;
} demo_prices[] = {{"DEMO-MUG", "8.50 EUR"}, {"DEMO-TEA", "4.25 EUR"}};

static int add_line(struct place_order_request *req, const char *code, int qty)
{
    int rc = sku_parse(&req->lines[req->line_count].sku, code);
    if (rc == 0)
        rc = quantity_make(&req->lines[req->line_count].quantity, qty);
    if (rc == 0)
        req->line_count++;
    return rc;
}

static int request(struct place_order_request *req, const char *customer)
{
    memset(req, 0, sizeof *req);
    int rc = customer_id_parse(&req->customer, customer);
    if (rc == 0)
        rc = ship_to_parse(&req->address.ship_to, "1 Demo Street, Springfield");
    if (rc == 0)
        rc = postcode_parse(&req->address.postcode, "12345");
    return rc;
}

static struct message_meta new_meta(struct id_generator *ids)
{
    struct message_meta m = {0};
    id_generator_next(ids, &m.message_id);
    return m;
}

/* The stream of one order, a line per event, as `shop order history` prints it. */
static int show_stream(const struct cli *cli, struct event_store *es, order_id id,
                       struct es_stream_range range, cJSON *types, order *out_state)
{
    char stream[ORDER_STREAM_ID_SIZE];
    struct es_event_list events = {0};
    int rc = es_read_stream(es, &events, order_stream_id(stream, id), range);
    order_init(out_state);
    for (size_t i = 0; rc == 0 && i < events.count; i++) {
        const struct es_event *e = &events.items[i];
        order_event decoded;
        char when[CLI_TIME_SIZE];
        if ((rc = order_event_decode(&decoded, e->type, e->schema_version, e->data)) < 0)
            break;
        order_evolve(out_state, &decoded);
        demo_say(cli, "     v%" PRId64 "  %s  %-15s -> %s\n", e->stream_version,
            cli_format_time(when, e->recorded_at_us), e->type,
            order_status_name(out_state->status));
        if (types)
            cJSON_AddItemToArray(types, cJSON_CreateString(e->type));
    }
    es_event_list_dispose(&events);
    return rc;
}

int demo_event_sourcing(const struct cli *cli, PGconn *conn, cJSON *doc)
{
    struct event_store *es = NULL;
    struct order_store *orders = NULL;
    struct price_list *prices = NULL;
    struct shop_clock *clock = NULL;
    struct id_generator *ids = NULL;
    struct place_order_request *req = shop_xcalloc(1, sizeof *req);
    order *state = shop_xmalloc(sizeof *state);
    order_id first, second;
    char first_text[UUID_STRING_SIZE], second_text[UUID_STRING_SIZE], total[MONEY_FORMAT_MAX];
    cJSON *out = doc ? cJSON_AddObjectToObject(doc, "event_sourcing") : NULL;
    int rc;

    demo_say(cli, "5. Event sourcing: an order is the list of what happened to it\n");
    /* Ordering writes as its own role: the grants of step 3 are in force here too. */
    if ((rc = pg_exec_command(conn, "SET ROLE shop_ordering", "becoming shop_ordering")) < 0)
        goto done;
    if ((rc = event_store_pg_new(&es, conn, "ordering")) < 0 ||
        (rc = order_store_es_new(&orders, es, ORDER_SNAPSHOT_EVERY_DEFAULT)) < 0 ||
        (rc = price_list_memory_new(&prices)) < 0 || (rc = clock_system_new(&clock)) < 0 ||
        (rc = id_generator_uuid_new(&ids)) < 0)
        goto done;
    for (size_t i = 0; i < sizeof demo_prices / sizeof demo_prices[0]; i++) {
        sku code;
        money price;
        if ((rc = sku_parse(&code, demo_prices[i].sku)) < 0 ||
            (rc = money_parse(&price, demo_prices[i].price, NULL)) < 0)
            goto done;
        price_list_memory_set(prices, &code, price);
    }
    struct order_service svc = {.orders = orders, .prices = prices, .clock = clock, .ids = ids};
    struct message_meta meta;

    /* an order naming DEMO-MUG twice: the aggregate merges the lines */
    if ((rc = request(req, "demo-customer")) < 0 || (rc = add_line(req, "DEMO-MUG", 2)) < 0 ||
        (rc = add_line(req, "DEMO-TEA", 1)) < 0 || (rc = add_line(req, "demo-mug", 1)) < 0)
        goto done;
    meta = new_meta(ids);
    if ((rc = order_service_place(&first, &svc, req, &meta)) < 0)
        goto done;
    int64_t version;
    if ((rc = order_store_load(orders, state, &version, &first)) < 0)
        goto done;
    money_format(total, sizeof total, state->total);
    uuid_format(first_text, first.uuid);
    demo_say(cli, "   place DEMO-MUG x2, DEMO-TEA x1, DEMO-MUG x1  -> order %s\n", first_text);
    demo_say(cli, "     %zu lines after merging, total %s (3 x 8.50 + 1 x 4.25, exact)\n",
        state->line_count, total);
    meta = new_meta(ids);
    if ((rc = order_service_confirm(&svc, &first, &meta)) < 0)
        goto done;
    demo_say(cli, "   confirm it                                   -> confirmed\n");
    meta = new_meta(ids);
    rc = order_service_cancel(&svc, &first, "changed my mind", &meta);
    if (rc != SHOP_EREFUSED) {
        rc = rc < 0 ? rc : shop_error_set(SHOP_EINTERNAL, "a confirmed order was cancelled");
        goto done;
    }
    demo_say(cli, "   cancel it                                    -> refused: %s\n",
        shop_error_message());
    if (out) {
        cJSON_AddStringToObject(out, "order_id", first_text);
        cJSON_AddStringToObject(out, "total", total);
        cJSON_AddStringToObject(out, "cancel_refused", shop_error_message());
    }

    if ((rc = request(req, "demo-customer")) < 0 || (rc = add_line(req, "DEMO-TEA", 3)) < 0)
        goto done;
    meta = new_meta(ids);
    if ((rc = order_service_place(&second, &svc, req, &meta)) < 0)
        goto done;
    meta = new_meta(ids);
    if ((rc = order_service_cancel(&svc, &second, "changed my mind", &meta)) < 0)
        goto done;
    uuid_format(second_text, second.uuid);
    demo_say(cli, "   place DEMO-TEA x3, then cancel it            -> order %s cancelled\n",
        second_text);
    if (out)
        cJSON_AddStringToObject(out, "cancelled_order_id", second_text);

    demo_say(cli, "   the first order's stream, folded event by event:\n");
    cJSON *types = out ? cJSON_AddArrayToObject(out, "history") : NULL;
    if ((rc = show_stream(cli, es, first, ES_WHOLE_STREAM, types, state)) < 0)
        goto done;
    demo_say(cli, "   the same order as of version 1 (time travel):\n");
    struct es_stream_range v1 = {1, 1, ES_UNBOUNDED};
    if ((rc = show_stream(cli, es, first, v1, NULL, state)) < 0)
        goto done;
    if (out)
        cJSON_AddStringToObject(out, "status_as_of_version_1", order_status_name(state->status));

    /* A writer that loaded version 1 and appends after someone else wrote version 2. */
    char stream[ORDER_STREAM_ID_SIZE];
    struct es_new_event stale = {.type = "OrderConfirmed", .schema_version = 1, .data = "{}"};
    rc = es_append(es, NULL, order_stream_id(stream, first), 1, &stale, 1, NULL);
    if (rc != SHOP_ECONFLICT) {
        rc = rc < 0 ? rc : shop_error_set(SHOP_EINTERNAL, "a stale append was accepted");
        goto done;
    }
    demo_say(cli, "   append with a stale expected version (1)     -> conflict: %s\n",
        shop_error_message());
    if (out)
        cJSON_AddStringToObject(out, "stale_append", shop_error_message());
    demo_say(cli, "   See it yourself: shop order history %s [--as-of 1]\n", first_text);
    demo_say(cli, "                    shop events tail\n");
    demo_say(cli, "   Read: domain/ordering/order.c, application/ordering/order_service.c,\n"
             "         infrastructure/postgres/event_store_pg.c, docs/patterns/event-sourcing.md\n\n");
    rc = SHOP_OK;

done:
    if (rc < 0) {
        /* keep the message of the failure, not of the clean-up */
        char message[SHOP_ERROR_MESSAGE_MAX];
        snprintf(message, sizeof message, "%s", shop_error_message());
        PQclear(PQexec(conn, "RESET ROLE"));
        shop_error_set(rc, "%s", message);
    } else {
        rc = pg_exec_command(conn, "RESET ROLE", "returning from shop_ordering");
    }
    id_generator_free(ids);
    shop_clock_free(clock);
    price_list_free(prices);
    order_store_free(orders);
    es_free(es);
    free(state);
    free(req);
    return rc;
}
