/*
 * tests/unit/order_codec_test.c — Ordering's events and snapshots as stored JSON.
 *
 * What a user relies on: every event ever stored can still be read, whatever version of
 * the program wrote it (the golden files of tests/golden/ordering/, one per schema
 * version, decoded here); an old OrderPlaced reads as the same event as a new one
 * (upcasting); what the program writes reads back as the same event; and damaged or
 * hostile JSON is refused with a message naming the field, never a crash.
 * Read next: infrastructure/ordering/order_codec.c, tests/golden/ordering/README.md
 */
#include "domain/shared/error.h"
#include "infrastructure/ordering/order_codec.h"

#include "tests/support/order_expect.h"
#include <cjson/cJSON.h>

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GOLDEN_ORDER_ID "0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90"

/* ---- helpers ---- */

/* The text of tests/golden/ordering/<name>, found through $top_srcdir (make check sets it). */
static char *read_golden(const char *name)
{
    const char *top = getenv("top_srcdir");
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/golden/ordering/%s", top ? top : ".", name);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s (is top_srcdir set? make check sets it)", path);
    char *text = NULL;
    size_t len = 0, cap = 0, got;
    do {
        if (len + 4096 + 1 > cap)
            text = realloc(text, cap = 2 * cap + 4096 + 1);
        got = fread(text + len, 1, 4096, f);
        len += got;
    } while (got > 0);
    fclose(f);
    text[len] = '\0';
    return text;
}

static cJSON *golden_tree(const char *name)
{
    char *text = read_golden(name);
    cJSON *root = cJSON_Parse(text);
    free(text);
    cr_assert_not_null(root, "golden file %s is not JSON", name);
    return root;
}

static int decode_golden(order_event *out, const char *name, const char *type, int version)
{
    char *text = read_golden(name);
    int rc = order_event_decode(out, type, version, text);
    free(text);
    return rc;
}

/* Decodes an edited tree (which it deletes) as an event of type and version. */
static int decode_tree(order_event *out, const char *type, int version, cJSON *root)
{
    char *text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    int rc = order_event_decode(out, type, version, text);
    free(text);
    return rc;
}

static const char *id_text(order_id id)
{
    static char text[UUID_STRING_SIZE];
    return uuid_format(text, id.uuid);
}

static money eur(const char *amount)
{
    money m;
    cr_assert_eq(money_parse(&m, amount, "EUR"), 0, "%s", shop_error_message());
    return m;
}

static order_line line(const char *code, int qty, const char *unit_price)
{
    order_line l;
    cr_assert_eq(sku_parse(&l.sku, code), 0);
    cr_assert_eq(quantity_make(&l.quantity, qty), 0);
    l.unit_price = eur(unit_price);
    cr_assert_eq(money_multiply(&l.line_total, l.unit_price, qty), 0);
    return l;
}

/* An OrderPlaced made in code, not read from a file. */
static void make_placed(order_event *e)
{
    memset(e, 0, sizeof *e);
    e->type = ORDER_PLACED;
    cr_assert_eq(order_id_parse(&e->order_id, "0190b000-0000-7000-8000-00000000abcd"), 0);
    e->at_us = 1718123456789012;
    struct order_placed *p = &e->as.placed;
    cr_assert_eq(customer_id_parse(&p->customer, "c-\"quoted\" \\ id"), 0);
    cr_assert_eq(ship_to_parse(&p->address.ship_to, "1 Rue de l'Été, Paris"), 0);
    cr_assert_eq(postcode_parse(&p->address.postcode, "75001"), 0);
    p->lines[0] = line("A-1", 999, "0.01");
    p->lines[1] = line("B-2", 2, "1000000.00");
    p->lines[2] = line("C-3", 7, "3.33");
    p->line_count = 3;
    p->total = eur("2000033.30");
}

/* ---- the golden files: what is already stored ---- */

