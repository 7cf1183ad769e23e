/*
 * tests/integration/fulfilment_subscription_test.c — the fulfilment saga on a real
 * PostgreSQL, driven as the Ordering service drives it: orders placed through Ordering's
 * service, its relay publishing OrderPlaced, a real consumer of "ordering.fulfilment"
 * (consumer_poll: inbox, checkpoints, dead letters), and the participants' replies put on
 * the bus as Inventory, Payments and Shipping publish them.
 *
 * What an order relies on: it starts one saga, which asks Inventory to reserve its
 * stock; a message delivered twice changes nothing twice; the replies of a happy order
 * confirm it (OrderConfirmed in Ordering's events) and take the units off the shelf; a
 * declined card releases the stock and cancels the order with the reason; a reply that
 * does not come in time is compensated by the deadline timer (one transaction per saga,
 * a saga another timer holds is left to it); a reply that breaks the published language
 * is dead-lettered at once.  Every command goes to ordering.outbox in the transaction of
 * its decision, with the order as correlation id and its cause as causation id.
 * Read next: infrastructure/ordering/fulfilment_subscription.c
 */
#include "application/ordering/order_service.h"
#include "domain/shared/error.h"
#include "infrastructure/memory/price_list_memory.h"
#include "infrastructure/messaging/consumer.h"
#include "infrastructure/messaging/relay.h"
#include "infrastructure/ordering/fulfilment_subscription.h"
#include "infrastructure/ordering/order_store_es.h"
#include "infrastructure/ordering/ordering_messages.h"
#include "infrastructure/postgres/event_store_pg.h"
#include "infrastructure/system/clock_system.h"
#include "infrastructure/system/id_generator_uuid.h"
#include "tests/support/test_db.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WHEN "\"2024-06-10T06:13:20.000000Z\""

static char db_name[TEST_DB_NAME_MAX];
static PGconn *db;
static void *handler;
static struct consumer *consumer;
static struct relay *relay;
static char order_text[UUID_STRING_SIZE];

static const struct relay_source ordering_relay = {"ordering", RELAY_EVENT_STORE,
                                                   ordering_messages_translate, true};

static void setup(void)
{
    db = test_db_create(db_name);
    test_db_migrate(db);
    test_db_exec(db, "SET ROLE shop_ordering");
}

static void teardown(void)
{
    consumer_close(consumer);
    if (handler)
        fulfilment_subscription.close(handler);
    relay_close(relay);
    test_db_exec(db, "RESET ROLE");
    test_db_drop(db, db_name);
}

/* The subscription as its worker opens it (after the test's settings, if any). */
static void start(void)
{
    cr_assert_eq(fulfilment_subscription.open(&handler, db, NULL), 0, "%s", shop_error_message());
    cr_assert_eq(consumer_open(&consumer, db, &fulfilment_subscription, handler, NULL), 0, "%s",
                 shop_error_message());
    cr_assert_eq(relay_open(&relay, db, &ordering_relay), 0, "%s", shop_error_message());
}

static void pause_a_moment(void)
{
    struct timespec t = {0, 10 * 1000 * 1000};
    nanosleep(&t, NULL);
}

