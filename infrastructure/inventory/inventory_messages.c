/*
 * infrastructure/inventory/inventory_messages.c — Inventory's integration events, as JSON
 * (see inventory_messages.h).
 * Read next: inventory_commands.c
 */
#include "infrastructure/inventory/inventory_messages.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "infrastructure/messaging/published_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* *out made of root (printed, then freed), type and stream "<prefix>-<key>". */
static void finish(struct outgoing_message *out, const char *type, const char *prefix,
                   const char *key, cJSON *root, const struct message_meta *meta)
{
    snprintf(out->type, sizeof out->type, "%s", type);
    out->schema_version = INVENTORY_SCHEMA_VERSION;
    snprintf(out->stream, sizeof out->stream, "%s-%s", prefix, key);
    if (!(out->payload = cJSON_PrintUnformatted(root)))
        shop_out_of_memory();
    if (meta)
        out->meta = *meta;
}

static const char *time_field(const char *type)
{
    if (strcmp(type, INVENTORY_STOCK_RESERVED) == 0)
        return "reserved_at";
    if (strcmp(type, INVENTORY_RESERVATION_RELEASED) == 0)
        return "released_at";
    if (strcmp(type, INVENTORY_RESERVATION_COMMITTED) == 0)
        return "committed_at";
    return NULL;
}

int inventory_message_lines(struct outgoing_message *out, const char *type, shop_uuid order_id,
                            const reservation_line *lines, size_t n, int64_t at_us,
                            const struct message_meta *meta)
{
    const char *at = time_field(type);
    char id[UUID_STRING_SIZE];
    int rc;

    memset(out, 0, sizeof *out);
    if (!at)
        return shop_error_set(SHOP_EINVALID, "%s is not a reply with lines", type);
    cJSON *root = published_must(cJSON_CreateObject());
    published_must(cJSON_AddStringToObject(root, "order_id", uuid_format(id, order_id)));
    cJSON *array = published_must(cJSON_AddArrayToObject(root, "lines"));
    for (size_t i = 0; i < n; i++) {
        cJSON *line = published_must(cJSON_CreateObject());
        cJSON_AddItemToArray(array, line);
        published_must(cJSON_AddStringToObject(line, "sku", lines[i].sku.code));
        published_must(cJSON_AddNumberToObject(line, "quantity", (double)lines[i].quantity.value));
    }
    if ((rc = published_add_time(root, at, at_us)) == 0)
        finish(out, type, "order", id, root, meta);
    cJSON_Delete(root);
    return rc;
}

int inventory_message_rejected(struct outgoing_message *out, shop_uuid order_id, const char *reason,
                               int64_t at_us, const struct message_meta *meta)
{
    char id[UUID_STRING_SIZE];
    int rc;

    memset(out, 0, sizeof *out);
    cJSON *root = published_must(cJSON_CreateObject());
    published_must(cJSON_AddStringToObject(root, "order_id", uuid_format(id, order_id)));
    published_must(cJSON_AddStringToObject(root, "reason", reason));
    if ((rc = published_add_time(root, "rejected_at", at_us)) == 0)
        finish(out, INVENTORY_STOCK_RESERVATION_REJECTED, "order", id, root, meta);
    cJSON_Delete(root);
    return rc;
}

int inventory_message_received(struct outgoing_message *out, const stock_item *item, int64_t units,
                               int64_t at_us, const struct message_meta *meta)
{
    int rc;

    memset(out, 0, sizeof *out);
    cJSON *root = published_must(cJSON_CreateObject());
    published_must(cJSON_AddStringToObject(root, "sku", item->sku.code));
    published_must(cJSON_AddNumberToObject(root, "quantity", (double)units));
    published_must(cJSON_AddNumberToObject(root, "on_hand", (double)item->on_hand));
    if ((rc = published_add_time(root, "received_at", at_us)) == 0)
        finish(out, INVENTORY_STOCK_RECEIVED, "stock", item->sku.code, root, meta);
    cJSON_Delete(root);
    return rc;
}
