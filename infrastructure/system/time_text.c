/*
 * infrastructure/system/time_text.c — see time_text.h.
 */
#include "infrastructure/system/time_text.h"

#include "domain/shared/error.h"

#include <stdio.h>
#include <time.h>

int time_text_rfc3339(char out[TIME_TEXT_SIZE], int64_t us)
{
    time_t s = (time_t)(us / 1000000);
    struct tm tm;
    size_t n;

    out[0] = '\0';
    if (us < 0 || !gmtime_r(&s, &tm) ||
        (n = strftime(out, TIME_TEXT_SIZE, "%Y-%m-%dT%H:%M:%S", &tm)) == 0) {
        out[0] = '\0';
        return shop_error_set(SHOP_EINVALID, "%lld µs is not a time after 1970 the calendar holds",
                              (long long)us);
    }
    snprintf(out + n, TIME_TEXT_SIZE - n, ".%06dZ", (int)(us % 1000000));
    return 0;
}
