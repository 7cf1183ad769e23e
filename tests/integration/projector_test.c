/*
 * tests/integration/projector_test.c — Reporting's projections on a real PostgreSQL: the
 * handlers of each message type, the projector's gap-free reading and checkpoint, and
 * rebuild-and-swap.
 *
 * The test puts messages on messaging.bus itself, with the payloads of the published
 * language (docs/contracts/events/), and runs the projector as `shop serve reporting`
 * does: on a connection as shop_reporting.  A rebuild runs on the admin connection, as
 * `shop projection rebuild` does for the operator.
 *
 * What a reader of the read models relies on: each message type changes its row as the
 * contract says; a message applied twice changes nothing; messages of several streams
 * interleaved give each row its own history; a message committed late by an older
 * transaction is applied, not skipped; a rebuild ends with the same tables as the live
 * projection, while the live tables keep serving and keep moving; a stopped rebuild
 * leaves the live tables as they were and drops its own.
 * Read next: infrastructure/reporting/projector.c, infrastructure/reporting/projections.c
 */
#include "infrastructure/reporting/projector.h"
#include "infrastructure/reporting/read_models.h"
#include "tests/support/test_db.h"

#include "domain/shared/error.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ORDER_A "0190a6f4-8d1e-7c3a-9b2f-00000000000a"
#define ORDER_B "0190a6f4-8d1e-7c3a-9b2f-00000000000b"

static char db_name[TEST_DB_NAME_MAX];
static PGconn *admin, *reporting;

static void setup(void)
{
    admin = test_db_create(db_name);
    test_db_migrate(admin);
    reporting = test_db_connect(db_name, NULL);
    test_db_exec(reporting, "SET ROLE shop_reporting");
}

static void teardown(void)
{
    PQfinish(reporting);
    test_db_drop(admin, db_name);
}

TestSuite(projections, .init = setup, .fini = teardown);
TestSuite(projector, .init = setup, .fini = teardown);
TestSuite(rebuild, .init = setup, .fini = teardown);

/* ------------------------------------------------------------------ helpers */

/* Publishes one message on the bus, on conn, as a relay would. */
static void publish_on(PGconn *conn, const char *type, const char *stream, const char *payload)
{
    const char *params[] = {type, strchr(type, '.') ? "x" : "x", stream, payload};
    char source[32];
    snprintf(source, sizeof source, "%.*s", (int)(strchr(type, '.') - type), type);
    params[1] = source;
    PGresult *res = PQexecParams(conn,
                                 "INSERT INTO messaging.bus (message_id, type, schema_version,"
                                 " source, stream, payload)"
                                 " VALUES (gen_random_uuid(), $1, 1, $2, $3, $4::jsonb)",
                                 4, NULL, params, NULL, NULL, 0);
    cr_assert_eq(PQresultStatus(res), PGRES_COMMAND_OK, "publishing %s: %s", type,
                 PQerrorMessage(conn));
    PQclear(res);
}

static void publish(const char *type, const char *stream, const char *payload)
{
    publish_on(admin, type, stream, payload);
}

static void placed(const char *order, const char *customer, const char *at)
{
    char payload[1024];
    snprintf(payload, sizeof payload,
             "{\"order_id\": \"%s\", \"customer\": \"%s\", \"ship_to\": \"1 Main Street\","
             " \"postcode\": \"10115\", \"card\": \"tok_visa\", \"lines\": ["
             "{\"sku\": \"MUG-RED\", \"quantity\": 3, \"unit_price\": \"12.50 EUR\","
             " \"line_total\": \"37.50 EUR\"}, {\"sku\": \"TEE-L\", \"quantity\": 1,"
             " \"unit_price\": \"19.99 EUR\", \"line_total\": \"19.99 EUR\"}],"
             " \"total\": \"57.49 EUR\", \"placed_at\": \"%s\"}",
             order, customer, at);
    char stream[64];
    snprintf(stream, sizeof stream, "order-%s", order);
    publish("ordering.OrderPlaced", stream, payload);
}

static void confirmed(const char *order, const char *at)
{
    char payload[256], stream[64];
    snprintf(payload, sizeof payload, "{\"order_id\": \"%s\", \"confirmed_at\": \"%s\"}", order,
             at);
    snprintf(stream, sizeof stream, "order-%s", order);
    publish("ordering.OrderConfirmed", stream, payload);
}