Test(reading_stored_order_events, an_order_placed_v2_gives_its_customer_lines_and_total)
{
    order_event e;
    cr_assert_eq(decode_golden(&e, "order_placed.v2.json", "OrderPlaced", 2), 0, "%s",
                 shop_error_message());
    cr_expect_eq(e.type, ORDER_PLACED);
    cr_expect_str_eq(id_text(e.order_id), GOLDEN_ORDER_ID);
    cr_expect_eq(e.at_us, 1718000000000000);
    const struct order_placed *p = &e.as.placed;
    cr_expect_str_eq(p->customer.text, "customer-42");
    cr_expect_str_eq(p->address.ship_to.text, "Müllerstraße 5, Berlin");
    cr_expect_str_eq(p->address.postcode.code, "10115");
    cr_assert_eq(p->line_count, 2);
    cr_expect_str_eq(p->lines[0].sku.code, "MUG-RED");
    cr_expect_eq(p->lines[0].quantity.value, 3);
    cr_expect_str_eq(money_text(p->lines[0].unit_price), "12.50 EUR");
    cr_expect_str_eq(money_text(p->lines[0].line_total), "37.50 EUR");
    cr_expect_str_eq(p->lines[1].sku.code, "TEE-L");
    cr_expect_eq(p->lines[1].quantity.value, 1);
    cr_expect_str_eq(money_text(p->lines[1].unit_price), "19.99 EUR");
    cr_expect_str_eq(money_text(p->total), "57.49 EUR");
}

Test(reading_stored_order_events, an_order_placed_v1_reads_as_the_same_order_in_euros)
{
    order_event v1, v2;
    cr_assert_eq(decode_golden(&v1, "order_placed.v1.json", "OrderPlaced", 1), 0, "%s",
                 shop_error_message());
    cr_assert_eq(decode_golden(&v2, "order_placed.v2.json", "OrderPlaced", 2), 0);
    cr_expect_str_eq(money_text(v1.as.placed.total), "57.49 EUR");
    expect_same_event(&v1, &v2);
}

Test(reading_stored_order_events, an_order_confirmed_v1_gives_its_order_and_time)
{
    order_event e;
    cr_assert_eq(decode_golden(&e, "order_confirmed.v1.json", "OrderConfirmed", 1), 0, "%s",
                 shop_error_message());
    cr_expect_eq(e.type, ORDER_CONFIRMED);
    cr_expect_str_eq(id_text(e.order_id), GOLDEN_ORDER_ID);
    cr_expect_eq(e.at_us, 1718000360000000);
}

Test(reading_stored_order_events, an_order_cancelled_v1_gives_its_reason)
{
    order_event e;
    cr_assert_eq(decode_golden(&e, "order_cancelled.v1.json", "OrderCancelled", 1), 0, "%s",
                 shop_error_message());
    cr_expect_eq(e.type, ORDER_CANCELLED);
    cr_expect_str_eq(id_text(e.order_id), GOLDEN_ORDER_ID);
    cr_expect_str_eq(e.as.cancelled.reason, "customer changed their mind");
    cr_expect_eq(e.at_us, 1718000420000000);
}

Test(reading_stored_order_events, a_snapshot_v1_gives_the_whole_order)
{
    char *text = read_golden("order_snapshot.v1.json");
    order o;
    cr_assert_eq(order_snapshot_decode(&o, text), 0, "%s", shop_error_message());
    free(text);
    cr_expect_str_eq(id_text(o.id), GOLDEN_ORDER_ID);
    cr_expect_eq(o.status, ORDER_STATUS_CONFIRMED);
    cr_expect_str_eq(o.customer.text, "customer-42");
    cr_expect_str_eq(o.address.postcode.code, "10115");
    cr_assert_eq(o.line_count, 2);
    cr_expect_str_eq(o.lines[1].sku.code, "TEE-L");
    cr_expect_str_eq(money_text(o.total), "57.49 EUR");
    cr_expect_str_eq(o.reason, "");
    cr_expect_eq(o.placed_at_us, 1718000000000000);
    cr_expect_eq(o.closed_at_us, 1718000360000000);
}

/* Decoding a current golden file and encoding it again writes the same JSON. */
static void expect_event_reencodes_to_golden(const char *name, const char *type, int version)
{
    order_event e;
    char *json;
    const char *written_type;
    int written_version;
    cr_assert_eq(decode_golden(&e, name, type, version), 0, "%s", shop_error_message());
    cr_assert_eq(order_event_encode(&json, &written_type, &written_version, &e), 0);
    cr_expect_str_eq(written_type, type);
    cr_expect_eq(written_version, version);
    cJSON *golden = golden_tree(name), *written = cJSON_Parse(json);
    cr_expect(cJSON_Compare(golden, written, 1), "%s: wrote %s", name, json);
    cJSON_Delete(golden);
    cJSON_Delete(written);
    free(json);
}

