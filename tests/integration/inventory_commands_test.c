/*
 * tests/integration/inventory_commands_test.c — Inventory as a participant of the
 * fulfilment saga: the subscription "inventory.commands" on a real PostgreSQL, as
 * shop_inventory, its handler called inside a transaction as the consumer calls it, and
 * once end to end through consumer_poll and the relay.
 *
 * What the saga relies on: every command gets exactly one reply in inventory.outbox, in
 * the transaction of the change, with an id derived from the command's, the order as
 * correlation, the command as cause; a reservation takes all its lines or none; two
 * orders racing for the last unit through the commands get one StockReserved and one
 * rejection; a command repeated changes nothing twice; a message delivered twice is
 * handled once; a receipt publishes StockReceived.
 * Read next: infrastructure/inventory/inventory_commands.c
 */
#include "infrastructure/messaging/reply.h"
#include "domain/shared/error.h"
#include "infrastructure/inventory/inventory_commands.h"
#include "infrastructure/messaging/relay.h"
#include "tests/support/commands.h"
#include "tests/support/test_db.h"
#include "tests/support/test_service.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define ORDER   "0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90"
#define ORDER_B "0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a91"

static char db_name[TEST_DB_NAME_MAX];
static PGconn *admin, *db;
static void *handler;

static void setup(void)
{
    admin = test_db_create(db_name);
    test_db_migrate(admin);
    db = test_db_connect(db_name, NULL);
    test_db_exec(db, "SET ROLE shop_inventory");
    test_db_exec(db, "INSERT INTO inventory.stock_items (sku, on_hand, reserved, version)"
                     " VALUES ('LAMP-1', 5, 0, 1), ('MUG-1', 1, 0, 1)");
    cr_assert_eq(inventory_commands_subscription.open(&handler, db, NULL), 0, "%s",
                 shop_error_message());
}

static void teardown(void)
{
    inventory_commands_subscription.close(handler);
    PQfinish(db);
    test_db_drop(admin, db_name);
}

static int handle(const char *type, const char *order, int n, const char *payload)
{
    struct message m = test_command(type, order, n, payload);
    int rc = test_command_handle(db, &inventory_commands_subscription, handler, &m);
    message_dispose(&m);
    return rc;
}

#define RESERVE(order, lines) "{\"order_id\": \"" order "\", \"lines\": " lines "}"
#define ORDER_ONLY(order)     "{\"order_id\": \"" order "\"}"

/* "SKU:on_hand:reserved;..." */
static const char *stock(void)
{
    return test_query(db, "SELECT string_agg(sku || ':' || on_hand || ':' || reserved, ';'"
                          " ORDER BY sku) FROM inventory.stock_items");
}

/* "type lines-or-reason;..." of the outbox, oldest first */
static const char *replies(void)
{
    return test_query(db, "SELECT count(*) || '|' || coalesce(string_agg(type || ' ' ||"
                          " coalesce((payload->'lines')::text, payload->>'reason'), ';'"
                          " ORDER BY id), '') FROM inventory.outbox");
}

TestSuite(inventory_commands, .init = setup, .fini = teardown, .timeout = 60);
TestSuite(reserving_stock, .init = setup, .fini = teardown, .timeout = 60);
TestSuite(releasing_a_reservation, .init = setup, .fini = teardown, .timeout = 60);
TestSuite(committing_a_reservation, .init = setup, .fini = teardown, .timeout = 60);
TestSuite(two_orders, .init = setup, .fini = teardown, .timeout = 60);
TestSuite(a_command_on_the_bus, .init = setup, .fini = teardown, .timeout = 60);
TestSuite(receiving_stock, .init = setup, .fini = teardown, .timeout = 60);
TestSuite(the_outboxes_and_inboxes, .init = setup, .fini = teardown, .timeout = 60);

Test(inventory_commands, names_its_subscriber_inbox_and_the_three_commands)
{
    cr_expect_str_eq(inventory_commands_subscription.name, "inventory.commands");
    cr_expect_str_eq(inventory_commands_subscription.inbox_schema, "inventory");
    cr_expect_str_eq(inventory_commands_subscription.types[0], "ordering.ReserveStock");
    cr_expect_str_eq(inventory_commands_subscription.types[1], "ordering.ReleaseReservation");
    cr_expect_str_eq(inventory_commands_subscription.types[2], "ordering.CommitReservation");
    cr_expect_null(inventory_commands_subscription.types[3]);
}

