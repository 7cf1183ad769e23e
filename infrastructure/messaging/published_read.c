/*
 * infrastructure/messaging/published_read.c — strict readers of published messages (see
 * published_read.h).
 * Read next: published_json.c (the writing side)
 */
#include "infrastructure/messaging/published_read.h"

#include "domain/shared/error.h"

#include <stdio.h>
#include <string.h>

int published_refuse(const struct message *m, const char *field, const char *why)
{
    return shop_error_set(SHOP_EINVALID, "%s: field \"%s\": %s", m->type, field, why);
}

int published_read_object(cJSON **out, const struct message *m)
{
    *out = NULL;
    if (m->schema_version != 1)
        return shop_error_set(SHOP_EINVALID, "%s version %d is not known here (only 1)", m->type,
                              m->schema_version);
    cJSON *root =
        m->payload ? cJSON_ParseWithLengthOpts(m->payload, strlen(m->payload) + 1, NULL, 1) : NULL;
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return shop_error_set(SHOP_EINVALID, "%s: the payload is not one JSON object", m->type);
    }
    *out = root;
    return 0;
}

int published_get_string(const char **out, const cJSON *root, const char *field,
                         const struct message *m)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(root, field);
    if (!item)
        return published_refuse(m, field, "missing");
    if (!cJSON_IsString(item))
        return published_refuse(m, field, "must be a string");
    *out = item->valuestring;
    return 0;
}

int published_get_uuid(shop_uuid *out, const cJSON *root, const char *field,
                       const struct message *m)
{
    const char *text;
    char back[UUID_STRING_SIZE];
    int rc = published_get_string(&text, root, field, m);
    if (rc < 0)
        return rc;
    if (uuid_parse(out, text) < 0 || strcmp(uuid_format(back, *out), text) != 0)
        return published_refuse(m, field, "must be a lower-case UUID");
    return 0;
}

int published_get_time(const cJSON *root, const char *field, const struct message *m)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd.ddddddZ";
    const char *text;
    int rc = published_get_string(&text, root, field, m);
    if (rc < 0)
        return rc;
    bool ok = strlen(text) == sizeof shape - 1;
    for (size_t i = 0; ok && i < sizeof shape - 1; i++)
        ok = shape[i] == 'd' ? (text[i] >= '0' && text[i] <= '9') : text[i] == shape[i];
    return ok ? 0 : published_refuse(m, field, "must be a UTC time like 2024-06-10T06:13:20.000000Z");
}

int published_get_money(money *out, const cJSON *root, const char *field, const struct message *m)
{
    const char *text;
    char why[SHOP_ERROR_MESSAGE_MAX];
    int rc = published_get_string(&text, root, field, m);
    if (rc < 0)
        return rc;
    if (money_parse(out, text, NULL) < 0) {
        snprintf(why, sizeof why, "%s", shop_error_message());
        return published_refuse(m, field, why);
    }
    if (!money_is_positive(*out))
        return published_refuse(m, field, "must be above 0");
    return 0;
}
