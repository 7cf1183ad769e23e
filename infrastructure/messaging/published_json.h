/*
 * infrastructure/messaging/published_json.h — how the published language writes its
 * values (docs/contracts/events/): money as "24.90 EUR" (money_format, never a double),
 * times as RFC 3339 UTC with microseconds.  One writer for every context's translator
 * (infrastructure/catalog/catalog_messages.c, infrastructure/ordering/ordering_messages.c),
 * so the same value reads the same in every integration event.
 * Out of memory: cJSON answers NULL and these abort (domain/shared/memory.h's policy).
 */
#ifndef SHOP_INFRASTRUCTURE_MESSAGING_PUBLISHED_JSON_H
#define SHOP_INFRASTRUCTURE_MESSAGING_PUBLISHED_JSON_H

#include "domain/shared/money.h"

#include <cjson/cJSON.h>
#include <stdint.h>

/* item, or the out-of-memory abort if cJSON could not allocate it. */
cJSON *published_must(cJSON *item);

/* obj[key] = "24.90 EUR".  The error of money_format for a money it cannot write. */
int published_add_money(cJSON *obj, const char *key, money m);

/* obj[key] = "2024-06-10T06:13:20.000000Z".  SHOP_EINVALID for a time before 1970. */
int published_add_time(cJSON *obj, const char *key, int64_t us);

#endif