Test(reserving_stock, takes_every_line_and_answers_stock_reserved_with_the_commands_ids)
{
    cr_assert_eq(handle("ordering.ReserveStock", ORDER, 1,
                        RESERVE(ORDER, "[{\"sku\": \"LAMP-1\", \"quantity\": 2},"
                                       " {\"sku\": \"MUG-1\", \"quantity\": 1}]")),
                 0, "%s", shop_error_message());
    cr_expect_str_eq(stock(), "LAMP-1:5:2;MUG-1:1:1");
    cr_expect_str_eq(replies(), "1|inventory.StockReserved [{\"sku\": \"LAMP-1\", \"quantity\": 2},"
                                " {\"sku\": \"MUG-1\", \"quantity\": 1}]");
    char expected_id[UUID_STRING_SIZE], command[UUID_STRING_SIZE], row[512];
    shop_uuid command_id;
    cr_assert_eq(uuid_parse(&command_id, test_command_id(1)), 0);
    uuid_format(expected_id, message_reply_id(command_id, "inventory.StockReserved"));
    snprintf(command, sizeof command, "%s", test_command_id(1));
    snprintf(row, sizeof row, "%s|1|order-" ORDER "|" ORDER "|%s|" TEST_TRACEPARENT "|" ORDER,
             expected_id, command);
    cr_expect_str_eq(test_query(db, "SELECT message_id || '|' || schema_version || '|' || stream"
                                    " || '|' || correlation_id || '|' || causation_id || '|' ||"
                                    " traceparent || '|' || (payload->>'order_id')"
                                    " FROM inventory.outbox"),
                     row);
    cr_expect_eq(test_query_long(db, "SELECT count(*) FROM inventory.outbox WHERE payload->>"
                                     "'reserved_at' ~ '^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:"
                                     "\\d\\d\\.\\d{6}Z$'"),
                 1);
}

Test(reserving_stock, with_one_line_short_reserves_nothing_and_answers_out_of_stock)
{
    cr_assert_eq(handle("ordering.ReserveStock", ORDER, 1,
                        RESERVE(ORDER, "[{\"sku\": \"LAMP-1\", \"quantity\": 2},"
                                       " {\"sku\": \"MUG-1\", \"quantity\": 2}]")),
                 0, "%s", shop_error_message());
    cr_expect_str_eq(stock(), "LAMP-1:5:0;MUG-1:1:0");
    cr_expect_str_eq(replies(), "1|inventory.StockReservationRejected out of stock: SKU MUG-1");
    cr_expect_eq(test_query_long(db, "SELECT count(*) FROM inventory.reservations"), 0);
}

Test(reserving_stock, of_an_unknown_sku_is_out_of_stock)
{
    cr_assert_eq(handle("ordering.ReserveStock", ORDER, 1,
                        RESERVE(ORDER, "[{\"sku\": \"NOPE-9\", \"quantity\": 1}]")),
                 0, "%s", shop_error_message());
    cr_expect_str_eq(replies(), "1|inventory.StockReservationRejected out of stock: SKU NOPE-9");
}

Test(reserving_stock, again_under_a_new_message_id_changes_nothing_and_answers_the_same)
{
    const char *payload = RESERVE(ORDER, "[{\"sku\": \"LAMP-1\", \"quantity\": 2}]");
    cr_assert_eq(handle("ordering.ReserveStock", ORDER, 1, payload), 0, "%s", shop_error_message());
    cr_assert_eq(handle("ordering.ReserveStock", ORDER, 2, payload), 0, "%s", shop_error_message());
    cr_expect_str_eq(stock(), "LAMP-1:5:2;MUG-1:1:0");
    cr_expect_str_eq(replies(),
                     "2|inventory.StockReserved [{\"sku\": \"LAMP-1\", \"quantity\": 2}]"
                     ";inventory.StockReserved [{\"sku\": \"LAMP-1\", \"quantity\": 2}]");
    cr_expect_eq(test_query_long(db, "SELECT count(DISTINCT message_id) FROM inventory.outbox"), 2);
}

