/*
 * infrastructure/cli/cli_events.c — showing recorded events; see cli_events.h.
 */
#include "infrastructure/cli/cli_events.h"

#include "domain/shared/error.h"
#include "domain/shared/text.h"
#include "infrastructure/system/time_text.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

const char *cli_format_time(char out[CLI_TIME_SIZE], int64_t us)
{
    char text[TIME_TEXT_SIZE];
    snprintf(out, CLI_TIME_SIZE, "%s", time_text_rfc3339(text, us) == 0 ? text : "?");
    return out;
}

int cli_parse_time(int64_t *out, const char *text)
{
    struct tm tm;
    const char *rest;
    long micros = 0;

    memset(&tm, 0, sizeof tm);
    rest = strptime(text, "%Y-%m-%d", &tm);
    if (rest && (*rest == 'T' || *rest == ' ')) {
        rest = strptime(rest + 1, "%H:%M:%S", &tm);
        if (rest && *rest == '.') {
            int digits = 0;
            for (rest++; *rest >= '0' && *rest <= '9'; rest++, digits++)
                if (digits < 6)
                    micros = micros * 10 + (*rest - '0');
            if (digits == 0)
                rest = NULL;
            for (; digits < 6; digits++)
                micros *= 10;
        }
    }
    if (rest && *rest == 'Z')
        rest++;
    /* strptime skips spaces and takes day 31 in February; timegm would roll it over */
    struct tm asked = tm, back;
    time_t t = timegm(&tm);
    bool exact = gmtime_r(&t, &back) && back.tm_year == asked.tm_year &&
                 back.tm_mon == asked.tm_mon && back.tm_mday == asked.tm_mday &&
                 back.tm_hour == asked.tm_hour && back.tm_min == asked.tm_min &&
                 back.tm_sec == asked.tm_sec;
    if (!rest || *rest != '\0' || !(text[0] >= '0' && text[0] <= '9') || !exact) {
        char q[TEXT_QUOTE_SIZE];
        return shop_error_set(SHOP_EINVALID,
                              "time \"%s\" is not YYYY-MM-DD[THH:MM:SS[.ffffff]][Z] (UTC)",
                              text_quote(q, text));
    }
    *out = (int64_t)t * 1000000 + micros;
    return SHOP_OK;
}

static void add_uuid(cJSON *o, const char *name, shop_uuid id)
{
    char text[UUID_STRING_SIZE];
    if (uuid_is_nil(id))
        cJSON_AddNullToObject(o, name);
    else
        cJSON_AddStringToObject(o, name, uuid_format(text, id));
}

cJSON *cli_event_json(const struct es_event *e)
{
    char number[24], when[CLI_TIME_SIZE];
    cJSON *o = cJSON_CreateObject();
    /* 64-bit numbers as strings of digits (docs/style.md §SQL and JSON) */
    snprintf(number, sizeof number, "%" PRId64, e->global_position);
    cJSON_AddStringToObject(o, "global_position", number);
    cJSON_AddStringToObject(o, "stream_id", e->stream_id);
    cJSON_AddNumberToObject(o, "stream_version", (double)e->stream_version);
    cJSON_AddStringToObject(o, "type", e->type);
    cJSON_AddNumberToObject(o, "schema_version", e->schema_version);
    cJSON_AddStringToObject(o, "recorded_at", cli_format_time(when, e->recorded_at_us));
    snprintf(number, sizeof number, "%" PRIu64, e->transaction_id);
    cJSON_AddStringToObject(o, "transaction_id", number);
    cJSON *meta = cJSON_AddObjectToObject(o, "metadata");
    add_uuid(meta, "message_id", e->meta.message_id);
    add_uuid(meta, "correlation_id", e->meta.correlation_id);
    add_uuid(meta, "causation_id", e->meta.causation_id);
    if (e->meta.traceparent[0])
        cJSON_AddStringToObject(meta, "traceparent", e->meta.traceparent);
    else
        cJSON_AddNullToObject(meta, "traceparent");
    return o;
}