static void cancelled(const char *order, const char *reason)
{
    char payload[256], stream[64];
    snprintf(payload, sizeof payload,
             "{\"order_id\": \"%s\", \"reason\": \"%s\","
             " \"cancelled_at\": \"2024-06-10T07:00:00.000000Z\"}",
             order, reason);
    snprintf(stream, sizeof stream, "order-%s", order);
    publish("ordering.OrderCancelled", stream, payload);
}

static void stock(const char *type, const char *order, const char *lines)
{
    char payload[512], stream[64];
    snprintf(payload, sizeof payload,
             "{\"order_id\": \"%s\", \"lines\": %s, \"at\": \"2024-06-10T06:13:21.000000Z\"}",
             order, lines);
    snprintf(stream, sizeof stream, "order-%s", order);
    publish(type, stream, payload);
}

static void received(const char *sku, int quantity, int on_hand)
{
    char payload[256], stream[64];
    snprintf(payload, sizeof payload,
             "{\"sku\": \"%s\", \"quantity\": %d, \"on_hand\": %d,"
             " \"received_at\": \"2024-06-10T06:00:00.000000Z\"}",
             sku, quantity, on_hand);
    snprintf(stream, sizeof stream, "stock-%s", sku);
    publish("inventory.StockReceived", stream, payload);
}

/* One batch of every projection, as one step of the worker; how many messages it read. */
static long step_all(int batch)
{
    long total = 0;
    for (size_t i = 0; i < projection_count; i++) {
        long n = 0;
        cr_assert_eq(projector_step(reporting, &projections[i], batch, &n), 0, "%s",
                     shop_error_message());
        total += n;
    }
    return total;
}

static long lag_total(void);

/* Runs the projections until every message on the bus is applied, as the worker does,
 * waiting (10 s at most) while other transactions of the cluster — other tests — keep
 * the final part of the log short. */
static void catch_up(void)
{
    struct timespec pause = {0, 10 * 1000 * 1000};
    for (int round = 0; round < 1000; round++) {
        if (step_all(2) == 0 && lag_total() == 0)
            return;
        nanosleep(&pause, NULL);
    }
    cr_assert_fail("the projections did not catch up within 10 s");
}

/* One value of a query on the admin connection (static storage). */
static const char *value(const char *sql)
{
    static char text[4096];
    PGresult *res = PQexec(admin, sql);
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s: %s", sql, PQerrorMessage(admin));
    snprintf(text, sizeof text, "%s", PQntuples(res) ? PQgetvalue(res, 0, 0) : "");
    PQclear(res);
    return text;
}

static long lag_total(void)
{
    cJSON *doc = NULL, *p;
    long lag = 0;
    cr_assert_eq(read_model_projections(&doc, admin), 0, "%s", shop_error_message());
    cJSON_ArrayForEach(p, doc) lag += (long)cJSON_GetObjectItem(p, "lag")->valuedouble;
    cJSON_Delete(doc);
    return lag;
}

static const char *orders(void)
{
    return value("SELECT coalesce(string_agg(order_id || '|' || customer || '|' || status || '|'"
                 " || coalesce(reason, '-') || '|' || total || '|' || version, ';'"
                 " ORDER BY order_id), '') FROM reporting.order_summaries");
}

static const char *history(void)
{
    return value("SELECT coalesce(string_agg(customer || '|' || order_id || '|' || status, ';'"
                 " ORDER BY customer, order_id), '') FROM reporting.customer_orders");
}

static const char *levels(void)
{
    return value("SELECT coalesce(string_agg(sku || ':' || on_hand || '/' || reserved || '/'"
                 " || available, ' ' ORDER BY sku), '') FROM reporting.stock_levels");
}

static const char *sales(void)
{
    return value("SELECT coalesce(string_agg(sku || '|' || day || '|' || quantity || '|'"
                 " || revenue || ' ' || currency || '|' || orders, ';' ORDER BY day, sku), '')"
                 " FROM reporting.sales_daily");
}

/* Puts every projection's checkpoint back to the start: every message comes again. */
static void replay_everything(void)
{
    test_db_exec(admin, "UPDATE reporting.projections SET transaction_id = '0', position = 0");
}