Test(reserving_stock, handled_again_from_the_same_message_writes_the_same_reply_once)
{
    /* a dead letter replayed after its first handling was rolled back by a crash: the
     * reply's id is the same, and the outbox (and the bus) keep it once */
    const char *payload = RESERVE(ORDER, "[{\"sku\": \"LAMP-1\", \"quantity\": 1}]");
    cr_assert_eq(handle("ordering.ReserveStock", ORDER, 1, payload), 0);
    cr_assert_eq(handle("ordering.ReserveStock", ORDER, 1, payload), 0);
    cr_expect_str_eq(replies(),
                     "1|inventory.StockReserved [{\"sku\": \"LAMP-1\", \"quantity\": 1}]");
    cr_expect_str_eq(stock(), "LAMP-1:5:1;MUG-1:1:0");
}

Test(reserving_stock, refuses_a_payload_that_breaks_the_contract_as_a_dead_letter)
{
    cr_expect_eq(handle("ordering.ReserveStock", ORDER, 1, RESERVE(ORDER, "[]")), SHOP_EINVALID);
    cr_expect(strstr(shop_error_message(), "lines") != NULL, "%s", shop_error_message());
    cr_expect_eq(handle("ordering.ReserveStock", ORDER, 2,
                        RESERVE(ORDER, "[{\"sku\": \"LAMP-1\", \"quantity\": 0}]")),
                 SHOP_EINVALID);
    cr_expect(strstr(shop_error_message(), "lines[0].quantity") != NULL, "%s",
              shop_error_message());
    cr_expect_eq(handle("ordering.ReserveStock", ORDER, 3,
                        "{\"order_id\": \"not-a-uuid\", \"lines\": [{\"sku\": \"LAMP-1\","
                        " \"quantity\": 1}]}"),
                 SHOP_EINVALID);
    cr_expect_eq(handle("ordering.ReserveStock", ORDER, 4, "[1, 2]"), SHOP_EINVALID);
    cr_expect_str_eq(replies(), "0|");
    cr_expect_str_eq(stock(), "LAMP-1:5:0;MUG-1:1:0");
}

Test(releasing_a_reservation, gives_its_units_back_and_answers_with_its_lines)
{
    cr_assert_eq(handle("ordering.ReserveStock", ORDER, 1,
                        RESERVE(ORDER, "[{\"sku\": \"LAMP-1\", \"quantity\": 3}]")),
                 0);
    cr_assert_eq(handle("ordering.ReleaseReservation", ORDER, 2, ORDER_ONLY(ORDER)), 0, "%s",
                 shop_error_message());
    cr_expect_str_eq(stock(), "LAMP-1:5:0;MUG-1:1:0");
    cr_expect_str_eq(test_query(db, "SELECT string_agg(type || ' ' || (payload->'lines')::text,"
                                    " ';' ORDER BY id) FROM inventory.outbox"
                                    " WHERE type = 'inventory.ReservationReleased'"),
                     "inventory.ReservationReleased [{\"sku\": \"LAMP-1\", \"quantity\": 3}]");
    /* released before: nothing more to give back, and said so */
    cr_assert_eq(handle("ordering.ReleaseReservation", ORDER, 3, ORDER_ONLY(ORDER)), 0);
    cr_expect_str_eq(stock(), "LAMP-1:5:0;MUG-1:1:0");
    cr_expect_str_eq(test_query(db, "SELECT (payload->'lines')::text FROM inventory.outbox"
                                    " ORDER BY id DESC LIMIT 1"),
                     "[]");
}

Test(releasing_a_reservation, that_was_never_made_answers_with_no_lines)
{
    cr_assert_eq(handle("ordering.ReleaseReservation", ORDER, 1, ORDER_ONLY(ORDER)), 0, "%s",
                 shop_error_message());
    cr_expect_str_eq(replies(), "1|inventory.ReservationReleased []");
    cr_expect_str_eq(stock(), "LAMP-1:5:0;MUG-1:1:0");
}

