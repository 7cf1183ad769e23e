/*
 * infrastructure/system/time_text.h — a time as people and other programs read it:
 * RFC 3339 in UTC with microseconds, "2024-06-10T06:13:20.000000Z".
 *
 * One writer for every place that shows a time: the HTTP APIs, the published language
 * (integration events), the command line.
 * Read next: infrastructure/catalog/catalog_messages.c (a user of it)
 */
#ifndef SHOP_INFRASTRUCTURE_SYSTEM_TIME_TEXT_H
#define SHOP_INFRASTRUCTURE_SYSTEM_TIME_TEXT_H

#include <stdint.h>

#define TIME_TEXT_SIZE 40

/* us (microseconds since the Unix epoch, >= 0) as RFC 3339 text.  SHOP_EINVALID for a
 * time before 1970 or beyond what the system's calendar holds (out is then ""). */
int time_text_rfc3339(char out[TIME_TEXT_SIZE], int64_t us);

#endif
