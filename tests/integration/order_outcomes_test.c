/*
 * tests/integration/order_outcomes_test.c — the subscription "notifications.order-outcomes"
 * as the consumer runs it: its open() on a real connection as shop_notifications, its
 * handler called inside a transaction the test owns, on bus messages built as Ordering
 * publishes them (the payloads of docs/contracts/events).
 *
 * What a customer relies on: an order placed then confirmed gives two notifications; a
 * message delivered twice gives one, and leaves the transaction usable (the consumer
 * commits its inbox and checkpoint in it); a payload that breaks the contract is
 * SHOP_EINVALID (a dead letter at once) naming the field; a confirmation that comes before
 * its order's OrderPlaced is a retryable error that records nothing; a rolled-back
 * transaction (a crash before commit) leaves nothing behind.
 * Read next: infrastructure/notifications/order_outcomes.c
 */
#include "infrastructure/notifications/order_outcomes.h"
#include "tests/support/test_db.h"

#include "domain/shared/error.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ORDER "0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90"

static char db_name[TEST_DB_NAME_MAX];
static PGconn *db;
static void *handler;

static void setup(void)
{
    db = test_db_create(db_name);
    test_db_migrate(db);
    test_db_exec(db, "SET ROLE shop_notifications");
    cr_assert_eq(order_outcomes_subscription.open(&handler, db, NULL), 0, "%s",
                 shop_error_message());
}

static void teardown(void)
{
    order_outcomes_subscription.close(handler);
    test_db_drop(db, db_name);
}

TestSuite(order_outcomes, .init = setup, .fini = teardown);

static const char placed_payload[] =
    "{\"order_id\": \"" ORDER "\", \"customer\": \"c-42\", \"ship_to\": \"1 Main Street\","
    " \"postcode\": \"10115\", \"lines\": [{\"sku\": \"MUG-RED\", \"quantity\": 1,"
    " \"unit_price\": \"12.50 EUR\", \"line_total\": \"12.50 EUR\"}, {\"sku\": \"TEE-L\","
    " \"quantity\": 1, \"unit_price\": \"17.25 EUR\", \"line_total\": \"17.25 EUR\"}],"
    " \"total\": \"29.75 EUR\", \"placed_at\": \"2024-06-10T06:13:20.000000Z\"}";
static const char confirmed_payload[] =
    "{\"order_id\": \"" ORDER "\", \"confirmed_at\": \"2024-06-10T06:13:21.000000Z\"}";

/* A message as the consumer hands it over; message number n has an id of its own. */
static struct message message(const char *type, int n, const char *payload)
{
    struct message m = {.position = n, .schema_version = 1};
    char text[UUID_STRING_SIZE];
    snprintf(m.type, sizeof m.type, "%s", type);
    snprintf(m.source, sizeof m.source, "ordering");
    snprintf(m.stream, sizeof m.stream, "order-%s", ORDER);
    snprintf(text, sizeof text, "0190b000-0000-7000-8000-%012d", n);
    cr_assert_eq(uuid_parse(&m.meta.message_id, text), 0);
    cr_assert_eq(uuid_parse(&m.meta.correlation_id, ORDER), 0);
    m.payload = strdup(payload);
    return m;
}

static int handle(const char *type, int n, const char *payload)
{
    struct message m = message(type, n, payload);
    int rc = order_outcomes_subscription.handle(handler, &m);
    message_dispose(&m);
    return rc;
}

