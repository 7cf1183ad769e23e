/*
 * infrastructure/ordering/order_codec.c — Ordering's events and snapshots as JSON (cJSON).
 *
 * Pattern: an anti-corruption layer between the domain's structs and stored text, with
 * upcasting (schema evolution of stored events).  The shapes, one JSON object each:
 *
 *   OrderPlaced v2    {"order_id", "customer", "ship_to", "postcode",
 *                      "lines": [{"sku", "quantity", "unit_price", "line_total"}, ...],
 *                      "total", "placed_at_us", "card"?}
 *                     ("card", the token to pay with, came later and is optional: absent,
 *                      it is "tok_visa", so it is written only for another card, and
 *                      events placed before cards were recorded read as "tok_visa")
 *   OrderPlaced v1    the same, amounts without a currency ("12.50", meaning EUR)
 *   OrderConfirmed v1 {"order_id", "confirmed_at_us"}
 *   OrderCancelled v1 {"order_id", "reason", "cancelled_at_us"}
 *   snapshot v1       {"order_id", "status", "customer", "ship_to", "postcode", "lines",
 *                      "total", "reason", "placed_at_us", "closed_at_us"}
 *
 * Money is a string "12.50 EUR" (money_format/money_parse: never a double), ids are
 * strings, times are microseconds since 1970 as a string of digits (a JSON number is a
 * double and cannot hold every 64-bit value), quantities are JSON integers.
 *
 * Stored text is untrusted input: it may have been written by older code, edited by hand
 * or damaged.  Decoding therefore parses strictly (nothing may follow the object), reads
 * every field through the shared kernel's value-object parsers, and checks that the
 * amounts add up, so a decoded event is one order_evolve() can trust.  A field that is
 * missing, of the wrong JSON type or breaks a rule is SHOP_EINVALID with a message naming
 * it: `OrderPlaced: field "lines[2].quantity": quantity must be ...`.  Fields this code does
 * not know are ignored (a tolerant reader), so adding an optional field needs no new
 * schema version.
 *
 * Upcasting: decode first turns an old version into the current one, on the cJSON tree,
 * one step at a time (the table `upcasters`), and only then reads it; the readers below
 * know only current shapes.  To change a shape: bump its *_SCHEMA_VERSION in
 * order_codec.h, write upcast_<type>_v<old>, add a row to the table and a golden file.
 *
 * Out of memory: cJSON reports it with NULL; this file aborts then (json_must), the policy
 * of domain/shared/memory.h.
 * Read next: infrastructure/ordering/order_store_es.c, tests/unit/order_codec_test.c
 */
#include "infrastructure/ordering/order_codec.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "domain/shared/text.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The longest string of digits a time field may have: INT64_MAX has 19. */
#define TIME_DIGITS_MAX 19

int order_codec_schema_version(enum order_event_type type)
{
    switch (type) {
    case ORDER_PLACED: return ORDER_PLACED_SCHEMA_VERSION;
    case ORDER_CONFIRMED: return ORDER_CONFIRMED_SCHEMA_VERSION;
    case ORDER_CANCELLED: return ORDER_CANCELLED_SCHEMA_VERSION;
    }
    return 0;
}

/* ================================================================ encoding */

/* cJSON returns NULL only when it cannot allocate: the out-of-memory policy applies. */
static cJSON *json_must(cJSON *item)
{
    if (!item)
        abort();
    return item;
}

static void add_string(cJSON *obj, const char *key, const char *value)
{
    json_must(cJSON_AddStringToObject(obj, key, value));
}

static void add_uuid(cJSON *obj, const char *key, shop_uuid id)
{
    char text[UUID_STRING_SIZE];
    add_string(obj, key, uuid_format(text, id));
}

static void add_time(cJSON *obj, const char *key, int64_t at_us)
{
    char text[TIME_DIGITS_MAX + 2];
    snprintf(text, sizeof text, "%" PRId64, at_us);
    add_string(obj, key, text);
}

static int add_money(cJSON *obj, const char *key, money m)
{
    char text[MONEY_FORMAT_MAX];
    int rc = money_format(text, sizeof text, m);
    if (rc < 0)
        return rc;
    add_string(obj, key, text);
    return 0;
}

