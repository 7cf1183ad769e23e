/*
 * tests/unit/published_language_test.c — the publishers' code and the published
 * language (docs/contracts/events/) say the same thing.
 *
 * Each test builds a fixed domain event, translates it with the code the relay and the
 * outbox use (catalog_messages.c, ordering_messages.c), and compares the payload with the
 * golden example <type>.v1.example.json byte for byte, once the example is printed
 * compactly: same fields, same values, same order.  The schemas themselves are checked
 * against the examples by tests/contract/published_language_test.sh; together the two
 * tests pin code, examples and schemas to one another.
 *
 * Ordering's relay publishes what its event store holds, of any schema version: the
 * stored golden events of tests/golden/ordering/ (OrderPlaced v1 without currencies, v2
 * with) must come out as the one v1 message, with the stored event's ids.
 * The saga's participants (Inventory, Payments, Shipping) are held to their replies'
 * examples the same way (inventory_messages.c, payment_messages.c, shipping_messages.c).
 * SHOP_SOURCE_DIR (a -D flag of the build) is the source tree the files are read from.
 * Read next: infrastructure/catalog/catalog_messages.c,
 * infrastructure/ordering/ordering_messages.c
 */
#include "domain/shared/error.h"
#include "infrastructure/catalog/catalog_messages.h"
#include "infrastructure/inventory/inventory_messages.h"
#include "infrastructure/ordering/ordering_messages.h"
#include "infrastructure/payments/payment_messages.h"
#include "infrastructure/shipping/shipping_messages.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef SHOP_SOURCE_DIR
#error "SHOP_SOURCE_DIR must name the source tree (-DSHOP_SOURCE_DIR=...)"
#endif

#define ORDER_ID        "0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90"
#define PLACED_AT_US    INT64_C(1718000000000000)
#define CONFIRMED_AT_US INT64_C(1718000360000000)
#define CANCELLED_AT_US INT64_C(1718000420000000)

static char *read_text(const char *relative)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", SHOP_SOURCE_DIR, relative);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    char *text = NULL;
    size_t len = 0, cap = 0, got;
    do {
        if (len + 4096 + 1 > cap)
            cr_assert_not_null(text = realloc(text, cap = 2 * cap + 4096 + 1));
        got = fread(text + len, 1, 4096, f);
        len += got;
    } while (got > 0);
    fclose(f);
    text[len] = '\0';
    return text;
}

/* The golden example of type, printed compactly (as the publishers print). */
static char *example(const char *type)
{
    char name[256];
    snprintf(name, sizeof name, "docs/contracts/events/%s.v1.example.json", type);
    char *text = read_text(name);
    cJSON *doc = cJSON_Parse(text);
    cr_assert_not_null(doc, "%s is not JSON", name);
    char *compact = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    free(text);
    return compact;
}

/* m is the v1 message of type on stream, whose payload is the example's. */
static void expect_message(const struct outgoing_message *m, const char *type, const char *stream)
{
    char *want = example(type);
    cr_expect_str_eq(m->type, type);
    cr_expect_eq(m->schema_version, 1);
    cr_expect_str_eq(m->stream, stream);
    cr_assert_not_null(m->payload);
    cr_expect_str_eq(m->payload, want, "the payload of %s differs from its example", type);
    free(want);
}