/* One value of a query on the test's connection (static storage). */
static const char *query_value(const char *sql)
{
    static char value[1024];
    PGresult *res = PQexec(db, sql);
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s: %s", sql, PQerrorMessage(db));
    snprintf(value, sizeof value, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return value;
}

static const char *notifications(void)
{
    return query_value("SELECT count(*) || ':' || coalesce(string_agg(customer || '|' || kind"
                       " || '|' || text || '|' || message_id || '|' || correlation_id, ';'"
                       " ORDER BY id), '') FROM notifications.notifications");
}

Test(order_outcomes, names_its_subscriber_inbox_and_types)
{
    cr_expect_str_eq(order_outcomes_subscription.name, "notifications.order-outcomes");
    cr_expect_str_eq(order_outcomes_subscription.inbox_schema, "notifications");
    cr_expect_str_eq(order_outcomes_subscription.types[0], "ordering.OrderPlaced");
    cr_expect_str_eq(order_outcomes_subscription.types[1], "ordering.OrderConfirmed");
    cr_expect_str_eq(order_outcomes_subscription.types[2], "ordering.OrderCancelled");
    cr_expect_null(order_outcomes_subscription.types[3]);
}

Test(order_outcomes, an_order_placed_then_confirmed_gives_two_notifications)
{
    test_db_exec(db, "BEGIN");
    cr_assert_eq(handle("ordering.OrderPlaced", 1, placed_payload), 0, "%s", shop_error_message());
    cr_assert_eq(handle("ordering.OrderConfirmed", 2, confirmed_payload), 0, "%s",
                 shop_error_message());
    test_db_exec(db, "COMMIT");
    cr_expect_str_eq(notifications(),
                     "2:c-42|order-placed|Order " ORDER " received: 2 items, 29.75 EUR"
                     "|0190b000-0000-7000-8000-000000000001|" ORDER
                     ";c-42|order-confirmed|Order " ORDER " confirmed"
                     "|0190b000-0000-7000-8000-000000000002|" ORDER);
}

Test(order_outcomes, a_cancellation_tells_its_reason)
{
    test_db_exec(db, "BEGIN");
    cr_assert_eq(handle("ordering.OrderPlaced", 1, placed_payload), 0, "%s", shop_error_message());
    cr_assert_eq(handle("ordering.OrderCancelled", 2,
                        "{\"order_id\": \"" ORDER "\", \"reason\": \"payment declined\","
                        " \"cancelled_at\": \"2024-06-10T06:13:21.000000Z\"}"),
                 0, "%s", shop_error_message());
    test_db_exec(db, "COMMIT");
    cr_expect_str_eq(query_value("SELECT text FROM notifications.notifications"
                                 " WHERE kind = 'order-cancelled'"),
                     "Order " ORDER " cancelled: payment declined");
}

Test(order_outcomes, the_same_message_twice_gives_one_notification_and_a_usable_transaction)
{
    test_db_exec(db, "BEGIN");
    cr_assert_eq(handle("ordering.OrderPlaced", 1, placed_payload), 0, "%s", shop_error_message());
    cr_assert_eq(handle("ordering.OrderPlaced", 1, placed_payload), 0,
                 "a second delivery is no error: %s", shop_error_message());
    /* the duplicate did not abort the transaction: the consumer still commits in it */
    cr_expect_str_eq(query_value("SELECT 'still usable'"), "still usable");
    test_db_exec(db, "COMMIT");
    test_db_exec(db, "BEGIN");
    cr_assert_eq(handle("ordering.OrderPlaced", 1, placed_payload), 0, "%s", shop_error_message());
    test_db_exec(db, "COMMIT");
    cr_expect_str_eq(query_value("SELECT count(*) FROM notifications.notifications"), "1");
}

Test(order_outcomes, a_confirmation_before_its_order_was_placed_is_tried_again_later)
{
    test_db_exec(db, "BEGIN");
    int rc = handle("ordering.OrderConfirmed", 2, confirmed_payload);
    cr_expect(rc == SHOP_EUNAVAILABLE || rc == SHOP_ECONFLICT,
              "a retryable error, not a dead letter: %s", shop_error_name(rc));
    cr_expect(strstr(shop_error_message(), ORDER) != NULL, "it names the order: %s",
              shop_error_message());
    cr_expect_str_eq(query_value("SELECT count(*) FROM notifications.notifications"), "0");
    test_db_exec(db, "ROLLBACK");
    /* retried after the OrderPlaced was handled */
    test_db_exec(db, "BEGIN");
    cr_assert_eq(handle("ordering.OrderPlaced", 1, placed_payload), 0, "%s", shop_error_message());
    cr_assert_eq(handle("ordering.OrderConfirmed", 2, confirmed_payload), 0, "%s",
                 shop_error_message());
    test_db_exec(db, "COMMIT");
    cr_expect_str_eq(query_value("SELECT count(*) FROM notifications.notifications"), "2");
}

Test(order_outcomes, a_rolled_back_transaction_leaves_nothing_behind)
{
    test_db_exec(db, "BEGIN");
    cr_assert_eq(handle("ordering.OrderPlaced", 1, placed_payload), 0, "%s", shop_error_message());
    test_db_exec(db, "ROLLBACK");
    cr_expect_str_eq(notifications(), "0:");
    cr_expect_str_eq(query_value("SELECT count(*) FROM notifications.order_customers"), "0");
}

/* A payload that breaks the contract: SHOP_EINVALID, its message containing `names`. */
static void expect_invalid(const char *type, const char *payload, const char *names)
{
    test_db_exec(db, "BEGIN");
    int rc = handle(type, 9, payload);
    cr_expect_eq(rc, SHOP_EINVALID, "%s %s: %s", type, payload, shop_error_name(rc));
    cr_expect(strstr(shop_error_message(), names) != NULL, "\"%s\" names \"%s\"",
              shop_error_message(), names);
    test_db_exec(db, "ROLLBACK");
    cr_expect_str_eq(notifications(), "0:");
}

Test(order_outcomes, a_payload_that_breaks_the_contract_is_invalid_and_names_the_field)
{
    expect_invalid("ordering.OrderPlaced", "not json",
                   "ordering.OrderPlaced payload: payload: "
                   "not a JSON object");
    expect_invalid("ordering.OrderPlaced", "[1, 2]", "not a JSON object");
    expect_invalid("ordering.OrderPlaced", "{\"order_id\": \"" ORDER "\"} trailing", "not a JSON");
    expect_invalid("ordering.OrderConfirmed", "{}", "order_id: missing");
    expect_invalid("ordering.OrderConfirmed", "{\"order_id\": 42}", "order_id: must be a string");
    expect_invalid("ordering.OrderConfirmed", "{\"order_id\": \"ORDER-1\"}", "order_id: ");
    expect_invalid("ordering.OrderPlaced",
                   "{\"order_id\": \"" ORDER "\", \"lines\": [{\"quantity\": 1}],"
                   " \"total\": \"1.00 EUR\"}",
                   "customer: missing");
    expect_invalid("ordering.OrderPlaced",
                   "{\"order_id\": \"" ORDER "\", \"customer\": \"c-1\", \"lines\": [],"
                   " \"total\": \"1.00 EUR\"}",
                   "lines: must not be empty");
    expect_invalid("ordering.OrderPlaced",
                   "{\"order_id\": \"" ORDER "\", \"customer\": \"c-1\","
                   " \"lines\": [{\"quantity\": 1.5}], \"total\": \"1.00 EUR\"}",
                   "lines[].quantity: must be an integer 1-999");
    expect_invalid("ordering.OrderPlaced",
                   "{\"order_id\": \"" ORDER "\", \"customer\": \"c-1\","
                   " \"lines\": [{\"quantity\": 1}], \"total\": 1.0}",
                   "total: must be a string");
    expect_invalid("ordering.OrderPlaced",
                   "{\"order_id\": \"" ORDER "\", \"customer\": \"c-1\","
                   " \"lines\": [{\"quantity\": 1}], \"total\": \"0.00 EUR\"}",
                   "total must be above 0");
    expect_invalid("ordering.OrderCancelled", "{\"order_id\": \"" ORDER "\"}", "reason: missing");
}

Test(order_outcomes, an_unknown_schema_version_is_invalid)
{
    struct message m = message("ordering.OrderConfirmed", 3, confirmed_payload);
    m.schema_version = 2;
    cr_expect_eq(order_outcomes_subscription.handle(handler, &m), SHOP_EINVALID);
    cr_expect_str_eq(shop_error_message(),
                     "ordering.OrderConfirmed schema version 2: only version 1 is understood");
    message_dispose(&m);
}

Test(order_outcomes, reads_only_the_fields_it_needs)
{
    struct order_update u;
    struct message m = message("ordering.OrderPlaced", 1,
                               "{\"order_id\": \"" ORDER "\", \"customer\": \"c-7\","
                               " \"lines\": [{\"quantity\": 3}, {\"quantity\": 4}],"
                               " \"total\": \"70.00 EUR\", \"a_field_added_later\": true}");
    cr_assert_eq(order_outcomes_read(&u, &m), 0, "%s", shop_error_message());
    cr_expect_eq(u.kind, NOTIFICATION_ORDER_PLACED);
    cr_expect_str_eq(u.customer.text, "c-7");
    cr_expect_eq(u.items, 7, "the units of every line");
    cr_expect_eq(u.total.minor, 7000);
    message_dispose(&m);
}