/* "customer", "ship_to", "postcode", "lines", "total": what OrderPlaced and a snapshot share. */
static int add_placed_fields(cJSON *obj, const customer_id *customer,
                             const shipping_address *address, const order_line *lines,
                             size_t line_count, money total)
{
    add_string(obj, "customer", customer->text);
    add_string(obj, "ship_to", address->ship_to.text);
    add_string(obj, "postcode", address->postcode.code);
    cJSON *array = json_must(cJSON_AddArrayToObject(obj, "lines"));
    for (size_t i = 0; i < line_count; i++) {
        cJSON *line = json_must(cJSON_CreateObject());
        cJSON_AddItemToArray(array, line);
        add_string(line, "sku", lines[i].sku.code);
        json_must(cJSON_AddNumberToObject(line, "quantity", lines[i].quantity.value));
        int rc = add_money(line, "unit_price", lines[i].unit_price);
        if (rc == 0)
            rc = add_money(line, "line_total", lines[i].line_total);
        if (rc < 0)
            return rc;
    }
    return add_money(obj, "total", total);
}

/* Prints obj into *out_json (malloc'd) and deletes it. */
static int print_and_delete(char **out_json, cJSON *obj, int rc)
{
    *out_json = NULL;
    if (rc == 0) {
        *out_json = cJSON_PrintUnformatted(obj);
        if (!*out_json)
            abort();
    }
    cJSON_Delete(obj);
    return rc;
}

int order_event_encode(char **out_json, const char **out_type, int *out_schema_version,
                       const order_event *event)
{
    int version = order_codec_schema_version(event->type);
    *out_json = NULL;
    if (version == 0)
        return shop_error_set(SHOP_EINVALID, "cannot encode an order event of type %d",
                              (int)event->type);

    cJSON *obj = json_must(cJSON_CreateObject());
    int rc = 0;
    add_uuid(obj, "order_id", event->order_id.uuid);
    switch (event->type) {
    case ORDER_PLACED: {
        const struct order_placed *p = &event->as.placed;
        if (p->line_count > ORDER_MAX_LINES) {
            rc = shop_error_set(SHOP_EINVALID, "OrderPlaced with %zu lines, more than %d",
                                p->line_count, ORDER_MAX_LINES);
            break;
        }
        rc = add_placed_fields(obj, &p->customer, &p->address, p->lines, p->line_count, p->total);
        add_time(obj, "placed_at_us", event->at_us);
        if (p->card[0] && strcmp(p->card, ORDER_DEFAULT_CARD) != 0)
            add_string(obj, "card", p->card); /* absent means the default */
        break;
    }
    case ORDER_CONFIRMED: add_time(obj, "confirmed_at_us", event->at_us); break;
    case ORDER_CANCELLED:
        add_string(obj, "reason", event->as.cancelled.reason);
        add_time(obj, "cancelled_at_us", event->at_us);
        break;
    }
    rc = print_and_delete(out_json, obj, rc);
    if (rc == 0) {
        *out_type = order_event_type_name(event->type);
        *out_schema_version = version;
    }
    return rc;
}

int order_snapshot_encode(char **out_json, const order *state)
{
    *out_json = NULL;
    if (state->status == ORDER_STATUS_NONE)
        return shop_error_set(SHOP_EINVALID, "an order that was never placed has no snapshot");
    if (state->line_count > ORDER_MAX_LINES)
        return shop_error_set(SHOP_EINVALID, "an order with %zu lines, more than %d",
                              state->line_count, ORDER_MAX_LINES);

    cJSON *obj = json_must(cJSON_CreateObject());
    add_uuid(obj, "order_id", state->id.uuid);
    add_string(obj, "status", order_status_name(state->status));
    int rc = add_placed_fields(obj, &state->customer, &state->address, state->lines,
                               state->line_count, state->total);
    add_string(obj, "reason", state->reason);
    add_time(obj, "placed_at_us", state->placed_at_us);
    add_time(obj, "closed_at_us", state->closed_at_us);
    return print_and_delete(out_json, obj, rc);
}