/* One value of a query on the test's connection (static storage). */
static const char *query_value(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *query_value(const char *fmt, ...)
{
    static char value[4096];
    char sql[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    PGresult *res = PQexec(db, sql);
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s: %s", sql, PQerrorMessage(db));
    snprintf(value, sizeof value, "%s", PQntuples(res) ? PQgetvalue(res, 0, 0) : "");
    PQclear(res);
    return value;
}

/* Places an order of 2 x LAMP-1 at 12.45 EUR through Ordering's own service, and has the
 * relay publish its OrderPlaced (the global log shows it once older transactions of the
 * cluster are done: other tests run at once, so within a deadline). */
static void place(const char *card)
{
    struct event_store *events;
    struct order_store *orders;
    struct price_list *prices;
    struct shop_clock *clock;
    struct id_generator *ids;
    cr_assert_eq(event_store_pg_new(&events, db, "ordering"), 0);
    cr_assert_eq(order_store_es_new(&orders, events, 0), 0);
    cr_assert_eq(price_list_memory_new(&prices), 0);
    cr_assert_eq(clock_system_new(&clock), 0);
    cr_assert_eq(id_generator_uuid_new(&ids), 0);
    sku lamp;
    money price;
    cr_assert_eq(sku_parse(&lamp, "LAMP-1"), 0);
    cr_assert_eq(money_parse(&price, "12.45 EUR", NULL), 0);
    price_list_memory_set(prices, &lamp, price);
    struct order_service svc = {.orders = orders, .prices = prices, .clock = clock, .ids = ids};
    struct place_order_request req;
    memset(&req, 0, sizeof req);
    cr_assert_eq(customer_id_parse(&req.customer, "c-42"), 0);
    cr_assert_eq(ship_to_parse(&req.address.ship_to, "1 Main Street"), 0);
    cr_assert_eq(postcode_parse(&req.address.postcode, "10115"), 0);
    req.line_count = 1;
    req.lines[0].sku = lamp;
    cr_assert_eq(quantity_make(&req.lines[0].quantity, 2), 0);
    if (card)
        snprintf(req.card, sizeof req.card, "%s", card);
    order_id id;
    cr_assert_eq(order_service_place(&id, &svc, &req, NULL), 0, "%s", shop_error_message());
    uuid_format(order_text, id.uuid);
    id_generator_free(ids);
    shop_clock_free(clock);
    price_list_free(prices);
    order_store_free(orders);
    es_free(events);

    for (int i = 0; i < 1000; i++) {
        size_t moved;
        cr_assert_eq(relay_step(relay, 0, &moved), 0, "%s", shop_error_message());
        if (strcmp(query_value("SELECT count(*) FROM messaging.bus WHERE type ="
                               " 'ordering.OrderPlaced'"),
                   "1") == 0)
            return;
        pause_a_moment();
    }
    cr_assert_fail("after 10 s the relay has not published the OrderPlaced");
}

/* Polls the consumer until `sql` answers "t", within 10 s (one order per database). */
static void poll_until(const char *what, const char *sql)
{
    for (int i = 0; i < 1000; i++) {
        cr_assert_eq(consumer_poll(consumer, NULL), 0, "%s", shop_error_message());
        if (strcmp(query_value("%s", sql), "t") == 0)
            return;
        pause_a_moment();
    }
    cr_assert_fail("after 10 s: not %s (saga: %s)", what,
                   query_value("SELECT state || ' v' || version FROM ordering.sagas"));
}

static void poll_until_state(const char *state)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT EXISTS (SELECT 1 FROM ordering.sagas WHERE state = '%s')",
             state);
    poll_until(state, sql);
}

/* A participant's reply on the bus, as its relay publishes it: {"order_id": ..., members},
 * "{order}" in members standing for the order id.  Its message id is returned. */
static const char *reply(const char *type, const char *members)
{
    char payload[2048], *out = payload, source[32];
    out += snprintf(payload, sizeof payload, "{\"order_id\": \"%s\"%s", order_text,
                    *members ? ", " : "");
    for (const char *p = members; *p;) {
        if (strncmp(p, "{order}", 7) == 0) {
            out += snprintf(out, sizeof payload - (size_t)(out - payload), "%s", order_text);
            p += 7;
        } else {
            *out++ = *p++;
        }
    }
    snprintf(out, sizeof payload - (size_t)(out - payload), "}");
    snprintf(source, sizeof source, "%.*s", (int)strcspn(type, "."), type);
    char stream[64];
    snprintf(stream, sizeof stream, "order-%s", order_text);
    const char *params[] = {type, source, stream, payload, order_text};
    PGresult *res = PQexecParams(
        db,
        "INSERT INTO messaging.bus (message_id, type, schema_version, source, stream, payload,"
        " correlation_id) VALUES (gen_random_uuid(), $1, 1, $2, $3, $4::jsonb, $5::uuid)"
        " RETURNING message_id",
        5, NULL, params, NULL, NULL, 0);
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQerrorMessage(db));
    static char id[UUID_STRING_SIZE];
    snprintf(id, sizeof id, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return id;
}

/* The types of the commands the saga queued, in order: "ReserveStock,AuthorizePayment". */
static const char *commands(void)
{
    return query_value("SELECT coalesce(string_agg(substr(type, 10), ',' ORDER BY id), '')"
                       " FROM ordering.outbox WHERE stream = 'order-%s'",
                       order_text);
}

