/*
 * tests/unit/saga_messages_test.c — the fulfilment saga's published language: what it
 * sends is what docs/contracts/events/ordering.<Command>.v1.example.json says, and what it
 * hears is read strictly.
 *
 * Each command of a fixed saga is encoded with the code the saga store uses
 * (saga_messages.c) and compared with its golden example byte for byte (the example
 * printed compactly), with the derived message id and the cause's ids.  Each reply the
 * saga hears becomes the saga input it names; a payload that breaks the published language
 * is SHOP_EINVALID naming the member, which the consumer dead-letters.
 * SHOP_SOURCE_DIR (a -D flag of the build) is the source tree the examples are read from.
 * Read next: infrastructure/ordering/saga_messages.c, tests/contract/published_language_test.sh
 */
#include "domain/shared/error.h"
#include "infrastructure/ordering/saga_messages.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef SHOP_SOURCE_DIR
#error "SHOP_SOURCE_DIR must name the source tree (-DSHOP_SOURCE_DIR=...)"
#endif

#define ORDER_ID "0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90"
#define CAUSE_ID "0190a6f4-0000-7000-8000-000000000001"
#define TRACE    "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"

static char *example(const char *type)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/docs/contracts/events/%s.v1.example.json", SHOP_SOURCE_DIR,
             type);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    static char text[65536];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    cJSON *doc = cJSON_Parse(text);
    cr_assert_not_null(doc, "%s is not JSON", path);
    char *compact = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    return compact;
}

/* The saga of the examples' order: 3 x MUG-RED, 1 x TEE-L, 57.49 EUR, to Berlin. */
static fulfilment_saga the_saga(void)
{
    fulfilment_saga s;
    memset(&s, 0, sizeof s);
    cr_assert_eq(order_id_parse(&s.order, ORDER_ID), 0);
    s.state = SAGA_RESERVING_STOCK;
    cr_assert_eq(customer_id_parse(&s.customer, "customer-42"), 0);
    cr_assert_eq(ship_to_parse(&s.address.ship_to, "Müllerstraße 5, Berlin"), 0);
    cr_assert_eq(postcode_parse(&s.address.postcode, "10115"), 0);
    s.line_count = 2;
    cr_assert_eq(sku_parse(&s.lines[0].sku, "MUG-RED"), 0);
    cr_assert_eq(quantity_make(&s.lines[0].quantity, 3), 0);
    cr_assert_eq(sku_parse(&s.lines[1].sku, "TEE-L"), 0);
    cr_assert_eq(quantity_make(&s.lines[1].quantity, 1), 0);
    cr_assert_eq(money_parse(&s.total, "57.49 EUR", NULL), 0);
    snprintf(s.card, sizeof s.card, "tok_visa");
    return s;
}

static void expect_command(enum saga_command_type type, int attempt, const char *name)
{
    fulfilment_saga s = the_saga();
    struct message_meta cause = {0};
    cr_assert_eq(uuid_parse(&cause.message_id, CAUSE_ID), 0);
    cr_assert_eq(uuid_parse(&cause.correlation_id, ORDER_ID), 0);
    snprintf(cause.traceparent, sizeof cause.traceparent, "%s", TRACE);
    struct saga_command cmd = {type, attempt};
    struct outgoing_message m;
    cr_assert_eq(saga_message_from_command(&m, &s, &cmd, &cause), 0, "%s", shop_error_message());

    char type_name[MESSAGE_TYPE_MAX + 1], text[UUID_STRING_SIZE], want_id[UUID_STRING_SIZE];
    snprintf(type_name, sizeof type_name, "ordering.%s", name);
    char *want = example(type_name);
    cr_expect_str_eq(m.type, type_name);
    cr_expect_eq(m.schema_version, 1);
    cr_expect_str_eq(m.stream, "order-" ORDER_ID);
    cr_expect_str_eq(m.payload, want, "the payload of %s differs from its example", type_name);
    uuid_format(want_id, saga_command_message_id(s.order, type, attempt));
    cr_expect_str_eq(uuid_format(text, m.meta.message_id), want_id, "the derived message id");
    cr_expect_str_eq(uuid_format(text, m.meta.correlation_id), ORDER_ID);
    cr_expect_str_eq(uuid_format(text, m.meta.causation_id), CAUSE_ID);
    cr_expect_str_eq(m.meta.traceparent, TRACE);
    free(want);
    outgoing_message_dispose(&m);
}