/* ------------------------------------------------------------------ handlers */

Test(projections, an_order_placed_is_summarised_and_joins_its_customers_history)
{
    placed(ORDER_A, "c-42", "2024-06-10T06:13:20.000000Z");
    catch_up();
    cr_expect_str_eq(orders(), ORDER_A "|c-42|placed|-|57.49 EUR|1");
    cr_expect_str_eq(history(), "c-42|" ORDER_A "|placed");
    cr_expect_str_eq(value("SELECT lines->1->>'line_total' || ' ' || ship_to || ' ' || postcode"
                           " FROM reporting.order_summaries"),
                     "19.99 EUR 1 Main Street 10115");
}

Test(projections, a_confirmed_order_is_confirmed_and_its_lines_count_as_sales_of_that_day)
{
    placed(ORDER_A, "c-42", "2024-06-10T06:13:20.000000Z");
    confirmed(ORDER_A, "2024-06-10T23:59:59.999999Z");
    catch_up();
    cr_expect_str_eq(orders(), ORDER_A "|c-42|confirmed|-|57.49 EUR|2");
    cr_expect_str_eq(history(), "c-42|" ORDER_A "|confirmed");
    cr_expect_str_eq(sales(), "MUG-RED|2024-06-10|3|37.50 EUR|1;TEE-L|2024-06-10|1|19.99 EUR|1");
}

Test(projections, a_cancelled_order_keeps_its_reason_and_sells_nothing)
{
    placed(ORDER_A, "c-42", "2024-06-10T06:13:20.000000Z");
    cancelled(ORDER_A, "out of stock: SKU MUG-RED");
    confirmed(ORDER_A, "2024-06-10T08:00:00.000000Z"); /* cannot happen; must change nothing */
    catch_up();
    cr_expect_str_eq(orders(), ORDER_A "|c-42|cancelled|out of stock: SKU MUG-RED|57.49 EUR|2");
    cr_expect_str_eq(history(), "c-42|" ORDER_A "|cancelled");
    cr_expect_str_eq(sales(), "");
}

Test(projections, stock_follows_receipts_reservations_releases_and_commits)
{
    received("MUG-RED", 10, 10);
    received("TEE-L", 5, 5);
    stock("inventory.StockReserved", ORDER_A,
          "[{\"sku\": \"MUG-RED\", \"quantity\": 3}, {\"sku\": \"TEE-L\", \"quantity\": 1}]");
    cr_assert_eq(0, 0);
    catch_up();
    cr_expect_str_eq(levels(), "MUG-RED:10/3/7 TEE-L:5/1/4");
    stock("inventory.StockReserved", ORDER_B, "[{\"sku\": \"MUG-RED\", \"quantity\": 2}]");
    stock("inventory.ReservationReleased", ORDER_B, "[{\"sku\": \"MUG-RED\", \"quantity\": 2}]");
    stock("inventory.ReservationCommitted", ORDER_A,
          "[{\"sku\": \"MUG-RED\", \"quantity\": 3}, {\"sku\": \"TEE-L\", \"quantity\": 1}]");
    stock("inventory.ReservationReleased", ORDER_B, "[]"); /* nothing held: nothing changes */
    received("TEE-L", 2, 6);
    catch_up();
    cr_expect_str_eq(levels(), "MUG-RED:7/0/7 TEE-L:6/0/6");
}

Test(projections, every_message_applied_twice_changes_nothing)
{
    received("MUG-RED", 10, 10);
    placed(ORDER_A, "c-42", "2024-06-10T06:13:20.000000Z");
    stock("inventory.StockReserved", ORDER_A, "[{\"sku\": \"MUG-RED\", \"quantity\": 3}]");
    stock("inventory.ReservationCommitted", ORDER_A, "[{\"sku\": \"MUG-RED\", \"quantity\": 3}]");
    confirmed(ORDER_A, "2024-06-10T07:00:00.000000Z");
    placed(ORDER_B, "c-7", "2024-06-10T06:20:00.000000Z");
    cancelled(ORDER_B, "payment declined");
    catch_up();
    char before[4][1024];
    snprintf(before[0], sizeof before[0], "%s", orders());
    snprintf(before[1], sizeof before[1], "%s", history());
    snprintf(before[2], sizeof before[2], "%s", levels());
    snprintf(before[3], sizeof before[3], "%s", sales());
    cr_assert_str_eq(before[2], "MUG-RED:7/0/7");

    replay_everything(); /* the checkpoint lost: every message delivered again */
    catch_up();
    cr_expect_str_eq(orders(), before[0]);
    cr_expect_str_eq(history(), before[1]);
    cr_expect_str_eq(levels(), before[2]);
    cr_expect_str_eq(sales(), before[3]);
}