TestSuite(the_fulfilment_subscription, .init = setup, .fini = teardown, .timeout = 120);

Test(the_fulfilment_subscription, names_its_subscriber_inbox_and_every_message_it_hears)
{
    cr_expect_str_eq(fulfilment_subscription.name, "ordering.fulfilment");
    cr_expect_str_eq(fulfilment_subscription.inbox_schema, "ordering");
    size_t n = 0;
    while (fulfilment_subscription.types[n])
        n++;
    cr_expect_eq(n, 13, "OrderPlaced, OrderCancelled and the 11 replies, not %zu", n);
}

Test(the_fulfilment_subscription, starts_the_saga_of_an_order_placed_and_asks_for_its_stock)
{
    start();
    place(NULL);
    poll_until_state("reserving_stock");

    cr_expect_str_eq(
        query_value("SELECT version FROM ordering.sagas WHERE order_id = '%s'", order_text), "1");
    cr_expect_str_eq(commands(), "ReserveStock");
    cr_expect_str_eq(query_value("SELECT payload->'lines' FROM ordering.outbox"),
                     "[{\"sku\": \"LAMP-1\", \"quantity\": 2}]", "the lines to reserve");
}

Test(the_fulfilment_subscription, sends_each_command_with_the_order_and_its_cause)
{
    start();
    place(NULL);
    poll_until_state("reserving_stock");
    cr_expect_str_eq(query_value("SELECT count(*) FROM ordering.outbox o JOIN messaging.bus b"
                                 " ON b.type = 'ordering.OrderPlaced'"
                                 " WHERE o.causation_id = b.message_id"
                                 "   AND o.correlation_id = '%s' AND o.stream = 'order-%s'"
                                 "   AND o.schema_version = 1",
                                 order_text, order_text),
                     "1", "caused by the OrderPlaced, correlated by the order, on its stream");
    cr_expect_str_eq(query_value("SELECT data->>'card' FROM ordering.sagas"), "tok_visa",
                     "an order placed without a card is paid with tok_visa");
}

Test(the_fulfilment_subscription, handles_an_order_placed_twice_once)
{
    start();
    place(NULL);
    poll_until_state("reserving_stock");

    /* Delivered again: the checkpoints moved back to the start of the bus. */
    test_db_exec(db, "UPDATE messaging.subscriptions SET transaction_id = '0', position = 0"
                     " WHERE subscriber = 'ordering.fulfilment'");
    struct consumer_stats stats = {0};
    for (int i = 0; i < 1000 && stats.duplicates == 0; i++) {
        cr_assert_eq(consumer_poll(consumer, &stats), 0, "%s", shop_error_message());
        if (stats.duplicates == 0)
            pause_a_moment();
    }
    cr_expect_eq(stats.duplicates, 1, "the inbox knows it");
    cr_expect_eq(stats.handled, 0);

    /* And handed to the handler itself once more, past the inbox: the saga has it. */
    struct message m = {.schema_version = 1};
    PGresult *res = PQexec(db, "SELECT message_id, payload::text FROM messaging.bus"
                               " WHERE type = 'ordering.OrderPlaced'");
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK);
    snprintf(m.type, sizeof m.type, "ordering.OrderPlaced");
    snprintf(m.stream, sizeof m.stream, "order-%s", order_text);
    cr_assert_eq(uuid_parse(&m.meta.message_id, PQgetvalue(res, 0, 0)), 0);
    m.payload = strdup(PQgetvalue(res, 0, 1));
    PQclear(res);
    test_db_exec(db, "BEGIN");
    cr_expect_eq(fulfilment_subscription.handle(handler, &m), 0, "%s", shop_error_message());
    test_db_exec(db, "COMMIT");
    message_dispose(&m);

    cr_expect_str_eq(query_value("SELECT count(*) || ' v' || max(version) FROM ordering.sagas"),
                     "1 v1", "one saga, never moved on");
    cr_expect_str_eq(commands(), "ReserveStock", "one command");
}