/* ================================================================ upcasting */

/* Appends " EUR" to the string member `key` of obj, if it is a string. */
static void amount_to_euros(cJSON *obj, const char *key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsString(item) || !item->valuestring)
        return; /* missing or mistyped: the reader of the current version says so */
    size_t n = strlen(item->valuestring);
    char *with_currency = shop_xmalloc(n + sizeof " EUR");
    memcpy(with_currency, item->valuestring, n);
    memcpy(with_currency + n, " EUR", sizeof " EUR");
    cJSON_ReplaceItemInObjectCaseSensitive(obj, key, json_must(cJSON_CreateString(with_currency)));
    free(with_currency);
}

/*
 * OrderPlaced v1 -> v2.  Version 1 was written while the shop sold in euros only, so its
 * amounts have no currency: "12.50" meant 12.50 EUR.  Nothing is validated here; the
 * reader of v2 validates the result, so a damaged v1 event is refused with v2's messages.
 */
static int upcast_order_placed_v1(cJSON *root)
{
    cJSON *lines = cJSON_GetObjectItemCaseSensitive(root, "lines");
    cJSON *line;
    if (cJSON_IsArray(lines)) {
        cJSON_ArrayForEach(line, lines)
        {
            if (cJSON_IsObject(line)) {
                amount_to_euros(line, "unit_price");
                amount_to_euros(line, "line_total");
            }
        }
    }
    amount_to_euros(root, "total");
    return 0;
}

/* Each row turns version from_version of a type into from_version + 1. */
static const struct upcaster {
    enum order_event_type type;
    int from_version;
    int (*upcast)(cJSON *root);
} upcasters[] = {
    {ORDER_PLACED, 1, upcast_order_placed_v1},
};

static int upcast(cJSON *root, enum order_event_type type, int version)
{
    int current = order_codec_schema_version(type);
    while (version < current) {
        const struct upcaster *u = NULL;
        for (size_t i = 0; i < sizeof upcasters / sizeof upcasters[0]; i++)
            if (upcasters[i].type == type && upcasters[i].from_version == version)
                u = &upcasters[i];
        if (!u)
            return shop_error_set(SHOP_EINTERNAL, "%s: no upcaster from schema version %d",
                                  order_event_type_name(type), version);
        int rc = u->upcast(root);
        if (rc < 0)
            return rc;
        version++;
    }
    return 0;
}

/* ================================================================ decoding */

/*
 * Where a field is, for messages: the document ("OrderPlaced", "order snapshot") and,
 * inside an array, the element ("lines[2]").
 */
struct where {
    const char *doc;
    const char *element; /* NULL at the top level */
};