Test(projections, messages_of_several_streams_interleaved_give_each_row_its_own_history)
{
    received("MUG-RED", 10, 10);
    placed(ORDER_A, "c-42", "2024-06-10T06:13:20.000000Z");
    placed(ORDER_B, "c-42", "2024-06-10T06:14:20.000000Z");
    stock("inventory.StockReserved", ORDER_B, "[{\"sku\": \"MUG-RED\", \"quantity\": 2}]");
    stock("inventory.StockReserved", ORDER_A, "[{\"sku\": \"MUG-RED\", \"quantity\": 3}]");
    confirmed(ORDER_B, "2024-06-11T09:00:00.000000Z");
    received("MUG-RED", 5, 15);
    stock("inventory.ReservationReleased", ORDER_A, "[{\"sku\": \"MUG-RED\", \"quantity\": 3}]");
    stock("inventory.ReservationCommitted", ORDER_B, "[{\"sku\": \"MUG-RED\", \"quantity\": 2}]");
    cancelled(ORDER_A, "payment declined");
    catch_up();
    cr_expect_str_eq(orders(), ORDER_A "|c-42|cancelled|payment declined|57.49 EUR|2;" ORDER_B
                                       "|c-42|confirmed|-|57.49 EUR|2");
    cr_expect_str_eq(levels(), "MUG-RED:13/0/13");
    cr_expect_str_eq(sales(), "MUG-RED|2024-06-11|3|37.50 EUR|1;TEE-L|2024-06-11|1|19.99 EUR|1");
}

Test(projections, a_message_that_breaks_the_contract_is_skipped_and_the_others_go_on)
{
    publish("inventory.StockReceived", "stock-X", "{\"sku\": \"X\", \"on_hand\": \"many\"}");
    received("MUG-RED", 4, 4);
    catch_up();
    cr_expect_str_eq(levels(), "MUG-RED:4/0/4");
    cr_expect_str_eq(value("SELECT handled || '/' || skipped || ' ' || (last_error LIKE"
                           " 'inventory.StockReceived at position %') FROM reporting.projections"
                           " WHERE name = 'stock-levels'"),
                     "1/1 true");
}

/* ------------------------------------------------------------------ the projector */

Test(projector, moves_its_checkpoint_with_the_batch_and_counts_what_it_applied)
{
    test_db_exec(admin, "BEGIN"); /* one transaction: final together */
    placed(ORDER_A, "c-42", "2024-06-10T06:13:20.000000Z");
    received("MUG-RED", 4, 4); /* not the orders projection's type: passed over */
    confirmed(ORDER_A, "2024-06-10T07:00:00.000000Z");
    test_db_exec(admin, "COMMIT");
    long n = 0;
    struct timespec pause = {0, 10 * 1000 * 1000};
    for (int i = 0; i < 1000 && n == 0; i++) { /* other tests' transactions may hold it back */
        cr_assert_eq(projector_step(reporting, projection_find("orders"), 100, &n), 0, "%s",
                     shop_error_message());
        if (n == 0)
            nanosleep(&pause, NULL);
    }
    cr_expect_eq(n, 2);
    cr_expect_str_eq(value("SELECT handled || ' ' || (position = (SELECT max(position) FROM"
                           " messaging.bus WHERE type = 'ordering.OrderConfirmed'))"
                           " FROM reporting.projections WHERE name = 'orders'"),
                     "2 true");
    cr_assert_eq(projector_step(reporting, projection_find("orders"), 100, &n), 0);
    cr_expect_eq(n, 0, "nothing new: nothing read");
}