Test(the_saga_says, each_command_as_its_example)
{
    expect_command(SAGA_CMD_RESERVE_STOCK, 1, "ReserveStock");
    expect_command(SAGA_CMD_RELEASE_RESERVATION, 2, "ReleaseReservation");
    expect_command(SAGA_CMD_COMMIT_RESERVATION, 1, "CommitReservation");
    expect_command(SAGA_CMD_AUTHORIZE_PAYMENT, 1, "AuthorizePayment");
    expect_command(SAGA_CMD_CAPTURE_PAYMENT, 1, "CapturePayment");
    expect_command(SAGA_CMD_VOID_PAYMENT, 3, "VoidPayment");
    expect_command(SAGA_CMD_SCHEDULE_SHIPMENT, 1, "ScheduleShipment");
    expect_command(SAGA_CMD_CANCEL_SHIPMENT, 1, "CancelShipment");
}

Test(the_saga_says, a_new_attempt_of_a_command_with_a_new_message_id)
{
    fulfilment_saga s = the_saga();
    struct outgoing_message a, b;
    struct saga_command first = {SAGA_CMD_VOID_PAYMENT, 1}, second = {SAGA_CMD_VOID_PAYMENT, 2};
    cr_assert_eq(saga_message_from_command(&a, &s, &first, NULL), 0);
    cr_assert_eq(saga_message_from_command(&b, &s, &second, NULL), 0);
    cr_expect_not(uuid_equal(a.meta.message_id, b.meta.message_id));
    cr_expect_str_eq(a.payload, b.payload, "the same command");
    outgoing_message_dispose(&a);
    outgoing_message_dispose(&b);
}

/* ---- what the saga hears ---- */

static int decode(struct saga_message *out, const char *type, const char *payload)
{
    struct message m;
    memset(&m, 0, sizeof m);
    snprintf(m.type, sizeof m.type, "%s", type);
    m.schema_version = 1;
    m.payload = (char *)(uintptr_t)payload;
    return saga_message_decode(out, &m);
}

#define T "\"2024-06-10T06:13:20.000000Z\""

