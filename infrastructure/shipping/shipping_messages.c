/*
 * infrastructure/shipping/shipping_messages.c — Shipping's replies as JSON (see
 * shipping_messages.h).
 * Read next: shipping_commands.c
 */
#include "infrastructure/shipping/shipping_messages.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "infrastructure/messaging/published_json.h"

#include <stdio.h>
#include <string.h>

int shipping_message_reply(struct outgoing_message *out, const char *type, shop_uuid order_id,
                           const char *reason, int64_t at_us, const struct message_meta *meta)
{
    char order[UUID_STRING_SIZE];
    const char *at;
    int rc;

    memset(out, 0, sizeof *out);
    if (strcmp(type, SHIPPING_SHIPMENT_SCHEDULED) == 0)
        at = "scheduled_at";
    else if (strcmp(type, SHIPPING_SHIPMENT_REJECTED) == 0)
        at = "rejected_at";
    else if (strcmp(type, SHIPPING_SHIPMENT_CANCELLED) == 0)
        at = "cancelled_at";
    else
        return shop_error_set(SHOP_EINVALID, "%s is not a reply of Shipping", type);
    cJSON *root = published_must(cJSON_CreateObject());
    published_must(cJSON_AddStringToObject(root, "order_id", uuid_format(order, order_id)));
    if (strcmp(type, SHIPPING_SHIPMENT_REJECTED) == 0)
        published_must(cJSON_AddStringToObject(root, "reason", reason));
    if ((rc = published_add_time(root, at, at_us)) == 0) {
        snprintf(out->type, sizeof out->type, "%s", type);
        out->schema_version = SHIPPING_SCHEMA_VERSION;
        snprintf(out->stream, sizeof out->stream, "order-%s", order);
        if (!(out->payload = cJSON_PrintUnformatted(root)))
            shop_out_of_memory();
        if (meta)
            out->meta = *meta;
    }
    cJSON_Delete(root);
    return rc;
}