static struct message_meta some_meta(void)
{
    struct message_meta meta = {0};
    cr_assert_eq(uuid_parse(&meta.message_id, "0190a6f4-0000-7000-8000-000000000001"), 0);
    cr_assert_eq(uuid_parse(&meta.correlation_id, ORDER_ID), 0);
    cr_assert_eq(uuid_parse(&meta.causation_id, "0190a6f4-0000-7000-8000-000000000002"), 0);
    strcpy(meta.traceparent, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    return meta;
}

static money price(const char *text)
{
    money m;
    cr_assert_eq(money_parse(&m, text, NULL), 0, "%s", shop_error_message());
    return m;
}

/* ------------------------------------------------------------------ Catalog */

static product_event a_product_event(enum product_event_type type, int64_t at_us)
{
    product_event e;
    memset(&e, 0, sizeof e);
    e.type = type;
    e.at_us = at_us;
    cr_assert_eq(sku_parse(&e.sku, "MUG-RED"), 0);
    return e;
}

Test(the_published_language, says_product_added_as_its_example)
{
    product_event e = a_product_event(PRODUCT_ADDED, PLACED_AT_US);
    cr_assert_eq(product_name_parse(&e.as.added.name, "Red mug"), 0);
    e.as.added.price = price("12.50 EUR");
    struct message_meta meta = some_meta();
    struct outgoing_message m;
    cr_assert_eq(catalog_message_from_event(&m, &e, 1, &meta), 0, "%s", shop_error_message());
    expect_message(&m, "catalog.ProductAdded", "product-MUG-RED");
    cr_expect(uuid_equal(m.meta.message_id, meta.message_id), "the message keeps its ids");
    outgoing_message_dispose(&m);
}

Test(the_published_language, says_price_changed_as_its_example)
{
    product_event e = a_product_event(PRODUCT_PRICE_CHANGED, INT64_C(1718000100000123));
    e.as.price_changed.old_price = price("12.50 EUR");
    e.as.price_changed.new_price = price("13.00 EUR");
    struct outgoing_message m;
    cr_assert_eq(catalog_message_from_event(&m, &e, 2, NULL), 0, "%s", shop_error_message());
    expect_message(&m, "catalog.PriceChanged", "product-MUG-RED");
    outgoing_message_dispose(&m);
}

Test(the_published_language, refuses_a_catalog_version_below_1)
{
    product_event e = a_product_event(PRODUCT_PRICE_CHANGED, PLACED_AT_US);
    e.as.price_changed.new_price = price("13.00 EUR");
    struct outgoing_message m;
    cr_expect_eq(catalog_message_from_event(&m, &e, 0, NULL), SHOP_EINVALID);
    cr_expect_null(m.payload);
}

/* ------------------------------------------------------------------ Ordering */

static order_event an_order_event(enum order_event_type type, int64_t at_us)
{
    order_event e;
    memset(&e, 0, sizeof e);
    e.type = type;
    e.at_us = at_us;
    cr_assert_eq(order_id_parse(&e.order_id, ORDER_ID), 0);
    return e;
}

static void add_line(struct order_placed *p, const char *code, int qty, const char *unit,
                     const char *total)
{
    order_line *l = &p->lines[p->line_count++];
    cr_assert_eq(sku_parse(&l->sku, code), 0);
    cr_assert_eq(quantity_make(&l->quantity, qty), 0);
    l->unit_price = price(unit);
    l->line_total = price(total);
}

Test(the_published_language, says_order_placed_as_its_example)
{
    order_event e = an_order_event(ORDER_PLACED, PLACED_AT_US);
    struct order_placed *p = &e.as.placed;
    cr_assert_eq(customer_id_parse(&p->customer, "customer-42"), 0);
    cr_assert_eq(ship_to_parse(&p->address.ship_to, "M\xC3\xBCllerstra\xC3\x9F"
                                                    "e 5, Berlin"),
                 0);
    cr_assert_eq(postcode_parse(&p->address.postcode, "10115"), 0);
    add_line(p, "MUG-RED", 3, "12.50 EUR", "37.50 EUR");
    add_line(p, "TEE-L", 1, "19.99 EUR", "19.99 EUR");
    p->total = price("57.49 EUR");
    struct message_meta meta = some_meta();
    struct outgoing_message m;
    cr_assert_eq(ordering_message_from_event(&m, &e, &meta), 0, "%s", shop_error_message());
    expect_message(&m, "ordering.OrderPlaced", "order-" ORDER_ID);
    outgoing_message_dispose(&m);
}

Test(the_published_language, says_order_confirmed_as_its_example)
{
    order_event e = an_order_event(ORDER_CONFIRMED, CONFIRMED_AT_US);
    struct outgoing_message m;
    cr_assert_eq(ordering_message_from_event(&m, &e, NULL), 0, "%s", shop_error_message());
    expect_message(&m, "ordering.OrderConfirmed", "order-" ORDER_ID);
    outgoing_message_dispose(&m);
}

Test(the_published_language, says_order_cancelled_as_its_example)
{
    order_event e = an_order_event(ORDER_CANCELLED, CANCELLED_AT_US);
    strcpy(e.as.cancelled.reason, "customer changed their mind");
    struct outgoing_message m;
    cr_assert_eq(ordering_message_from_event(&m, &e, NULL), 0, "%s", shop_error_message());
    expect_message(&m, "ordering.OrderCancelled", "order-" ORDER_ID);
    outgoing_message_dispose(&m);
}

/* ------------------------------------------------------------------ Ordering's relay */

/* A stored event of Ordering's event store, its data a golden file. */
static struct es_event stored(const char *type, int version, const char *golden)
{
    char path[256];
    struct es_event e;
    memset(&e, 0, sizeof e);
    snprintf(e.stream_id, sizeof e.stream_id, "order-%s", ORDER_ID);
    e.stream_version = 1;
    snprintf(e.type, sizeof e.type, "%s", type);
    e.schema_version = version;
    snprintf(path, sizeof path, "tests/golden/ordering/%s", golden);
    e.data = read_text(path);
    e.meta = some_meta();
    return e;
}

static void expect_translated(const char *type, int version, const char *golden,
                              const char *published)
{
    struct es_event e = stored(type, version, golden);
    struct outgoing_message m;
    bool publish = false;
    cr_assert_eq(ordering_messages_translate(&e, &m, &publish), 0, "%s v%d: %s", type, version,
                 shop_error_message());
    cr_assert(publish, "%s is published", type);
    expect_message(&m, published, "order-" ORDER_ID);
    struct message_meta meta = some_meta();
    cr_expect(uuid_equal(m.meta.message_id, meta.message_id), "the domain event's message id");
    cr_expect(uuid_equal(m.meta.correlation_id, meta.correlation_id), "its correlation id");
    cr_expect(uuid_equal(m.meta.causation_id, meta.causation_id), "its causation id");
    cr_expect_str_eq(m.meta.traceparent, meta.traceparent);
    outgoing_message_dispose(&m);
    free(e.data);
}

Test(ordering_relay, publishes_a_stored_order_placed_v2_as_the_v1_message)
{
    expect_translated("OrderPlaced", 2, "order_placed.v2.json", "ordering.OrderPlaced");
}

Test(ordering_relay, publishes_a_stored_order_placed_v1_upcast_to_the_same_message)
{
    expect_translated("OrderPlaced", 1, "order_placed.v1.json", "ordering.OrderPlaced");
}

Test(ordering_relay, publishes_stored_confirmations_and_cancellations)
{
    expect_translated("OrderConfirmed", 1, "order_confirmed.v1.json", "ordering.OrderConfirmed");
    expect_translated("OrderCancelled", 1, "order_cancelled.v1.json", "ordering.OrderCancelled");
}

Test(ordering_relay, keeps_an_event_of_another_type_inside)
{
    struct es_event e = stored("OrderConfirmed", 1, "order_confirmed.v1.json");
    strcpy(e.type, "SagaStepRecorded");
    struct outgoing_message m;
    bool publish = true;
    cr_expect_eq(ordering_messages_translate(&e, &m, &publish), 0, "%s", shop_error_message());
    cr_expect_not(publish);
    cr_expect_null(m.payload);
    free(e.data);
}

Test(ordering_relay, stops_at_stored_data_it_cannot_read_naming_the_event)
{
    struct es_event e = stored("OrderPlaced", 2, "order_placed.v2.json");
    e.data[strlen(e.data) / 2] = '\0'; /* damaged */
    struct outgoing_message m;
    bool publish = true;
    cr_expect_eq(ordering_messages_translate(&e, &m, &publish), SHOP_EINTERNAL);
    cr_expect_not(publish);
    cr_expect(strstr(shop_error_message(), "order-" ORDER_ID " version 1"), "%s",
              shop_error_message());
    free(e.data);

    e = stored("OrderPlaced", 9, "order_placed.v2.json"); /* written by newer code */
    cr_expect_eq(ordering_messages_translate(&e, &m, &publish), SHOP_EINTERNAL);
    cr_expect_not(publish);
    free(e.data);
}

/* ---- the saga's participants: their replies ---- */

#define AT(seconds_after_placed) (PLACED_AT_US + INT64_C(1000000) * (seconds_after_placed))

static shop_uuid the_order(void)
{
    shop_uuid id;
    cr_assert_eq(uuid_parse(&id, ORDER_ID), 0);
    return id;
}

/* MUG-RED × 3, TEE-L × 1: the lines of the examples. */
static size_t example_lines(reservation_line lines[2])
{
    cr_assert_eq(sku_parse(&lines[0].sku, "MUG-RED"), 0);
    cr_assert_eq(quantity_make(&lines[0].quantity, 3), 0);
    cr_assert_eq(sku_parse(&lines[1].sku, "TEE-L"), 0);
    cr_assert_eq(quantity_make(&lines[1].quantity, 1), 0);
    return 2;
}

static void expect_reply(struct outgoing_message *m, const char *type,
                         const struct message_meta *meta)
{
    expect_message(m, type, "order-" ORDER_ID);
    cr_expect(uuid_equal(m->meta.message_id, meta->message_id), "%s keeps the ids it is given",
              type);
    outgoing_message_dispose(m);
}

Test(the_published_language, says_inventorys_replies_as_their_examples)
{
    struct message_meta meta = some_meta();
    struct outgoing_message m;
    reservation_line lines[2];
    size_t n = example_lines(lines);

    cr_assert_eq(
        inventory_message_lines(&m, INVENTORY_STOCK_RESERVED, the_order(), lines, n, AT(1), &meta),
        0, "%s", shop_error_message());
    expect_reply(&m, "inventory.StockReserved", &meta);
    cr_assert_eq(
        inventory_message_rejected(&m, the_order(), "out of stock: SKU MUG-RED", AT(1), &meta), 0);
    expect_reply(&m, "inventory.StockReservationRejected", &meta);
    cr_assert_eq(inventory_message_lines(&m, INVENTORY_RESERVATION_RELEASED, the_order(), lines, n,
                                         AT(5), &meta),
                 0);
    expect_reply(&m, "inventory.ReservationReleased", &meta);
    cr_assert_eq(inventory_message_lines(&m, INVENTORY_RESERVATION_COMMITTED, the_order(), lines, n,
                                         AT(10), &meta),
                 0);
    expect_reply(&m, "inventory.ReservationCommitted", &meta);
}

Test(the_published_language, says_a_release_of_nothing_with_no_lines)
{
    struct outgoing_message m;
    cr_assert_eq(inventory_message_lines(&m, INVENTORY_RESERVATION_RELEASED, the_order(), NULL, 0,
                                         AT(5), NULL),
                 0);
    cr_expect_str_eq(m.payload, "{\"order_id\":\"" ORDER_ID "\",\"lines\":[],"
                                "\"released_at\":\"2024-06-10T06:13:25.000000Z\"}");
    outgoing_message_dispose(&m);
    cr_expect_eq(
        inventory_message_lines(&m, INVENTORY_STOCK_RECEIVED, the_order(), NULL, 0, AT(5), NULL),
        SHOP_EINVALID);
}

Test(the_published_language, says_stock_received_as_its_example)
{
    struct message_meta meta = some_meta();
    struct outgoing_message m;
    stock_item item;
    sku s;
    cr_assert_eq(sku_parse(&s, "MUG-RED"), 0);
    stock_item_init(&item, &s);
    item.on_hand = 25;
    cr_assert_eq(inventory_message_received(&m, &item, 10, AT(-800), &meta), 0);
    expect_message(&m, "inventory.StockReceived", "stock-MUG-RED");
    outgoing_message_dispose(&m);
}

Test(the_published_language, says_payments_replies_as_their_examples)
{
    struct message_meta meta = some_meta();
    struct outgoing_message m;
    money amount = price("57.49 EUR"), none = {0};
    static const struct {
        const char *type;
        int at;
    } replies[] = {{"payments.PaymentAuthorized", 2},
                   {"payments.PaymentDeclined", 2},
                   {"payments.PaymentCaptured", 8},
                   {"payments.PaymentVoided", 5}};
    for (size_t i = 0; i < sizeof replies / sizeof replies[0]; i++) {
        bool with_amount =
            strstr(replies[i].type, "Authorized") || strstr(replies[i].type, "Captured");
        cr_assert_eq(payment_message_reply(&m, replies[i].type, the_order(), the_order(),
                                           with_amount ? amount : none, AT(replies[i].at), &meta),
                     0, "%s: %s", replies[i].type, shop_error_message());
        expect_reply(&m, replies[i].type, &meta);
    }
    cr_expect_eq(payment_message_reply(&m, "payments.PaymentRefunded", the_order(), the_order(),
                                       amount, AT(9), &meta),
                 SHOP_EINVALID);
}

Test(the_published_language, says_shippings_replies_as_their_examples)
{
    struct message_meta meta = some_meta();
    struct outgoing_message m;
    cr_assert_eq(
        shipping_message_reply(&m, SHIPPING_SHIPMENT_SCHEDULED, the_order(), NULL, AT(4), &meta),
        0);
    expect_reply(&m, "shipping.ShipmentScheduled", &meta);
    cr_assert_eq(shipping_message_reply(&m, SHIPPING_SHIPMENT_REJECTED, the_order(),
                                        "undeliverable", AT(4), &meta),
                 0);
    expect_reply(&m, "shipping.ShipmentRejected", &meta);
    cr_assert_eq(
        shipping_message_reply(&m, SHIPPING_SHIPMENT_CANCELLED, the_order(), NULL, AT(6), &meta),
        0);
    expect_reply(&m, "shipping.ShipmentCancelled", &meta);
}