Test(the_saga_hears, each_reply_as_the_input_it_names)
{
    static const struct {
        const char *type, *payload;
        enum saga_input_type input;
    } cases[] = {
        {"inventory.StockReserved",
         "{\"order_id\":\"" ORDER_ID "\",\"lines\":[{\"sku\":\"MUG-RED\",\"quantity\":3}],"
         "\"reserved_at\":" T "}",
         SAGA_IN_STOCK_RESERVED},
        {"inventory.StockReservationRejected",
         "{\"order_id\":\"" ORDER_ID "\",\"reason\":\"out of stock: MUG-RED\",\"rejected_at\":" T
         "}",
         SAGA_IN_STOCK_REJECTED},
        {"inventory.ReservationReleased",
         "{\"order_id\":\"" ORDER_ID "\",\"lines\":[],\"released_at\":" T "}",
         SAGA_IN_STOCK_RELEASED},
        {"payments.PaymentAuthorized",
         "{\"order_id\":\"" ORDER_ID "\",\"payment_id\":\"" ORDER_ID
         "\",\"amount\":\"57.49 EUR\",\"authorized_at\":" T "}",
         SAGA_IN_PAYMENT_AUTHORIZED},
        {"payments.PaymentDeclined",
         "{\"order_id\":\"" ORDER_ID "\",\"payment_id\":\"" ORDER_ID
         "\",\"reason\":\"payment declined\",\"declined_at\":" T "}",
         SAGA_IN_PAYMENT_DECLINED},
        {"payments.PaymentCaptured",
         "{\"order_id\":\"" ORDER_ID "\",\"payment_id\":\"" ORDER_ID
         "\",\"amount\":\"57.49 EUR\",\"captured_at\":" T "}",
         SAGA_IN_PAYMENT_CAPTURED},
        {"payments.PaymentVoided",
         "{\"order_id\":\"" ORDER_ID "\",\"payment_id\":\"" ORDER_ID "\",\"voided_at\":" T "}",
         SAGA_IN_PAYMENT_VOIDED},
        {"shipping.ShipmentScheduled", "{\"order_id\":\"" ORDER_ID "\",\"scheduled_at\":" T "}",
         SAGA_IN_SHIPMENT_SCHEDULED},
        {"shipping.ShipmentRejected",
         "{\"order_id\":\"" ORDER_ID "\",\"reason\":\"undeliverable\",\"rejected_at\":" T "}",
         SAGA_IN_SHIPMENT_REJECTED},
        {"shipping.ShipmentCancelled", "{\"order_id\":\"" ORDER_ID "\",\"cancelled_at\":" T "}",
         SAGA_IN_SHIPMENT_CANCELLED},
        {"ordering.OrderCancelled",
         "{\"order_id\":\"" ORDER_ID "\",\"reason\":\"changed my mind\",\"cancelled_at\":" T "}",
         SAGA_IN_ORDER_CANCELLED},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct saga_message msg;
        cr_assert_eq(decode(&msg, cases[i].type, cases[i].payload), 0, "%s: %s", cases[i].type,
                     shop_error_message());
        cr_expect_eq(msg.input.type, cases[i].input, "%s", cases[i].type);
        char text[UUID_STRING_SIZE];
        cr_expect_str_eq(uuid_format(text, msg.order.uuid), ORDER_ID, "%s", cases[i].type);
        cr_expect(saga_message_is_heard(cases[i].type));
    }
    struct saga_message msg;
    cr_assert_eq(decode(&msg, "payments.PaymentDeclined",
                        "{\"order_id\":\"" ORDER_ID "\",\"payment_id\":\"" ORDER_ID
                        "\",\"reason\":\"payment declined\",\"declined_at\":" T "}"),
                 0);
    cr_expect_str_eq(msg.input.reason, "payment declined", "the participant's reason");
}

Test(the_saga_hears, the_card_of_an_order_placed_and_tok_visa_without_one)
{
    char *placed = example("ordering.OrderPlaced");
    struct saga_message msg;
    cr_assert_eq(decode(&msg, "ordering.OrderPlaced", placed), 0, "%s", shop_error_message());
    cr_expect_eq(msg.input.type, SAGA_IN_ORDER_PLACED);
    cr_expect_str_eq(msg.input.card, "tok_visa");
    cJSON *doc = cJSON_Parse(placed);
    cJSON_ReplaceItemInObject(doc, "card", cJSON_CreateString("tok_chargeDeclined"));
    char *declined = cJSON_PrintUnformatted(doc);
    cr_assert_eq(decode(&msg, "ordering.OrderPlaced", declined), 0, "%s", shop_error_message());
    cr_expect_str_eq(msg.input.card, "tok_chargeDeclined");
    cJSON_DeleteItemFromObject(doc, "card");
    char *older = cJSON_PrintUnformatted(doc);
    cr_assert_eq(decode(&msg, "ordering.OrderPlaced", older), 0, "%s", shop_error_message());
    cr_expect_str_eq(msg.input.card, "tok_visa", "published before cards were recorded");
    free(placed);
    free(declined);
    free(older);
    cJSON_Delete(doc);
}

