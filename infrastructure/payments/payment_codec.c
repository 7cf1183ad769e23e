/*
 * infrastructure/payments/payment_codec.c — see payment_codec.h.
 *
 * Pattern: an anti-corruption layer between the domain's structs and stored text, in the
 * manner of infrastructure/ordering/order_codec.c (read that one for the reasons).
 * Payments has one schema version per event so far, hence no upcasters yet; a field this
 * code does not know is ignored (a tolerant reader).
 */
#include "infrastructure/payments/payment_codec.h"

#include "domain/shared/error.h"
#include "domain/shared/text.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TIME_DIGITS_MAX 19

/* ---- encoding ---- */

static cJSON *json_must(cJSON *item)
{
    if (!item)
        abort(); /* out of memory: domain/shared/memory.h's policy */
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

static int add_money(cJSON *obj, const char *key, money m)
{
    char text[MONEY_FORMAT_MAX];
    int rc = money_format(text, sizeof text, m);
    if (rc == 0)
        add_string(obj, key, text);
    return rc;
}

int payment_event_encode(char **out_json, const char **out_type, int *out_schema_version,
                         const payment_event *e)
{
    char at[TIME_DIGITS_MAX + 2];
    int rc = 0;

    *out_json = NULL;
    *out_type = payment_event_type_name(e->type);
    *out_schema_version = PAYMENT_EVENT_SCHEMA_VERSION;
    if (payment_event_type_from_name(*out_type) == 0)
        return shop_error_set(SHOP_EINVALID, "event type %d is not a Payments event", (int)e->type);
    cJSON *obj = json_must(cJSON_CreateObject());
    add_uuid(obj, "payment_id", e->payment_id.uuid);
    switch (e->type) {
    case PAYMENT_AUTHORIZED:
        add_uuid(obj, "order_id", e->as.authorized.order_id);
        rc = add_money(obj, "amount", e->as.authorized.amount);
        add_string(obj, "charge_id", e->as.authorized.charge_id);
        break;
    case PAYMENT_DECLINED:
        add_uuid(obj, "order_id", e->as.declined.order_id);
        rc = add_money(obj, "amount", e->as.declined.amount);
        add_string(obj, "reason", e->as.declined.reason);
        break;
    case PAYMENT_CAPTURED: rc = add_money(obj, "amount", e->as.captured.amount); break;
    case PAYMENT_VOIDED: break;
    case PAYMENT_REFUNDED:
        rc = add_money(obj, "amount", e->as.refunded.amount);
        add_string(obj, "refund_id", e->as.refunded.refund_id);
        break;
    }
    snprintf(at, sizeof at, "%" PRId64, e->at_us);
    add_string(obj, "at_us", at);
    if (rc == 0) {
        *out_json = cJSON_PrintUnformatted(obj);
        if (!*out_json)
            abort();
    }
    cJSON_Delete(obj);
    return rc;
}

/* ---- decoding ---- */

static int field_error(const char *doc, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int field_error(const char *doc, const char *key, const char *fmt, ...)
{
    char detail[SHOP_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    return shop_error_set(SHOP_EINVALID, "%s: field \"%s\" %s", doc, key, detail);
}

static int get_string(const char **out, const cJSON *obj, const char *key, const char *doc)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    *out = NULL;
    if (!item)
        return field_error(doc, key, "is missing");
    if (!cJSON_IsString(item))
        return field_error(doc, key, "must be a string");
    *out = item->valuestring;
    return 0;
}

static int get_uuid(shop_uuid *out, const cJSON *obj, const char *key, const char *doc)
{
    const char *text;
    int rc = get_string(&text, obj, key, doc);
    if (rc == 0 && uuid_parse(out, text) < 0)
        rc = field_error(doc, key, "is invalid: %s", shop_error_message());
    return rc;
}

/* An amount above zero, with its currency. */
static int get_amount(money *out, const cJSON *obj, const char *doc)
{
    const char *text;
    int rc = get_string(&text, obj, "amount", doc);
    if (rc == 0 && money_parse(out, text, NULL) < 0)
        rc = field_error(doc, "amount", "is invalid: %s", shop_error_message());
    if (rc == 0 && !money_is_positive(*out))
        rc = field_error(doc, "amount", "must be above 0");
    return rc;
}

/* A gateway id or reason: 1..size-1 bytes of printable ASCII. */
static int get_text(char *out, size_t size, const cJSON *obj, const char *key, const char *doc)
{
    const char *text;
    int rc = get_string(&text, obj, key, doc);
    if (rc < 0)
        return rc;
    size_t n = strlen(text);
    if (n == 0 || n >= size || !text_is_printable_ascii(text))
        return field_error(doc, key, "must be 1-%zu characters of printable ASCII", size - 1);
    memcpy(out, text, n + 1);
    return 0;
}

static int get_time(int64_t *out, const cJSON *obj, const char *doc)
{
    const char *text;
    int rc = get_string(&text, obj, "at_us", doc);
    if (rc < 0)
        return rc;
    size_t n = strlen(text);
    if (n == 0 || n > TIME_DIGITS_MAX || strspn(text, "0123456789") != n ||
        text_parse_int64(out, text) < 0)
        return field_error(doc, "at_us", "must be microseconds since 1970 as a string of digits");
    return 0;
}

static int decode_fields(payment_event *e, const cJSON *root, const char *doc)
{
    int rc = get_uuid(&e->payment_id.uuid, root, "payment_id", doc);
    if (rc == 0)
        rc = get_time(&e->at_us, root, doc);
    if (rc < 0)
        return rc;
    switch (e->type) {
    case PAYMENT_AUTHORIZED:
        if ((rc = get_uuid(&e->as.authorized.order_id, root, "order_id", doc)) == 0 &&
            (rc = get_amount(&e->as.authorized.amount, root, doc)) == 0)
            rc = get_text(e->as.authorized.charge_id, sizeof e->as.authorized.charge_id, root,
                          "charge_id", doc);
        return rc;
    case PAYMENT_DECLINED:
        if ((rc = get_uuid(&e->as.declined.order_id, root, "order_id", doc)) == 0 &&
            (rc = get_amount(&e->as.declined.amount, root, doc)) == 0)
            rc = get_text(e->as.declined.reason, sizeof e->as.declined.reason, root, "reason", doc);
        return rc;
    case PAYMENT_CAPTURED: return get_amount(&e->as.captured.amount, root, doc);
    case PAYMENT_VOIDED: return 0;
    case PAYMENT_REFUNDED:
        if ((rc = get_amount(&e->as.refunded.amount, root, doc)) == 0)
            rc = get_text(e->as.refunded.refund_id, sizeof e->as.refunded.refund_id, root,
                          "refund_id", doc);
        return rc;
    }
    return 0;
}

int payment_event_decode(payment_event *out, const char *type, int schema_version, const char *json)
{
    char quoted[TEXT_QUOTE_SIZE];
    const char *end = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    enum payment_event_type t = type ? payment_event_type_from_name(type) : 0;
    if (t == 0)
        return shop_error_set(SHOP_ENOTFOUND, "unknown event type \"%s\": not a Payments event",
                              text_quote(quoted, type ? type : ""));
    const char *doc = payment_event_type_name(t);
    if (schema_version > PAYMENT_EVENT_SCHEMA_VERSION)
        return shop_error_set(SHOP_ENOTFOUND,
                              "%s schema version %d is newer than this program knows", doc,
                              schema_version);
    if (schema_version < 1)
        return shop_error_set(SHOP_EINVALID, "%s schema version %d is not a version", doc,
                              schema_version);
    if (!json)
        return shop_error_set(SHOP_EINVALID, "%s: no JSON text", doc);
    cJSON *root = cJSON_ParseWithLengthOpts(json, strlen(json) + 1, &end, 1);
    if (!root)
        return shop_error_set(SHOP_EINVALID, "%s: not valid JSON", doc);
    if (!cJSON_IsObject(root))
        rc = shop_error_set(SHOP_EINVALID, "%s: must be a JSON object", doc);
    else {
        out->type = t;
        rc = decode_fields(out, root, doc);
    }
    cJSON_Delete(root);
    if (rc < 0)
        memset(out, 0, sizeof *out);
    return rc;
}
