/*
 * infrastructure/catalog/catalog_messages.c — Catalog's domain events as integration
 * events (see catalog_messages.h).
 *
 * Each payload is built with cJSON in the key order of the golden example
 * (docs/contracts/events/<type>.v1.example.json) and printed without spaces.  Money and
 * times are written as every integration event writes them (infrastructure/messaging/
 * published_json.h); the version is a JSON integer.
 * Read next: infrastructure/catalog/product_repository_pg.c (where the messages are
 * written, in the statement that saves the product)
 */
#include "infrastructure/catalog/catalog_messages.h"

#include "domain/shared/error.h"
#include "infrastructure/messaging/published_json.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void catalog_message_stream(char out[MESSAGE_STREAM_MAX + 1], const sku *product_sku)
{
    snprintf(out, MESSAGE_STREAM_MAX + 1, "product-%s", product_sku->code);
}

int catalog_message_from_event(struct outgoing_message *out, const product_event *event,
                               int64_t catalog_version, const struct message_meta *meta)
{
    cJSON *payload = published_must(cJSON_CreateObject());
    const char *type;
    int rc = 0;

    memset(out, 0, sizeof *out);
    if (catalog_version < 1) {
        rc = shop_error_set(SHOP_EINVALID, "catalog_version must be 1 or more, got %lld",
                            (long long)catalog_version);
        goto done;
    }
    published_must(cJSON_AddStringToObject(payload, "sku", event->sku.code));
    switch (event->type) {
    case PRODUCT_ADDED:
        type = CATALOG_PRODUCT_ADDED;
        published_must(cJSON_AddStringToObject(payload, "name", event->as.added.name.text));
        if ((rc = published_add_money(payload, "price", event->as.added.price)) < 0)
            goto done;
        published_must(
            cJSON_AddNumberToObject(payload, "catalog_version", (double)catalog_version));
        rc = published_add_time(payload, "added_at", event->at_us);
        break;
    case PRODUCT_PRICE_CHANGED:
        type = CATALOG_PRICE_CHANGED;
        if ((rc = published_add_money(payload, "price", event->as.price_changed.new_price)) < 0)
            goto done;
        published_must(
            cJSON_AddNumberToObject(payload, "catalog_version", (double)catalog_version));
        rc = published_add_time(payload, "changed_at", event->at_us);
        break;
    default:
        rc = shop_error_set(SHOP_EINVALID, "product event type %d is not published",
                            (int)event->type);
        goto done;
    }
    if (rc < 0)
        goto done;
    snprintf(out->type, sizeof out->type, "%s", type);
    out->schema_version = CATALOG_SCHEMA_VERSION;
    catalog_message_stream(out->stream, &event->sku);
    if (!(out->payload = cJSON_PrintUnformatted(payload)))
        abort();
    if (meta)
        out->meta = *meta;

done:
    cJSON_Delete(payload);
    return rc;
}