Test(the_saga_hears, reservation_committed_as_nothing_to_do)
{
    struct saga_message msg;
    cr_assert_eq(decode(&msg, "inventory.ReservationCommitted",
                        "{\"order_id\":\"" ORDER_ID "\",\"lines\":[{\"sku\":\"MUG-RED\","
                        "\"quantity\":3}],\"committed_at\":" T "}"),
                 0, "%s", shop_error_message());
    cr_expect_eq(msg.input.type, 0, "the saga has ended: no input");
}

static void expect_refused(const char *type, const char *payload, const char *needle)
{
    struct saga_message msg;
    int rc = decode(&msg, type, payload);
    cr_expect_eq(rc, SHOP_EINVALID, "%s %s: got %d", type, payload ? payload : "(null)", rc);
    cr_expect(strstr(shop_error_message(), needle) != NULL, "\"%s\" lacks \"%s\"",
              shop_error_message(), needle);
}

Test(the_saga_hears, nothing_that_breaks_the_published_language)
{
    expect_refused("shipping.ShipmentScheduled", "not json", "not one JSON object");
    expect_refused("shipping.ShipmentScheduled", NULL, "not one JSON object");
    expect_refused("shipping.ShipmentScheduled", "{\"scheduled_at\":" T "}", "\"order_id\"");
    expect_refused("shipping.ShipmentScheduled",
                   "{\"order_id\":\"order-42\",\"scheduled_at\":" T "}", "\"order_id\"");
    expect_refused("shipping.ShipmentScheduled", "{\"order_id\":\"" ORDER_ID "\"}",
                   "\"scheduled_at\"");
    expect_refused("shipping.ShipmentScheduled",
                   "{\"order_id\":\"" ORDER_ID "\",\"scheduled_at\":\"2024-06-10T06:13:20Z\"}",
                   "\"scheduled_at\"");
    expect_refused("shipping.ShipmentRejected",
                   "{\"order_id\":\"" ORDER_ID "\",\"reason\":\"\",\"rejected_at\":" T "}",
                   "\"reason\"");
    expect_refused("payments.PaymentAuthorized",
                   "{\"order_id\":\"" ORDER_ID "\",\"payment_id\":\"0190a6f4-8d1e-7c3a-9b2f-"
                   "4e5d6c7b8a91\",\"amount\":\"57.49 EUR\",\"authorized_at\":" T "}",
                   "\"payment_id\"");
    expect_refused("payments.PaymentCaptured",
                   "{\"order_id\":\"" ORDER_ID "\",\"payment_id\":\"" ORDER_ID
                   "\",\"amount\":57.49,\"captured_at\":" T "}",
                   "\"amount\"");
    expect_refused("inventory.StockReserved",
                   "{\"order_id\":\"" ORDER_ID
                   "\",\"lines\":[{\"sku\":\"MUG-RED\",\"quantity\":0}],"
                   "\"reserved_at\":" T "}",
                   "\"lines\"");
    expect_refused("ordering.OrderPlaced", "{\"order_id\":\"" ORDER_ID "\",\"card\":\"tok visa\"}",
                   "\"card\"");
    expect_refused("inventory.StockReceived", "{}", "not a message the fulfilment saga hears");
    cr_expect_not(saga_message_is_heard("inventory.StockReceived"));
}

Test(the_saga_hears, no_version_but_the_first)
{
    struct message m;
    memset(&m, 0, sizeof m);
    snprintf(m.type, sizeof m.type, "shipping.ShipmentScheduled");
    m.schema_version = 2;
    m.payload = (char *)(uintptr_t) "{\"order_id\":\"" ORDER_ID "\",\"scheduled_at\":" T "}";
    struct saga_message msg;
    cr_expect_eq(saga_message_decode(&msg, &m), SHOP_EINVALID);
    cr_expect(strstr(shop_error_message(), "version 2"), "%s", shop_error_message());
}