Test(writing_order_events, writes_the_shape_of_the_current_golden_files)
{
    expect_event_reencodes_to_golden("order_placed.v2.json", "OrderPlaced", 2);
    expect_event_reencodes_to_golden("order_confirmed.v1.json", "OrderConfirmed", 1);
    expect_event_reencodes_to_golden("order_cancelled.v1.json", "OrderCancelled", 1);
}

Test(writing_order_events, writes_the_shape_of_the_snapshot_golden_file)
{
    char *text = read_golden("order_snapshot.v1.json"), *json;
    order o;
    cr_assert_eq(order_snapshot_decode(&o, text), 0, "%s", shop_error_message());
    cr_assert_eq(order_snapshot_encode(&json, &o), 0);
    cJSON *golden = cJSON_Parse(text), *written = cJSON_Parse(json);
    cr_expect(cJSON_Compare(golden, written, 1), "wrote %s", json);
    cJSON_Delete(golden);
    cJSON_Delete(written);
    free(json);
    free(text);
}

Test(writing_order_events, writes_the_current_schema_version_of_each_type)
{
    cr_expect_eq(order_codec_schema_version(ORDER_PLACED), ORDER_PLACED_SCHEMA_VERSION);
    cr_expect_eq(order_codec_schema_version(ORDER_CONFIRMED), ORDER_CONFIRMED_SCHEMA_VERSION);
    cr_expect_eq(order_codec_schema_version(ORDER_CANCELLED), ORDER_CANCELLED_SCHEMA_VERSION);
    cr_expect_eq(order_codec_schema_version(0), 0);
}

/* ---- round trips: what is written reads back as the same thing ---- */

static void expect_round_trip(const order_event *e)
{
    char *json;
    const char *type;
    int version;
    order_event back;
    cr_assert_eq(order_event_encode(&json, &type, &version, e), 0, "%s", shop_error_message());
    cr_assert_eq(order_event_decode(&back, type, version, json), 0, "%s: %s", shop_error_message(),
                 json);
    expect_same_event(&back, e);
    free(json);
}

Test(writing_order_events, an_order_placed_reads_back_as_the_same_event)
{
    order_event e;
    make_placed(&e);
    expect_round_trip(&e);
}

Test(writing_order_events, an_order_confirmed_reads_back_as_the_same_event)
{
    order_event e = {.type = ORDER_CONFIRMED, .at_us = 42};
    cr_assert_eq(order_id_parse(&e.order_id, GOLDEN_ORDER_ID), 0);
    expect_round_trip(&e);
}

Test(writing_order_events, an_order_cancelled_reads_back_with_its_reason_as_written)
{
    order_event e = {.type = ORDER_CANCELLED, .at_us = 9007199254740993}; /* not a double */
    cr_assert_eq(order_id_parse(&e.order_id, GOLDEN_ORDER_ID), 0);
    strcpy(e.as.cancelled.reason, "trop cher — \"wrong size\" \\ ünd so");
    expect_round_trip(&e);
}

Test(writing_order_events, a_snapshot_reads_back_as_the_same_order)
{
    order_event placed;
    make_placed(&placed);
    order o;
    order_init(&o);
    o.id = placed.order_id;
    o.status = ORDER_STATUS_CANCELLED;
    o.customer = placed.as.placed.customer;
    o.address = placed.as.placed.address;
    o.line_count = placed.as.placed.line_count;
    memcpy(o.lines, placed.as.placed.lines, sizeof o.lines);
    o.total = placed.as.placed.total;
    strcpy(o.reason, "out of stock");
    o.placed_at_us = 1;
    o.closed_at_us = INT64_MAX;

    char *json;
    order back;
    cr_assert_eq(order_snapshot_encode(&json, &o), 0, "%s", shop_error_message());
    cr_assert_eq(order_snapshot_decode(&back, json), 0, "%s: %s", shop_error_message(), json);
    expect_same_order(&back, &o);
    free(json);
}