Test(committing_a_reservation, takes_the_units_off_the_shelf_once)
{
    cr_assert_eq(handle("ordering.ReserveStock", ORDER, 1,
                        RESERVE(ORDER, "[{\"sku\": \"LAMP-1\", \"quantity\": 2}]")),
                 0);
    cr_assert_eq(handle("ordering.CommitReservation", ORDER, 2, ORDER_ONLY(ORDER)), 0, "%s",
                 shop_error_message());
    cr_expect_str_eq(stock(), "LAMP-1:3:0;MUG-1:1:0");
    cr_assert_eq(handle("ordering.CommitReservation", ORDER, 3, ORDER_ONLY(ORDER)), 0, "%s",
                 shop_error_message());
    cr_expect_str_eq(stock(), "LAMP-1:3:0;MUG-1:1:0");
    cr_expect_str_eq(replies(),
                     "3|inventory.StockReserved [{\"sku\": \"LAMP-1\", \"quantity\": 2}]"
                     ";inventory.ReservationCommitted [{\"sku\": \"LAMP-1\", \"quantity\": 2}]"
                     ";inventory.ReservationCommitted [{\"sku\": \"LAMP-1\", \"quantity\": 2}]");
}

Test(committing_a_reservation, that_does_not_exist_is_a_dead_letter_and_answers_nothing)
{
    cr_expect_eq(handle("ordering.CommitReservation", ORDER, 1, ORDER_ONLY(ORDER)), SHOP_EINVALID);
    cr_expect(strstr(shop_error_message(), ORDER) != NULL, "%s", shop_error_message());
    cr_expect_str_eq(replies(), "0|");
}

/* ---- two orders, one unit left ---- */

struct racer {
    PGconn *conn;
    void *handler;
    int rc;
};

static void *reserve_b(void *arg)
{
    struct racer *r = arg;
    struct message m = test_command("ordering.ReserveStock", ORDER_B, 2,
                                    RESERVE(ORDER_B, "[{\"sku\": \"MUG-1\", \"quantity\": 1}]"));
    r->rc = test_command_handle(r->conn, &inventory_commands_subscription, r->handler, &m);
    message_dispose(&m);
    return NULL;
}

Test(two_orders, racing_for_the_last_unit_through_the_commands_get_one_unit_and_one_refusal)
{
    struct racer b = {.conn = test_db_connect(db_name, NULL)};
    test_db_exec(b.conn, "SET ROLE shop_inventory");
    cr_assert_eq(inventory_commands_subscription.open(&b.handler, b.conn, NULL), 0);

    /* A reserves the last MUG-1 and has not committed when B's command comes */
    test_db_exec(db, "BEGIN");
    struct message a = test_command("ordering.ReserveStock", ORDER, 1,
                                    RESERVE(ORDER, "[{\"sku\": \"MUG-1\", \"quantity\": 1}]"));
    cr_assert_eq(inventory_commands_subscription.handle(handler, &a), 0, "%s",
                 shop_error_message());
    message_dispose(&a);
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, reserve_b, &b), 0);
    /* B waits for A's row lock: wait until the server says so, then let A commit */
    for (int i = 0; i < 2000 && test_query_long(admin, "SELECT count(*) FROM pg_stat_activity"
                                                       " WHERE wait_event_type = 'Lock'"
                                                       " AND datname = current_database()") == 0;
         i++)
        test_pause_ms(10);
    test_db_exec(db, "COMMIT");
    pthread_join(t, NULL);
    cr_expect_eq(b.rc, 0, "%s", shop_error_message());

    cr_expect_str_eq(stock(), "LAMP-1:5:0;MUG-1:1:1");
    cr_expect_str_eq(test_query(db, "SELECT string_agg(payload->>'order_id' || ' ' || type, ';'"
                                    " ORDER BY payload->>'order_id') FROM inventory.outbox"),
                     ORDER " inventory.StockReserved;" ORDER_B
                           " inventory.StockReservationRejected");
    inventory_commands_subscription.close(b.handler);
    PQfinish(b.conn);
}

/* ---- end to end: the bus, the consumer, the relay ---- */