static int field_error(const struct where *w, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int field_error(const struct where *w, const char *key, const char *fmt, ...)
{
    char detail[SHOP_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    return shop_error_set(SHOP_EINVALID, "%s: field \"%s%s%s\" %s", w->doc,
                          w->element ? w->element : "", w->element ? "." : "", key, detail);
}

/* A value object refused the field: keep its message, name the field. */
static int field_refused(const struct where *w, const char *key)
{
    return field_error(w, key, "is invalid: %s", shop_error_message());
}

static int get_item(const cJSON **out, const cJSON *obj, const char *key, const struct where *w,
                    cJSON_bool (*is_type)(const cJSON *), const char *type_name)
{
    *out = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!*out)
        return field_error(w, key, "is missing");
    if (!is_type(*out))
        return field_error(w, key, "must be %s", type_name);
    return 0;
}

static int get_string(const char **out, const cJSON *obj, const char *key, const struct where *w)
{
    const cJSON *item;
    int rc = get_item(&item, obj, key, w, cJSON_IsString, "a string");
    *out = rc == 0 ? item->valuestring : NULL;
    return rc;
}

static int get_order_id(order_id *out, const cJSON *obj, const struct where *w)
{
    const char *text;
    int rc = get_string(&text, obj, "order_id", w);
    if (rc == 0 && order_id_parse(out, text) < 0)
        rc = field_refused(w, "order_id");
    return rc;
}

static int get_money(money *out, const cJSON *obj, const char *key, const struct where *w)
{
    const char *text;
    int rc = get_string(&text, obj, key, w);
    if (rc == 0 && money_parse(out, text, NULL) < 0) /* NULL: the currency is required */
        rc = field_refused(w, key);
    return rc;
}

/* Microseconds since 1970 as a string of digits: "1718000000000000". */
static int get_time(int64_t *out, const cJSON *obj, const char *key, const struct where *w)
{
    const char *text;
    int rc = get_string(&text, obj, key, w);
    if (rc < 0)
        return rc;
    size_t n = strlen(text);
    if (n == 0 || n > TIME_DIGITS_MAX || strspn(text, "0123456789") != n ||
        text_parse_int64(out, text) < 0) {
        char quoted[TEXT_QUOTE_SIZE];
        return field_error(w, key,
                           "must be microseconds since 1970 as a string of digits, got \"%s\"",
                           text_quote(quoted, text));
    }
    return 0;
}

static int get_quantity(quantity *out, const cJSON *obj, const char *key, const struct where *w)
{
    const cJSON *item;
    int rc = get_item(&item, obj, key, w, cJSON_IsNumber, "an integer");
    if (rc < 0)
        return rc;
    /* Bounded before the cast, so converting a huge double is never undefined. */
    double d = item->valuedouble;
    if (!(d >= -1e9 && d <= 1e9) || d != (double)(int64_t)d)
        return field_error(w, key, "must be an integer, got %g", d);
    if (quantity_make(out, (int64_t)d) < 0)
        return field_refused(w, key);
    return 0;
}

/*
 * A cancellation reason: 0 (allow_empty) or 1 to ORDER_REASON_MAX bytes of UTF-8 without
 * control characters, the rule order_decide_cancel keeps.
 */
static int get_reason(char out[ORDER_REASON_MAX + 1], const cJSON *obj, const struct where *w,
                      bool allow_empty)
{
    const char *text;
    int rc = get_string(&text, obj, "reason", w);
    if (rc < 0)
        return rc;
    size_t n = strlen(text);
    if ((n == 0 && !allow_empty) || n > ORDER_REASON_MAX)
        return field_error(w, "reason", "must be %d-%d bytes, got %zu", allow_empty ? 0 : 1,
                           ORDER_REASON_MAX, n);
    for (const char *p = text; *p;) {
        uint32_t cp;
        size_t len = text_utf8_decode(&cp, p);
        if (len == 0)
            return field_error(w, "reason", "must be valid UTF-8, got byte 0x%02X at byte %zu",
                               (unsigned)(unsigned char)*p, (size_t)(p - text) + 1);
        if (text_is_control(cp))
            return field_error(w, "reason", "must not contain control characters, got U+%04X",
                               (unsigned)cp);
        p += len;
    }
    memcpy(out, text, n + 1);
    return 0;
}

/* The address and customer fields shared by OrderPlaced and a snapshot. */
static int get_customer_and_address(customer_id *customer, shipping_address *address,
                                    const cJSON *obj, const struct where *w)
{
    const char *text;
    int rc = get_string(&text, obj, "customer", w);
    if (rc == 0 && customer_id_parse(customer, text) < 0)
        rc = field_refused(w, "customer");
    if (rc == 0)
        rc = get_string(&text, obj, "ship_to", w);
    if (rc == 0 && ship_to_parse(&address->ship_to, text) < 0)
        rc = field_refused(w, "ship_to");
    if (rc == 0)
        rc = get_string(&text, obj, "postcode", w);
    if (rc == 0 && postcode_parse(&address->postcode, text) < 0)
        rc = field_refused(w, "postcode");
    return rc;
}

static int get_line(order_line *out, const cJSON *item, const struct where *w)
{
    if (!cJSON_IsObject(item))
        return shop_error_set(SHOP_EINVALID, "%s: field \"%s\" must be an object", w->doc,
                              w->element);
    const char *text;
    int rc = get_string(&text, item, "sku", w);
    if (rc == 0 && sku_parse(&out->sku, text) < 0)
        rc = field_refused(w, "sku");
    if (rc == 0)
        rc = get_quantity(&out->quantity, item, "quantity", w);
    if (rc == 0)
        rc = get_money(&out->unit_price, item, "unit_price", w);
    if (rc == 0)
        rc = get_money(&out->line_total, item, "line_total", w);
    if (rc < 0)
        return rc;

    char price[MONEY_FORMAT_MAX], total[MONEY_FORMAT_MAX];
    money expected;
    money_format(price, sizeof price, out->unit_price);
    money_format(total, sizeof total, out->line_total);
    if (!money_is_positive(out->unit_price))
        return field_error(w, "unit_price", "must be above zero, got \"%s\"", price);
    if (money_multiply(&expected, out->unit_price, out->quantity.value) < 0 ||
        !money_equal(expected, out->line_total))
        return field_error(w, "line_total", "must be %d x %s, got \"%s\"", out->quantity.value,
                           price, total);
    return 0;
}

/* "lines" and "total": 1..ORDER_MAX_LINES lines in one currency, and their exact sum. */
static int get_lines_and_total(order_line lines[ORDER_MAX_LINES], size_t *out_count,
                               money *out_total, const cJSON *obj, const char *doc)
{
    const struct where top = {doc, NULL};
    const cJSON *array;
    int rc = get_item(&array, obj, "lines", &top, cJSON_IsArray, "an array");
    if (rc < 0)
        return rc;
    int n = cJSON_GetArraySize(array);
    if (n < 1 || n > ORDER_MAX_LINES)
        return field_error(&top, "lines", "must hold 1-%d lines, got %d", ORDER_MAX_LINES, n);

    money sum = {0};
    size_t i = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, array)
    {
        char element[32];
        snprintf(element, sizeof element, "lines[%zu]", i);
        const struct where w = {doc, element};
        rc = get_line(&lines[i], item, &w);
        if (rc < 0)
            return rc;
        if (i == 0)
            sum = lines[0].line_total;
        else if (money_add(&sum, sum, lines[i].line_total) < 0)
            return field_error(&w, "line_total", "cannot be added to the lines before it: %s",
                               shop_error_message());
        i++;
    }
    *out_count = i;

    rc = get_money(out_total, obj, "total", &top);
    if (rc == 0 && !money_equal(sum, *out_total)) {
        char expected[MONEY_FORMAT_MAX], got[MONEY_FORMAT_MAX];
        money_format(expected, sizeof expected, sum);
        money_format(got, sizeof got, *out_total);
        rc = field_error(&top, "total", "must be the sum of the lines, %s, got \"%s\"", expected,
                         got);
    }
    return rc;
}