Test(writing_order_events, an_order_never_placed_has_no_snapshot)
{
    order o;
    char *json;
    order_init(&o);
    cr_expect_eq(order_snapshot_encode(&json, &o), SHOP_EINVALID);
    cr_expect_null(json);
}

/* ---- damaged and hostile input ---- */

static void expect_refused(int rc, int code, const char *needle)
{
    cr_expect_eq(rc, code, "got %s (%s)", shop_error_name(rc), shop_error_message());
    if (needle)
        cr_expect(strstr(shop_error_message(), needle) != NULL, "message \"%s\" lacks \"%s\"",
                  shop_error_message(), needle);
}

Test(refusing_damaged_order_events, text_that_is_not_json)
{
    order_event e;
    expect_refused(order_event_decode(&e, "OrderConfirmed", 1, "not json"), SHOP_EINVALID,
                   "not valid JSON");
    expect_refused(order_event_decode(&e, "OrderConfirmed", 1, ""), SHOP_EINVALID, NULL);
    expect_refused(order_event_decode(&e, "OrderConfirmed", 1, NULL), SHOP_EINVALID, NULL);
    expect_refused(order_event_decode(&e, "OrderConfirmed", 1, "[1, 2]"), SHOP_EINVALID,
                   "JSON object");
}

Test(refusing_damaged_order_events, an_object_followed_by_anything_else)
{
    char *text = read_golden("order_confirmed.v1.json");
    char *longer = malloc(strlen(text) + 8);
    sprintf(longer, "%s {}", text);
    order_event e;
    expect_refused(order_event_decode(&e, "OrderConfirmed", 1, longer), SHOP_EINVALID,
                   "not valid JSON");
    free(longer);
    free(text);
}

Test(refusing_damaged_order_events, nesting_deep_enough_to_exhaust_a_recursive_parser)
{
    size_t depth = 100000;
    char *text = malloc(2 * depth + 1);
    memset(text, '[', depth);
    memset(text + depth, ']', depth);
    text[2 * depth] = '\0';
    order_event e;
    expect_refused(order_event_decode(&e, "OrderPlaced", 2, text), SHOP_EINVALID, NULL);
    free(text);
}

Test(refusing_damaged_order_events, any_missing_field_of_an_order_placed_by_name)
{
    cJSON *golden = golden_tree("order_placed.v2.json");
    const cJSON *field;
    cJSON_ArrayForEach(field, golden)
    {
        cJSON *edited = golden_tree("order_placed.v2.json");
        cJSON_DeleteItemFromObjectCaseSensitive(edited, field->string);
        char quoted[64];
        snprintf(quoted, sizeof quoted, "\"%s\" is missing", field->string);
        order_event e;
        expect_refused(decode_tree(&e, "OrderPlaced", 2, edited), SHOP_EINVALID, quoted);
    }
    cJSON_Delete(golden);
}

Test(refusing_damaged_order_events, any_missing_field_of_a_line_by_name)
{
    static const char *keys[] = {"sku", "quantity", "unit_price", "line_total"};
    for (size_t i = 0; i < 4; i++) {
        cJSON *edited = golden_tree("order_placed.v2.json");
        cJSON *line1 = cJSON_GetArrayItem(cJSON_GetObjectItem(edited, "lines"), 1);
        cJSON_DeleteItemFromObjectCaseSensitive(line1, keys[i]);
        char quoted[64];
        snprintf(quoted, sizeof quoted, "\"lines[1].%s\" is missing", keys[i]);
        order_event e;
        expect_refused(decode_tree(&e, "OrderPlaced", 2, edited), SHOP_EINVALID, quoted);
    }
}