Test(the_fulfilment_subscription, confirms_a_happy_order_and_takes_its_units_off_the_shelf)
{
    start();
    place(NULL);
    poll_until_state("reserving_stock");
    reply("inventory.StockReserved",
          "\"lines\": [{\"sku\": \"LAMP-1\", \"quantity\": 2}], \"reserved_at\": " WHEN);
    poll_until_state("authorizing_payment");
    cr_expect_str_eq(query_value("SELECT payload->>'amount' || ' ' || (payload->>'card')"
                                 " || ' ' || (payload->>'payment_id' = payload->>'order_id')"
                                 " FROM ordering.outbox WHERE type = 'ordering.AuthorizePayment'"),
                     "24.90 EUR tok_visa true");
    reply("payments.PaymentAuthorized",
          "\"payment_id\": \"{order}\", \"amount\": \"24.90 EUR\", \"authorized_at\": " WHEN);
    poll_until_state("scheduling_shipment");
    cr_expect_str_eq(query_value("SELECT payload->>'ship_to' || '|' || (payload->>'postcode')"
                                 " FROM ordering.outbox WHERE type = 'ordering.ScheduleShipment'"),
                     "1 Main Street|10115");
    reply("shipping.ShipmentScheduled", "\"scheduled_at\": " WHEN);
    poll_until_state("capturing_payment");
    char captured[UUID_STRING_SIZE];
    snprintf(captured, sizeof captured, "%s",
             reply("payments.PaymentCaptured", "\"payment_id\": \"{order}\", \"amount\":"
                                               " \"24.90 EUR\", \"captured_at\": " WHEN));
    poll_until_state("confirmed");

    cr_expect_str_eq(commands(), "ReserveStock,AuthorizePayment,ScheduleShipment,CapturePayment,"
                                 "CommitReservation");
    cr_expect_str_eq(query_value("SELECT string_agg(type, ',' ORDER BY stream_version)"
                                 " FROM ordering.events WHERE stream_id = 'order-%s'",
                                 order_text),
                     "OrderPlaced,OrderConfirmed", "the order is confirmed in its own events");
    cr_expect_str_eq(query_value("SELECT causation_id FROM ordering.events"
                                 " WHERE type = 'OrderConfirmed'"),
                     captured, "confirmed because the payment was captured");
    cr_expect_str_eq(query_value("SELECT causation_id FROM ordering.outbox"
                                 " WHERE type = 'ordering.CommitReservation'"),
                     captured);
    cr_expect_str_eq(query_value("SELECT deadline IS NULL FROM ordering.sagas"), "t",
                     "an ended saga waits for nothing");

    /* A late duplicate reply changes nothing. */
    reply("shipping.ShipmentScheduled", "\"scheduled_at\": " WHEN);
    const char *version = query_value("SELECT version FROM ordering.sagas");
    char before[24];
    snprintf(before, sizeof before, "%s", version);
    poll_until("the late reply handled",
               "SELECT NOT EXISTS (SELECT 1 FROM messaging.bus b WHERE b.type ="
               " 'shipping.ShipmentScheduled' AND NOT EXISTS (SELECT 1 FROM ordering.inbox i"
               " WHERE i.message_id = b.message_id))");
    cr_expect_str_eq(query_value("SELECT version FROM ordering.sagas"), before);
    cr_expect_str_eq(commands(), "ReserveStock,AuthorizePayment,ScheduleShipment,CapturePayment,"
                                 "CommitReservation");
}

Test(the_fulfilment_subscription, releases_the_stock_and_cancels_the_order_of_a_declined_card)
{
    start();
    place("tok_chargeDeclined");
    poll_until_state("reserving_stock");
    reply("inventory.StockReserved",
          "\"lines\": [{\"sku\": \"LAMP-1\", \"quantity\": 2}], \"reserved_at\": " WHEN);
    poll_until_state("authorizing_payment");
    cr_expect_str_eq(query_value("SELECT payload->>'card' FROM ordering.outbox"
                                 " WHERE type = 'ordering.AuthorizePayment'"),
                     "tok_chargeDeclined", "the card the order was placed with");
    reply("payments.PaymentDeclined",
          "\"payment_id\": \"{order}\", \"reason\": \"payment declined\", \"declined_at\": " WHEN);
    poll_until_state("releasing_stock");
    reply("inventory.ReservationReleased",
          "\"lines\": [{\"sku\": \"LAMP-1\", \"quantity\": 2}], \"released_at\": " WHEN);
    poll_until_state("cancelled");

    cr_expect_str_eq(commands(), "ReserveStock,AuthorizePayment,ReleaseReservation");
    cr_expect_str_eq(query_value("SELECT type || ': ' || (data->>'reason') FROM ordering.events"
                                 " WHERE stream_id = 'order-%s' AND stream_version = 2",
                                 order_text),
                     "OrderCancelled: payment declined");
    cr_expect_str_eq(query_value("SELECT reason FROM ordering.sagas"), "payment declined");
}

