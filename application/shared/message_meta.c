/*
 * application/shared/message_meta.c — checks on the ids every message carries.
 * Read next: application/eventstore/event_store.c
 */
#include "application/shared/message_meta.h"

#include <stdio.h>
#include <string.h>

static bool lower_hex(const char *s, size_t n)
{
    bool any_nonzero = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
        any_nonzero |= c != '0';
    }
    return any_nonzero;
}

bool message_meta_traceparent_valid(const char *t)
{
    if (!t || t[0] == '\0')
        return true;
    /* version "00" - trace-id (32) - parent-id (16) - flags (2) */
    if (strlen(t) != TRACEPARENT_SIZE - 1 || t[2] != '-' || t[35] != '-' || t[52] != '-')
        return false;
    if (t[0] != '0' || t[1] != '0')
        return false;
    char flags[3] = {t[53], t[54], 0};
    return lower_hex(t + 3, 32) && lower_hex(t + 36, 16) &&
           ((flags[0] >= '0' && flags[0] <= '9') || (flags[0] >= 'a' && flags[0] <= 'f')) &&
           ((flags[1] >= '0' && flags[1] <= '9') || (flags[1] >= 'a' && flags[1] <= 'f'));
}

int message_meta_new_traceparent(char out[TRACEPARENT_SIZE])
{
    shop_uuid trace, span;
    char t[UUID_STRING_SIZE], s[UUID_STRING_SIZE];
    int rc;

    out[0] = '\0';
    if ((rc = uuid_new_v4(&trace)) < 0 || (rc = uuid_new_v4(&span)) < 0)
        return rc;
    uuid_format(t, trace);
    uuid_format(s, span);
    /* "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx" without its dashes is 32 hex digits, never
     * all zero (the version digit is 4); a span id is the first 16 of another. */
    char hex[33], *h = hex;
    for (const char *p = t; *p; p++)
        if (*p != '-')
            *h++ = *p;
    *h = '\0';
    char span_hex[17];
    size_t k = 0;
    for (const char *p = s; *p && k < 16; p++)
        if (*p != '-')
            span_hex[k++] = *p;
    span_hex[k] = '\0';
    if (strcmp(span_hex, "0000000000000000") == 0) /* 2^-64: the span id must not be zero */
        span_hex[15] = '1';
    snprintf(out, TRACEPARENT_SIZE, "00-%s-%s-01", hex, span_hex);
    return 0;
}