Test(refusing_damaged_order_events, fields_of_the_wrong_json_type)
{
    order_event e;
    cJSON *t = golden_tree("order_placed.v2.json");
    cJSON_ReplaceItemInObject(t, "order_id", cJSON_CreateNumber(7));
    expect_refused(decode_tree(&e, "OrderPlaced", 2, t), SHOP_EINVALID,
                   "\"order_id\" must be a string");

    t = golden_tree("order_placed.v2.json");
    cJSON_ReplaceItemInObject(cJSON_GetArrayItem(cJSON_GetObjectItem(t, "lines"), 0), "quantity",
                              cJSON_CreateString("3"));
    expect_refused(decode_tree(&e, "OrderPlaced", 2, t), SHOP_EINVALID, "\"lines[0].quantity\"");

    t = golden_tree("order_placed.v2.json");
    cJSON_ReplaceItemInObject(t, "lines", cJSON_CreateObject());
    expect_refused(decode_tree(&e, "OrderPlaced", 2, t), SHOP_EINVALID,
                   "\"lines\" must be an array");

    t = golden_tree("order_placed.v2.json");
    cJSON_ReplaceItemInArray(cJSON_GetObjectItem(t, "lines"), 1, cJSON_CreateString("MUG-RED"));
    expect_refused(decode_tree(&e, "OrderPlaced", 2, t), SHOP_EINVALID,
                   "\"lines[1]\" must be an object");

    t = golden_tree("order_placed.v2.json");
    cJSON_ReplaceItemInObject(t, "placed_at_us", cJSON_CreateNumber(1718000000000000.0));
    expect_refused(decode_tree(&e, "OrderPlaced", 2, t), SHOP_EINVALID,
                   "\"placed_at_us\" must be a string");

    t = golden_tree("order_placed.v2.json");
    cJSON_ReplaceItemInObject(t, "total", cJSON_CreateNumber(57.49));
    expect_refused(decode_tree(&e, "OrderPlaced", 2, t), SHOP_EINVALID,
                   "\"total\" must be a string");
}

Test(refusing_damaged_order_events, an_amount_with_more_decimals_than_its_currency)
{
    cJSON *t = golden_tree("order_placed.v2.json");
    cJSON_ReplaceItemInObject(cJSON_GetArrayItem(cJSON_GetObjectItem(t, "lines"), 0), "unit_price",
                              cJSON_CreateString("12.505 EUR"));
    order_event e;
    expect_refused(decode_tree(&e, "OrderPlaced", 2, t), SHOP_EINVALID, "\"lines[0].unit_price\"");
    cr_expect(strstr(shop_error_message(), "12.505") != NULL, "%s", shop_error_message());
}

Test(refusing_damaged_order_events, a_v2_amount_without_its_currency)
{
    cJSON *t = golden_tree("order_placed.v2.json");
    cJSON_ReplaceItemInObject(t, "total", cJSON_CreateString("57.49"));
    order_event e;
    expect_refused(decode_tree(&e, "OrderPlaced", 2, t), SHOP_EINVALID, "\"total\"");
}

Test(refusing_damaged_order_events, a_v1_amount_that_already_names_a_currency)
{
    cJSON *t = golden_tree("order_placed.v1.json");
    cJSON_ReplaceItemInObject(t, "total", cJSON_CreateString("57.49 EUR"));
    order_event e;
    expect_refused(decode_tree(&e, "OrderPlaced", 1, t), SHOP_EINVALID, "\"total\"");
}

static void expect_quantity_refused(double value)
{
    cJSON *t = golden_tree("order_placed.v2.json");
    cJSON_ReplaceItemInObject(cJSON_GetArrayItem(cJSON_GetObjectItem(t, "lines"), 0), "quantity",
                              cJSON_CreateNumber(value));
    order_event e;
    expect_refused(decode_tree(&e, "OrderPlaced", 2, t), SHOP_EINVALID, "\"lines[0].quantity\"");
}

Test(refusing_damaged_order_events, a_quantity_outside_1_to_999_or_not_whole)
{
    expect_quantity_refused(-1);
    expect_quantity_refused(0);
    expect_quantity_refused(1000);
    expect_quantity_refused(2.5);
    expect_quantity_refused(1e300);
}

Test(refusing_damaged_order_events, more_lines_than_an_order_may_have)
{
    cJSON *t = golden_tree("order_placed.v2.json");
    cJSON *lines = cJSON_CreateArray();
    for (int i = 0; i < ORDER_MAX_LINES + 1; i++) {
        char code[16];
        snprintf(code, sizeof code, "SKU-%d", i);
        cJSON *l = cJSON_CreateObject();
        cJSON_AddStringToObject(l, "sku", code);
        cJSON_AddNumberToObject(l, "quantity", 1);
        cJSON_AddStringToObject(l, "unit_price", "1.00 EUR");
        cJSON_AddStringToObject(l, "line_total", "1.00 EUR");
        cJSON_AddItemToArray(lines, l);
    }
    cJSON_ReplaceItemInObject(t, "lines", lines);
    cJSON_ReplaceItemInObject(t, "total", cJSON_CreateString("51.00 EUR"));
    order_event e;
    expect_refused(decode_tree(&e, "OrderPlaced", 2, t), SHOP_EINVALID, "1-50 lines, got 51");
}