Test(the_fulfilment_subscription, compensates_a_step_whose_reply_did_not_come_in_time)
{
    setenv("SHOP_SAGA_STEP_TIMEOUT_MS", "1", 1);
    start();
    place(NULL);
    poll_until_state("reserving_stock");

    struct fulfilment_handler *timer;
    cr_assert_eq(fulfilment_handler_open(&timer, db, NULL, NULL), 0, "%s", shop_error_message());
    /* Another timer holds the saga: this one leaves it. */
    PGconn *other = test_db_connect(db_name, NULL);
    test_db_exec(other, "BEGIN");
    test_db_exec(other, "SELECT 1 FROM ordering.sagas FOR UPDATE");
    size_t handled = 99;
    for (int i = 0;
         i < 100 && strcmp(query_value("SELECT deadline <= now() FROM ordering.sagas"), "t") != 0;
         i++)
        pause_a_moment();
    cr_assert_eq(fulfilment_deadlines_step(timer, 0, &handled), 0, "%s", shop_error_message());
    cr_expect_eq(handled, 0, "the saga another timer holds is skipped");
    test_db_exec(other, "ROLLBACK");
    PQfinish(other);

    for (int i = 0; i < 1000; i++) {
        cr_assert_eq(fulfilment_deadlines_step(timer, 0, &handled), 0, "%s", shop_error_message());
        if (handled > 0)
            break;
        pause_a_moment();
    }
    cr_expect_eq(handled, 1);
    fulfilment_handler_close(timer);

    cr_expect_str_eq(query_value("SELECT state FROM ordering.sagas"), "releasing_stock",
                     "the reservation it may still have made is undone");
    cr_expect_str_eq(commands(), "ReserveStock,ReleaseReservation");
    cr_expect_eq(PQtransactionStatus(db), PQTRANS_IDLE, "the timer left no transaction open");
}

Test(the_fulfilment_subscription, dead_letters_a_reply_that_breaks_the_published_language)
{
    start();
    place(NULL);
    poll_until_state("reserving_stock");
    reply("inventory.StockReserved", "\"lines\": \"two lamps\", \"reserved_at\": " WHEN);
    poll_until("dead-lettered", "SELECT EXISTS (SELECT 1 FROM messaging.dead_letters WHERE"
                                " subscriber = 'ordering.fulfilment' AND type ="
                                " 'inventory.StockReserved' AND last_error LIKE '%lines%')"
                                "");
    cr_expect_str_eq(query_value("SELECT attempts FROM messaging.dead_letters"), "1",
                     "at once: it could never be handled");
    cr_expect_str_eq(query_value("SELECT state || ' v' || version FROM ordering.sagas"),
                     "reserving_stock v1", "the saga did not move");
}

Test(the_fulfilment_subscription, refuses_to_start_on_a_bad_setting)
{
    setenv("SHOP_SAGA_COMPENSATION_ATTEMPTS", "many", 1);
    void *h = NULL;
    cr_expect_eq(fulfilment_subscription.open(&h, db, NULL), SHOP_EINVALID);
    cr_expect_null(h);
    cr_expect(strstr(shop_error_message(), "SHOP_SAGA_COMPENSATION_ATTEMPTS") != NULL, "%s",
              shop_error_message());
    struct saga_settings s;
    setenv("SHOP_SAGA_COMPENSATION_ATTEMPTS", "7", 1);
    setenv("SHOP_SAGA_STEP_TIMEOUT_MS", "2500", 1);
    cr_assert_eq(fulfilment_settings_read(&s), 0, "%s", shop_error_message());
    cr_expect_eq(s.compensation_attempts, 7);
    cr_expect_eq(s.step_timeout_us, 2500000);
    cr_expect_eq(s.compensation_timeout_us, 10000000, "unset: the default");
    setenv("SHOP_SAGA_STEP_TIMEOUT_MS", "0", 1);
    cr_expect_eq(fulfilment_settings_read(&s), SHOP_EINVALID);
}