Test(projector, applies_a_message_an_older_transaction_commits_after_a_newer_one)
{
    PGconn *older = test_db_connect(db_name, NULL);
    test_db_exec(older, "BEGIN");
    {
        char payload[512];
        snprintf(payload, sizeof payload,
                 "{\"order_id\": \"%s\", \"customer\": \"c-1\", \"ship_to\": \"x\","
                 " \"postcode\": \"1\", \"lines\": [], \"total\": \"1.00 EUR\","
                 " \"placed_at\": \"2024-06-10T06:00:01.000000Z\"}",
                 ORDER_A);
        publish_on(older, "ordering.OrderPlaced", "order-" ORDER_A, payload);
    }
    /* Newer transactions publish after it, at higher positions, and commit while the
     * older one is still open: a reader by position alone would move past ORDER_A's. */
    placed(ORDER_B, "c-7", "2024-06-10T06:00:00.000000Z");
    confirmed(ORDER_B, "2024-06-10T06:30:00.000000Z");
    cr_expect_eq(step_all(100), 0, "nothing is final while an older transaction runs");
    cr_expect_str_eq(orders(), "");

    test_db_exec(older, "COMMIT");
    PQfinish(older);
    catch_up();
    cr_expect_str_eq(orders(),
                     ORDER_A "|c-1|placed|-|1.00 EUR|1;" ORDER_B "|c-7|confirmed|-|57.49 EUR|2");
}

Test(projector, orders_transactions_by_number_not_by_their_text)
{
    /* Two transactions whose ids have a different number of digits: 99 before 100,
     * although "100" sorts before "99" as text. */
    test_db_exec(
        admin, "INSERT INTO messaging.bus (message_id, type, schema_version, source, stream,"
               " payload, transaction_id) VALUES"
               " (gen_random_uuid(), 'ordering.OrderPlaced', 1, 'ordering', 'order-" ORDER_A "',"
               "  '{\"order_id\": \"" ORDER_A "\", \"customer\": \"c-1\", \"lines\": [],"
               "    \"total\": \"1.00 EUR\", \"placed_at\": \"2024-06-10T06:00:00Z\"}', '99'),"
               " (gen_random_uuid(), 'ordering.OrderConfirmed', 1, 'ordering', 'order-" ORDER_A "',"
               "  '{\"order_id\": \"" ORDER_A "\", \"confirmed_at\": \"2024-06-10T07:00:00Z\"}',"
               "  '100')");
    long n = 0;
    for (int i = 0; i < 4; i++) /* one message per batch: the checkpoint moves between them */
        cr_assert_eq(projector_step(reporting, projection_find("orders"), 1, &n), 0, "%s",
                     shop_error_message());
    cr_expect_str_eq(orders(), ORDER_A "|c-1|confirmed|-|1.00 EUR|2");
    cr_expect_str_eq(value("SELECT handled || ' ' || transaction_id FROM reporting.projections"
                           " WHERE name = 'orders'"),
                     "2 100");
}

Test(projector, lag_counts_the_messages_after_the_checkpoint)
{
    placed(ORDER_A, "c-42", "2024-06-10T06:13:20.000000Z");
    confirmed(ORDER_A, "2024-06-10T07:00:00.000000Z");
    long lag = -1;
    cJSON *doc = NULL;
    cr_expect_eq(read_model_order(&doc, &lag, reporting, ORDER_A), SHOP_ENOTFOUND);
    cr_expect_eq(lag, 2);
    cr_expect(strstr(shop_error_message(), "2 messages behind") != NULL, "%s",
              shop_error_message());
    catch_up();
    cr_assert_eq(read_model_order(&doc, &lag, reporting, ORDER_A), 0, "%s", shop_error_message());
    cr_expect_eq(lag, 0);
    cr_expect_str_eq(cJSON_GetObjectItem(doc, "status")->valuestring, "confirmed");
    cJSON_Delete(doc);

    cr_assert_eq(read_model_projections(&doc, admin), 0, "%s", shop_error_message());
    cr_expect_eq(cJSON_GetArraySize(doc), 3);
    cr_expect_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(doc, 0), "lag")->valueint, 0);
    cJSON_Delete(doc);
}

/* ------------------------------------------------------------------ rebuild */

/* Everything a projection's tables hold, applied places included. */
static const char *table_text(const char *table)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT coalesce(md5(string_agg(t::text, ';' ORDER BY t::text)), '')"
             " || ':' || count(*) FROM reporting.%s t",
             table);
    return value(sql);
}