Test(refusing_damaged_order_events, an_order_placed_without_lines)
{
    cJSON *t = golden_tree("order_placed.v2.json");
    cJSON_ReplaceItemInObject(t, "lines", cJSON_CreateArray());
    order_event e;
    expect_refused(decode_tree(&e, "OrderPlaced", 2, t), SHOP_EINVALID, "got 0");
}

Test(refusing_damaged_order_events, amounts_that_do_not_add_up)
{
    order_event e;
    cJSON *t = golden_tree("order_placed.v2.json");
    cJSON_ReplaceItemInObject(cJSON_GetArrayItem(cJSON_GetObjectItem(t, "lines"), 0), "line_total",
                              cJSON_CreateString("37.51 EUR"));
    expect_refused(decode_tree(&e, "OrderPlaced", 2, t), SHOP_EINVALID, "\"lines[0].line_total\"");

    t = golden_tree("order_placed.v2.json");
    cJSON_ReplaceItemInObject(t, "total", cJSON_CreateString("57.48 EUR"));
    expect_refused(decode_tree(&e, "OrderPlaced", 2, t), SHOP_EINVALID, "sum of the lines");
}

Test(refusing_damaged_order_events, lines_in_two_currencies)
{
    cJSON *t = golden_tree("order_placed.v2.json");
    cJSON *l1 = cJSON_GetArrayItem(cJSON_GetObjectItem(t, "lines"), 1);
    cJSON_ReplaceItemInObject(l1, "unit_price", cJSON_CreateString("19.99 USD"));
    cJSON_ReplaceItemInObject(l1, "line_total", cJSON_CreateString("19.99 USD"));
    order_event e;
    expect_refused(decode_tree(&e, "OrderPlaced", 2, t), SHOP_EINVALID, "\"lines[1].line_total\"");
}

