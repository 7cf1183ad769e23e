/*
 * application/shared/message_meta.c — checks on the ids every message carries.
 * Read next: application/eventstore/event_store.c
 */
#include "application/shared/message_meta.h"

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