Test(a_command_on_the_bus, is_answered_once_on_the_bus_even_when_delivered_twice)
{
    struct consumer *c;
    struct consumer_stats totals;
    struct message m = test_command("ordering.ReserveStock", ORDER, 1,
                                    RESERVE(ORDER, "[{\"sku\": \"LAMP-1\", \"quantity\": 1}]"));
    test_command_publish(admin, &m);
    message_dispose(&m);
    cr_assert_eq(consumer_open(&c, db, &inventory_commands_subscription, handler, NULL), 0, "%s",
                 shop_error_message());
    test_poll_until(c, db, "SELECT count(*) FROM inventory.inbox", 1);

    /* the relay moves the reply to the bus */
    const struct relay_source src = {"inventory", RELAY_OUTBOX_TABLE, NULL, false};
    struct relay *r;
    size_t moved = 0;
    cr_assert_eq(relay_open(&r, db, &src), 0, "%s", shop_error_message());
    cr_assert_eq(relay_step(r, 0, &moved), 0, "%s", shop_error_message());
    cr_expect_eq(moved, 1);
    relay_close(r);
    cr_expect_str_eq(test_query(admin, "SELECT string_agg(source || ' ' || type || ' ' ||"
                                       " causation_id, ';') FROM messaging.bus"
                                       " WHERE type LIKE 'inventory.%'"),
                     "inventory inventory.StockReserved 0190c000-0000-7000-8000-000000000001");

    /* delivered again (the checkpoint moved back): the inbox stops it */
    test_db_exec(db, "UPDATE messaging.subscriptions SET transaction_id = '0', position = 0"
                     " WHERE subscriber = 'inventory.commands'");
    for (int i = 0; i < 2000; i++) {
        cr_assert_eq(consumer_poll(c, NULL), 0, "%s", shop_error_message());
        consumer_totals(c, &totals);
        if (totals.duplicates == 1)
            break;
        test_pause_ms(10);
    }
    cr_expect_eq(totals.duplicates, 1);
    cr_expect_eq(totals.handled, 1);
    cr_expect_str_eq(stock(), "LAMP-1:5:1;MUG-1:1:0");
    cr_expect_eq(test_query_long(db, "SELECT count(*) FROM inventory.outbox"), 0);
    consumer_close(c);
}

/* ---- receiving stock ---- */

Test(receiving_stock, tells_the_others_with_stock_received_on_the_skus_stream)
{
    struct test_service svc;
    struct test_reply reply;
    test_service_start(&svc, "inventory", db_name, NULL);
    test_http(&reply, svc.url, "POST", "/stock/LAMP-1/receipts", "{\"quantity\": 3}");
    cr_expect_eq(reply.status, 200, "%s", reply.body);
    test_reply_dispose(&reply);
    test_service_stop(&svc);
    /* the service's relay may have moved it to the bus already: look at both at once */
    cr_expect_str_eq(test_query(admin, "SELECT string_agg(stream || ' ' || type || ' ' ||"
                                       " (payload->>'sku') || ' ' || (payload->>'quantity') ||"
                                       " ' ' || (payload->>'on_hand'), ';') FROM ("
                                       " SELECT stream, type, payload FROM inventory.outbox"
                                       " UNION ALL SELECT stream, type, payload FROM messaging.bus"
                                       " WHERE source = 'inventory') m"),
                     "stock-LAMP-1 inventory.StockReceived LAMP-1 3 8");
}

Test(the_outboxes_and_inboxes, belong_each_to_its_own_context)
{
    test_db_exec(admin, "SET ROLE shop_payments");
    cr_expect_str_eq(test_db_exec_fails(admin, "SELECT * FROM inventory.outbox"), "42501");
    cr_expect_str_eq(test_db_exec_fails(admin, "SELECT * FROM shipping.inbox"), "42501");
    test_db_exec(admin, "RESET ROLE");
    test_db_exec(admin, "SET ROLE shop_inventory");
    cr_expect_str_eq(test_db_exec_fails(admin, "SELECT * FROM payments.outbox"), "42501");
    cr_expect_str_eq(test_db_exec_fails(admin, "DELETE FROM inventory.inbox"), "42501");
    test_db_exec(admin, "RESET ROLE");
}