Test(refusing_damaged_order_events, values_the_shared_kernel_refuses)
{
    static const struct {
        const char *key, *value, *needle;
    } cases[] = {
        {"order_id", "0190a6f4-8d1e-7c3a-9b2f", "\"order_id\" is invalid"},
        {"customer", "", "\"customer\" is invalid"},
        {"ship_to", "line one\nline two", "\"ship_to\" is invalid"},
        {"postcode", "10115!", "\"postcode\" is invalid"},
        {"placed_at_us", "-1", "\"placed_at_us\" must be microseconds"},
        {"placed_at_us", "17e14", "\"placed_at_us\" must be microseconds"},
        {"placed_at_us", "99999999999999999999", "\"placed_at_us\" must be microseconds"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cJSON *t = golden_tree("order_placed.v2.json");
        cJSON_ReplaceItemInObject(t, cases[i].key, cJSON_CreateString(cases[i].value));
        order_event e;
        expect_refused(decode_tree(&e, "OrderPlaced", 2, t), SHOP_EINVALID, cases[i].needle);
    }
}

Test(refusing_damaged_order_events, a_cancellation_reason_that_is_empty_too_long_or_not_text)
{
    char too_long[ORDER_REASON_MAX + 2];
    memset(too_long, 'x', ORDER_REASON_MAX + 1);
    too_long[ORDER_REASON_MAX + 1] = '\0';
    const char *reasons[] = {"", too_long, "bell\a", "\xff\xfe"};
    for (size_t i = 0; i < 4; i++) {
        cJSON *t = golden_tree("order_cancelled.v1.json");
        cJSON_ReplaceItemInObject(t, "reason", cJSON_CreateString(reasons[i]));
        order_event e;
        expect_refused(decode_tree(&e, "OrderCancelled", 1, t), SHOP_EINVALID, "\"reason\"");
    }
}

Test(refusing_damaged_order_events, a_type_that_is_not_an_ordering_event)
{
    order_event e;
    expect_refused(order_event_decode(&e, "OrderShipped", 1, "{}"), SHOP_ENOTFOUND,
                   "unknown event type \"OrderShipped\"");
    expect_refused(order_event_decode(&e, NULL, 1, "{}"), SHOP_ENOTFOUND, NULL);
}

Test(refusing_damaged_order_events, a_schema_version_newer_than_this_program)
{
    char *text = read_golden("order_placed.v2.json");
    order_event e;
    expect_refused(order_event_decode(&e, "OrderPlaced", 3, text), SHOP_ENOTFOUND, NULL);
    cr_expect_str_eq(shop_error_message(),
                     "OrderPlaced schema version 3 is newer than this program knows");
    expect_refused(order_event_decode(&e, "OrderConfirmed", 2, text), SHOP_ENOTFOUND,
                   "OrderConfirmed schema version 2 is newer");
    free(text);
}

Test(refusing_damaged_order_events, a_schema_version_below_1)
{
    char *text = read_golden("order_confirmed.v1.json");
    order_event e;
    expect_refused(order_event_decode(&e, "OrderConfirmed", 0, text), SHOP_EINVALID, NULL);
    free(text);
}

Test(refusing_damaged_order_events, a_snapshot_that_is_damaged)
{
    order o;
    expect_refused(order_snapshot_decode(&o, "{\"order_id\""), SHOP_EINVALID, "not valid JSON");
    cr_expect_eq(o.status, ORDER_STATUS_NONE, "a refused snapshot leaves the initial state");

    static const char *statuses[] = {"none", "shipped", ""};
    for (size_t i = 0; i < 3; i++) {
        cJSON *t = golden_tree("order_snapshot.v1.json");
        cJSON_ReplaceItemInObject(t, "status", cJSON_CreateString(statuses[i]));
        char *json = cJSON_PrintUnformatted(t);
        cJSON_Delete(t);
        expect_refused(order_snapshot_decode(&o, json), SHOP_EINVALID, "\"status\"");
        free(json);
    }

    cJSON *t = golden_tree("order_snapshot.v1.json");
    cJSON_DeleteItemFromObject(t, "closed_at_us");
    char *json = cJSON_PrintUnformatted(t);
    cJSON_Delete(t);
    expect_refused(order_snapshot_decode(&o, json), SHOP_EINVALID, "\"closed_at_us\" is missing");
    free(json);
}

/* ---- the card an order is to be paid with ---- */

Test(reading_stored_order_events, an_order_placed_before_cards_were_recorded_is_paid_with_tok_visa)
{
    order_event e;
    cr_assert_eq(decode_golden(&e, "order_placed.v2.json", "OrderPlaced", 2), 0, "%s",
                 shop_error_message());
    cr_expect_str_eq(e.as.placed.card, "tok_visa");
}

Test(writing_order_events, an_order_placed_with_a_card_reads_back_with_its_card)
{
    order_event e, back;
    char *json;
    const char *type;
    int version;
    make_placed(&e);
    snprintf(e.as.placed.card, sizeof e.as.placed.card, "tok_chargeDeclined");
    cr_assert_eq(order_event_encode(&json, &type, &version, &e), 0, "%s", shop_error_message());
    cr_expect(strstr(json, "\"card\":\"tok_chargeDeclined\"") != NULL, "%s", json);
    cr_assert_eq(order_event_decode(&back, type, version, json), 0, "%s", shop_error_message());
    cr_expect_str_eq(back.as.placed.card, "tok_chargeDeclined");
    free(json);
}

Test(refusing_damaged_order_events, a_card_that_is_not_a_token)
{
    static const char *const bad[] = {"", "tok visa", "tok_\x01",
                                      "tok_67890123456789012345678901234567890123456789012345678901"
                                      "23456"}; /* 65 bytes */
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cJSON *t = golden_tree("order_placed.v2.json");
        cJSON_AddStringToObject(t, "card", bad[i]);
        order_event e;
        expect_refused(decode_tree(&e, "OrderPlaced", 2, t), SHOP_EINVALID, "\"card\" is invalid");
    }
    cJSON *t = golden_tree("order_placed.v2.json");
    cJSON_AddNumberToObject(t, "card", 4242);
    order_event e;
    expect_refused(decode_tree(&e, "OrderPlaced", 2, t), SHOP_EINVALID,
                   "\"card\" must be a string");
}