static void some_history(int orders_count)
{
    received("MUG-RED", 100, 100);
    for (int i = 0; i < orders_count; i++) {
        char id[40];
        snprintf(id, sizeof id, "0190a6f4-8d1e-7c3a-9b2f-%012d", i);
        placed(id, i % 2 ? "c-1" : "c-2", "2024-06-10T06:13:20.000000Z");
        stock("inventory.StockReserved", id, "[{\"sku\": \"MUG-RED\", \"quantity\": 1}]");
        if (i % 3 == 0) {
            cancelled(id, "payment declined");
            stock("inventory.ReservationReleased", id, "[{\"sku\": \"MUG-RED\", \"quantity\": 1}]");
        } else {
            confirmed(id, "2024-06-10T07:00:00.000000Z");
            stock("inventory.ReservationCommitted", id,
                  "[{\"sku\": \"MUG-RED\", \"quantity\": 1}]");
        }
    }
}

struct serving_check {
    int calls;
    char live_seen[64];
    bool stop_at_second;
    volatile sig_atomic_t *stop;
};

/* Between the rebuild's batches: the live table answers, and the live projection keeps
 * applying new messages. */
static void while_rebuilding(void *ctx, const struct rebuild_progress *p)
{
    struct serving_check *c = ctx;
    if (p->final)
        return;
    if (++c->calls == 2) {
        snprintf(c->live_seen, sizeof c->live_seen, "%s",
                 value("SELECT count(*) FROM reporting.order_summaries"));
        placed(ORDER_A, "c-late", "2024-06-11T06:00:00.000000Z");
        catch_up();
        if (c->stop_at_second)
            *c->stop = 1;
    }
}

Test(rebuild, ends_with_the_tables_the_live_projection_has_while_they_keep_serving)
{
    some_history(30);
    catch_up();
    volatile sig_atomic_t stop = 0;
    struct serving_check check = {0};
    const struct projection *orders_p = projection_find("orders");
    cr_assert_eq(projector_rebuild(admin, orders_p, 10, &stop, while_rebuilding, &check), 0, "%s",
                 shop_error_message());
    cr_expect_str_eq(check.live_seen, "30", "the live table served during the rebuild");
    catch_up(); /* what came after the swap's horizon, on the new tables */
    cr_expect_str_eq(
        value("SELECT customer FROM reporting.order_summaries WHERE order_id = '" ORDER_A "'"),
        "c-late", "the message the live projection applied meanwhile is there");

    /* The live projection, built message by message, and the rebuilt one are the same. */
    char rebuilt[2][128];
    snprintf(rebuilt[0], sizeof rebuilt[0], "%s", table_text("order_summaries"));
    snprintf(rebuilt[1], sizeof rebuilt[1], "%s", table_text("customer_orders"));
    cr_assert_eq(projector_rebuild(admin, orders_p, 1000, NULL, NULL, NULL), 0, "%s",
                 shop_error_message());
    cr_expect_str_eq(table_text("order_summaries"), rebuilt[0]);
    cr_expect_str_eq(table_text("customer_orders"), rebuilt[1]);
    cr_expect_str_eq(value("SELECT handled || ' ' || (rebuilt_at IS NOT NULL)"
                           " FROM reporting.projections WHERE name = 'orders'"),
                     "61 true"); /* 30 orders placed and closed, and ORDER_A placed */
}

Test(rebuild, of_every_projection_equals_what_the_live_projection_built)
{
    some_history(12);
    catch_up();
    const char *tables[] = {"order_summaries", "customer_orders", "stock_levels", "sales_orders",
                            "sales_daily"};
    char live[5][128];
    for (int i = 0; i < 5; i++)
        snprintf(live[i], sizeof live[i], "%s", table_text(tables[i]));
    for (size_t i = 0; i < projection_count; i++)
        cr_assert_eq(projector_rebuild(admin, &projections[i], 7, NULL, NULL, NULL), 0, "%s",
                     shop_error_message());
    for (int i = 0; i < 5; i++)
        cr_expect_str_eq(table_text(tables[i]), live[i], "%s", tables[i]);
    /* and the worker goes on from the rebuilt checkpoint, on the new tables */
    received("MUG-RED", 1, 93);
    catch_up();
    cr_expect_str_eq(levels(), "MUG-RED:93/0/93");
    cr_expect_str_eq(value("SELECT count(*) FROM pg_tables WHERE schemaname = 'reporting'"
                           " AND tablename LIKE '%\\_rebuild'"),
                     "0");
}

