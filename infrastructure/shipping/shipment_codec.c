/*
 * infrastructure/shipping/shipment_codec.c — see shipment_codec.h.
 *
 * Decoding trusts nothing: every field is read with its type checked and parsed by the
 * same value objects the commands use (ship_to_parse, postcode_parse), so an event that
 * decodes is one the decider could have produced.
 */
#include "infrastructure/shipping/shipment_codec.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "domain/shared/text.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void add_time(cJSON *obj, const char *key, int64_t at_us)
{
    char text[24];
    snprintf(text, sizeof text, "%" PRId64, at_us);
    cJSON_AddStringToObject(obj, key, text);
}

static const char *time_key(enum shipment_event_type t)
{
    switch (t) {
    case SHIPMENT_SCHEDULED: return "scheduled_at_us";
    case SHIPMENT_REJECTED: return "rejected_at_us";
    case SHIPMENT_CANCELLED: return "cancelled_at_us";
    }
    return NULL;
}

int shipment_event_encode(char **out_json, const char **out_type, int *out_schema_version,
                          const shipment_event *event)
{
    char id[UUID_STRING_SIZE];
    const char *key = time_key(event->type);

    *out_json = NULL;
    if (!key)
        return shop_error_set(SHOP_EINVALID, "unknown shipment event type %d", (int)event->type);
    cJSON *obj = cJSON_CreateObject();
    if (!obj)
        shop_out_of_memory();
    cJSON_AddStringToObject(obj, "order_id", uuid_format(id, event->id.order_id));
    if (event->type != SHIPMENT_CANCELLED) {
        cJSON_AddStringToObject(obj, "ship_to", event->ship_to.text);
        cJSON_AddStringToObject(obj, "postcode", event->postcode.code);
    }
    if (event->type == SHIPMENT_SCHEDULED) {
        cJSON_AddStringToObject(obj, "carrier_id", event->carrier_id);
        cJSON_AddStringToObject(obj, "tracking", event->tracking);
    }
    if (event->type == SHIPMENT_REJECTED)
        cJSON_AddStringToObject(obj, "reason", event->reason);
    add_time(obj, key, event->at_us);
    *out_json = cJSON_PrintUnformatted(obj);
    cJSON_Delete(obj);
    if (!*out_json)
        shop_out_of_memory();
    *out_type = shipment_event_type_name(event->type);
    *out_schema_version = SHIPMENT_EVENT_SCHEMA_VERSION;
    return 0;
}

static int get_string(const char **out, const cJSON *obj, const char *type, const char *key)
{
    *out = NULL;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsString(v))
        return shop_error_set(SHOP_EINVALID, "%s: %s %s", type, key,
                              v ? "is not a string" : "is missing");
    *out = v->valuestring;
    return 0;
}

/* Printable ASCII of 1..max bytes into dst (max + 1 bytes). */
static int get_text(char *dst, size_t max, const cJSON *obj, const char *type, const char *key)
{
    const char *s = NULL;
    int rc = get_string(&s, obj, type, key);
    if (rc < 0)
        return rc;
    if (!*s || strlen(s) > max || !text_is_printable_ascii(s))
        return shop_error_set(SHOP_EINVALID, "%s: %s must be 1-%zu characters of printable ASCII",
                              type, key, max);
    memcpy(dst, s, strlen(s) + 1);
    return 0;
}

int shipment_event_decode(shipment_event *out, const char *type, int schema_version,
                          const char *json)
{
    enum shipment_event_type t = shipment_event_type_from_name(type);
    const char *s = NULL;
    cJSON *obj = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    if (!t)
        return shop_error_set(SHOP_ENOTFOUND, "%s is not a Shipping event", type ? type : "(null)");
    if (schema_version != SHIPMENT_EVENT_SCHEMA_VERSION)
        return shop_error_set(SHOP_ENOTFOUND, "%s v%d: this version reads v%d only", type,
                              schema_version, SHIPMENT_EVENT_SCHEMA_VERSION);
    obj = json ? cJSON_ParseWithOpts(json, NULL, 1) : NULL;
    if (!cJSON_IsObject(obj)) {
        rc = shop_error_set(SHOP_EINVALID, "%s: not a JSON object", type);
        goto done;
    }
    out->type = t;
    if ((rc = get_string(&s, obj, type, "order_id")) < 0)
        goto done;
    if (uuid_parse(&out->id.order_id, s) < 0) {
        rc = shop_error_set(SHOP_EINVALID, "%s: order_id is not a UUID", type);
        goto done;
    }
    if ((rc = get_string(&s, obj, type, time_key(t))) < 0)
        goto done;
    if (text_parse_int64(&out->at_us, s) < 0) {
        rc = shop_error_set(SHOP_EINVALID, "%s: %s is not a whole number", type, time_key(t));
        goto done;
    }
    if (t == SHIPMENT_CANCELLED)
        goto done;
    if ((rc = get_string(&s, obj, type, "ship_to")) < 0 ||
        (rc = ship_to_parse(&out->ship_to, s)) < 0)
        goto done;
    if ((rc = get_string(&s, obj, type, "postcode")) < 0 ||
        (rc = postcode_parse(&out->postcode, s)) < 0)
        goto done;
    if (t == SHIPMENT_SCHEDULED) {
        if ((rc = get_text(out->carrier_id, SHIPMENT_CARRIER_ID_MAX, obj, type, "carrier_id")) < 0)
            goto done;
        rc = get_text(out->tracking, SHIPMENT_TRACKING_MAX, obj, type, "tracking");
    } else {
        rc = get_text(out->reason, SHIPMENT_REASON_MAX, obj, type, "reason");
    }

done:
    if (rc < 0 && shop_error_code() != rc)
        shop_error_set(rc, "%s: invalid", type);
    if (rc < 0)
        memset(out, 0, sizeof *out);
    cJSON_Delete(obj);
    return rc;
}
