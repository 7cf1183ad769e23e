/*
 * infrastructure/messaging/published_json.c — see published_json.h.
 */
#include "infrastructure/messaging/published_json.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "infrastructure/system/time_text.h"

cJSON *published_must(cJSON *item)
{
    if (!item)
        shop_out_of_memory();
    return item;
}

int published_add_money(cJSON *obj, const char *key, money m)
{
    char text[MONEY_FORMAT_MAX];
    int rc = money_format(text, sizeof text, m);
    if (rc < 0)
        return rc;
    published_must(cJSON_AddStringToObject(obj, key, text));
    return 0;
}

int published_add_time(cJSON *obj, const char *key, int64_t us)
{
    char text[TIME_TEXT_SIZE];
    if (time_text_rfc3339(text, us) < 0)
        return shop_error_set(SHOP_EINVALID, "%s: a time before 1970 cannot be published", key);
    published_must(cJSON_AddStringToObject(obj, key, text));
    return 0;
}