Test(rebuild, stopped_half_way_leaves_the_live_tables_and_drops_its_own)
{
    some_history(20);
    catch_up();
    char live[128];
    snprintf(live, sizeof live, "%s", table_text("order_summaries"));
    volatile sig_atomic_t stop = 0;
    struct serving_check check = {.stop_at_second = true, .stop = &stop};
    int rc =
        projector_rebuild(admin, projection_find("orders"), 5, &stop, while_rebuilding, &check);
    cr_expect_eq(rc, SHOP_EREFUSED, "%s", shop_error_message());
    cr_expect(strstr(shop_error_message(), "interrupted") != NULL, "%s", shop_error_message());
    cr_expect_str_eq(value("SELECT count(*) FROM pg_tables WHERE schemaname = 'reporting'"
                           " AND tablename LIKE '%\\_rebuild'"),
                     "0");
    cr_expect_str_eq(value("SELECT count(*) FROM reporting.order_summaries"), "21",
                     "the live table, with the order the worker applied meanwhile");
    cr_expect_str_eq(value("SELECT rebuilt_at IS NULL FROM reporting.projections"
                           " WHERE name = 'orders'"),
                     "t");
    (void)live;
}

Test(rebuild, after_a_crash_drops_the_leftovers_and_builds_again)
{
    some_history(3);
    catch_up();
    /* what a rebuild killed half-way leaves behind */
    test_db_exec(admin, "SET ROLE shop_owner; CREATE TABLE reporting.stock_levels_rebuild"
                        " (LIKE reporting.stock_levels INCLUDING ALL); RESET ROLE");
    char live[128];
    snprintf(live, sizeof live, "%s", table_text("stock_levels"));
    cr_assert_eq(projector_rebuild(admin, projection_find("stock-levels"), 2, NULL, NULL, NULL), 0,
                 "%s", shop_error_message());
    cr_expect_str_eq(table_text("stock_levels"), live);
    /* the swapped-in table is Reporting's to write */
    received("MUG-RED", 1, 99);
    catch_up();
    cr_expect_str_eq(levels(), "MUG-RED:99/0/99");
}

/* Two rebuilds of one projection at once: the second is refused at once and touches
 * neither the live tables nor the first one's new ones (it would otherwise drop and
 * re-create them between the first one's batches, and the first would swap in a table
 * with messages missing). */
Test(rebuild, a_second_one_at_the_same_time_is_refused_and_leaves_the_first_alone)
{
    some_history(4);
    catch_up();
    char live[256];
    snprintf(live, sizeof live, "%s", table_text("order_summaries"));
    /* the first rebuild, as another session holds it: its lock and its new tables */
    PGconn *first = test_db_connect(db_name, NULL);
    test_db_exec(first, "SELECT pg_advisory_lock(hashtext('reporting rebuild'), hashtext('orders'))");
    test_db_exec(admin, "SET ROLE shop_owner; CREATE TABLE reporting.order_summaries_rebuild"
                        " (LIKE reporting.order_summaries INCLUDING ALL); RESET ROLE");
    int rc = projector_rebuild(admin, projection_find("orders"), 5, NULL, NULL, NULL);
    cr_expect_eq(rc, SHOP_EREFUSED, "%s", shop_error_message());
    cr_expect(strstr(shop_error_message(), "a rebuild of orders is already running") != NULL, "%s",
              shop_error_message());
    cr_expect_str_eq(value("SELECT count(*) FROM pg_tables WHERE schemaname = 'reporting'"
                           " AND tablename = 'order_summaries_rebuild'"),
                     "1", "the first rebuild's table is still there");
    cr_expect_str_eq(table_text("order_summaries"), live);
    /* the first rebuild ends: its lock goes (with its session, or as here, at once) */
    test_db_exec(first,
                 "SELECT pg_advisory_unlock(hashtext('reporting rebuild'), hashtext('orders'))");
    PQfinish(first);
    cr_expect_eq(projector_rebuild(admin, projection_find("orders"), 5, NULL, NULL, NULL), 0, "%s",
                 shop_error_message());
    cr_expect_str_eq(table_text("order_summaries"), live);
}