static int decode_placed(order_event *out, const cJSON *root, const struct where *w)
{
    struct order_placed *p = &out->as.placed;
    int rc = get_order_id(&out->order_id, root, w);
    if (rc == 0)
        rc = get_customer_and_address(&p->customer, &p->address, root, w);
    if (rc == 0)
        rc = get_lines_and_total(p->lines, &p->line_count, &p->total, root, w->doc);
    if (rc == 0)
        rc = get_time(&out->at_us, root, "placed_at_us", w);
    if (rc == 0 && !cJSON_GetObjectItemCaseSensitive(root, "card")) {
        snprintf(p->card, sizeof p->card, "%s", ORDER_DEFAULT_CARD); /* placed before cards */
    } else if (rc == 0) {
        const char *card;
        if ((rc = get_string(&card, root, "card", w)) == 0 && order_card_check(card) < 0)
            rc = field_refused(w, "card");
        if (rc == 0)
            snprintf(p->card, sizeof p->card, "%s", card);
    }
    return rc;
}

static int decode_confirmed(order_event *out, const cJSON *root, const struct where *w)
{
    int rc = get_order_id(&out->order_id, root, w);
    if (rc == 0)
        rc = get_time(&out->at_us, root, "confirmed_at_us", w);
    return rc;
}

static int decode_cancelled(order_event *out, const cJSON *root, const struct where *w)
{
    int rc = get_order_id(&out->order_id, root, w);
    if (rc == 0)
        rc = get_reason(out->as.cancelled.reason, root, w, false);
    if (rc == 0)
        rc = get_time(&out->at_us, root, "cancelled_at_us", w);
    return rc;
}

/* Parses untrusted text strictly: one JSON object and nothing after it. */
static int parse_object(cJSON **out, const char *json, const char *doc)
{
    const char *end = NULL;
    *out = NULL;
    if (!json)
        return shop_error_set(SHOP_EINVALID, "%s: no JSON text", doc);
    cJSON *root = cJSON_ParseWithLengthOpts(json, strlen(json) + 1, &end, 1);
    if (!root)
        return shop_error_set(SHOP_EINVALID, "%s: not valid JSON (at byte %zu)", doc,
                              end ? (size_t)(end - json) + 1 : (size_t)0);
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return shop_error_set(SHOP_EINVALID, "%s: must be a JSON object", doc);
    }
    *out = root;
    return 0;
}

int order_event_decode(order_event *out, const char *type, int schema_version, const char *json)
{
    char quoted[TEXT_QUOTE_SIZE];
    cJSON *root = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    enum order_event_type t = type ? order_event_type_from_name(type) : 0;
    int current = order_codec_schema_version(t);
    if (current == 0)
        return shop_error_set(SHOP_ENOTFOUND, "unknown event type \"%s\": not an Ordering event",
                              text_quote(quoted, type));
    const struct where w = {order_event_type_name(t), NULL};
    if (schema_version > current)
        return shop_error_set(SHOP_ENOTFOUND,
                              "%s schema version %d is newer than this program knows", w.doc,
                              schema_version);
    if (schema_version < 1)
        return shop_error_set(SHOP_EINVALID, "%s schema version %d is not a version", w.doc,
                              schema_version);

    rc = parse_object(&root, json, w.doc);
    if (rc < 0)
        goto done;
    rc = upcast(root, t, schema_version);
    if (rc < 0)
        goto done;
    out->type = t;
    switch (t) {
    case ORDER_PLACED: rc = decode_placed(out, root, &w); break;
    case ORDER_CONFIRMED: rc = decode_confirmed(out, root, &w); break;
    case ORDER_CANCELLED: rc = decode_cancelled(out, root, &w); break;
    }

done:
    cJSON_Delete(root);
    if (rc < 0)
        memset(out, 0, sizeof *out);
    return rc;
}

static int get_status(enum order_status *out, const cJSON *obj, const struct where *w)
{
    static const enum order_status snapshot_statuses[] = {
        ORDER_STATUS_PLACED, ORDER_STATUS_CONFIRMED, ORDER_STATUS_CANCELLED};
    const char *text;
    int rc = get_string(&text, obj, "status", w);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < sizeof snapshot_statuses / sizeof snapshot_statuses[0]; i++) {
        if (strcmp(text, order_status_name(snapshot_statuses[i])) == 0) {
            *out = snapshot_statuses[i];
            return 0;
        }
    }
    char quoted[TEXT_QUOTE_SIZE];
    return field_error(w, "status",
                       "must be \"placed\", \"confirmed\" or \"cancelled\", got \"%s\"",
                       text_quote(quoted, text));
}

int order_snapshot_decode(order *out, const char *json)
{
    const struct where w = {"order snapshot", NULL};
    cJSON *root = NULL;

    order_init(out);
    int rc = parse_object(&root, json, w.doc);
    if (rc == 0)
        rc = get_order_id(&out->id, root, &w);
    if (rc == 0)
        rc = get_status(&out->status, root, &w);
    if (rc == 0)
        rc = get_customer_and_address(&out->customer, &out->address, root, &w);
    if (rc == 0)
        rc = get_lines_and_total(out->lines, &out->line_count, &out->total, root, w.doc);
    if (rc == 0)
        rc = get_reason(out->reason, root, &w, out->status != ORDER_STATUS_CANCELLED);
    if (rc == 0)
        rc = get_time(&out->placed_at_us, root, "placed_at_us", &w);
    if (rc == 0)
        rc = get_time(&out->closed_at_us, root, "closed_at_us", &w);

    cJSON_Delete(root);
    if (rc < 0)
        order_init(out);
    return rc;
}
