/*
 * infrastructure/ordering/ordering_messages.c — Ordering's events as integration events
 * (see ordering_messages.h).
 *
 * The relay reads stored events, not domain structs, so translating is two steps:
 *     (type, schema version, stored JSON) --order_event_decode--> order_event
 *         (the codec upcasts an old version, e.g. OrderPlaced v1's amounts without a
 *          currency, and checks every field as the domain would)
 *     order_event --ordering_message_from_event--> the published payload
 * Going through the domain event, rather than reshaping the stored JSON, means the
 * published language depends on what an order IS, never on how the store spells it: the
 * codec may move to a v3 and the contract stays v1.
 * Payloads are built with cJSON in the key order of the golden examples
 * (docs/contracts/events/) and printed without spaces; out of memory aborts
 * (domain/shared/memory.h's policy).
 * Read next: infrastructure/ordering/order_codec.c, tests/unit/published_language_test.c
 */
#include "infrastructure/ordering/ordering_messages.h"

#include "domain/shared/error.h"
#include "infrastructure/messaging/published_json.h"
#include "infrastructure/ordering/order_codec.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int add_placed(cJSON *obj, const order_event *event)
{
    const struct order_placed *p = &event->as.placed;
    int rc = 0;

    if (p->line_count > ORDER_MAX_LINES)
        return shop_error_set(SHOP_EINVALID, "OrderPlaced with %zu lines, more than %d",
                              p->line_count, ORDER_MAX_LINES);
    published_must(cJSON_AddStringToObject(obj, "customer", p->customer.text));
    published_must(cJSON_AddStringToObject(obj, "ship_to", p->address.ship_to.text));
    published_must(cJSON_AddStringToObject(obj, "postcode", p->address.postcode.code));
    cJSON *lines = published_must(cJSON_AddArrayToObject(obj, "lines"));
    for (size_t i = 0; i < p->line_count && rc == 0; i++) {
        cJSON *line = published_must(cJSON_CreateObject());
        cJSON_AddItemToArray(lines, line);
        published_must(cJSON_AddStringToObject(line, "sku", p->lines[i].sku.code));
        published_must(cJSON_AddNumberToObject(line, "quantity", p->lines[i].quantity.value));
        if ((rc = published_add_money(line, "unit_price", p->lines[i].unit_price)) == 0)
            rc = published_add_money(line, "line_total", p->lines[i].line_total);
    }
    if (rc == 0)
        rc = published_add_money(obj, "total", p->total);
    if (rc == 0)
        rc = published_add_time(obj, "placed_at", event->at_us);
    if (rc == 0)
        published_must(
            cJSON_AddStringToObject(obj, "card", p->card[0] ? p->card : ORDER_DEFAULT_CARD));
    return rc;
}

int ordering_message_from_event(struct outgoing_message *out, const order_event *event,
                                const struct message_meta *meta)
{
    char id[UUID_STRING_SIZE], stream[ORDER_STREAM_ID_SIZE];
    cJSON *payload = published_must(cJSON_CreateObject());
    const char *type = NULL;
    int rc = 0;

    memset(out, 0, sizeof *out);
    published_must(
        cJSON_AddStringToObject(payload, "order_id", uuid_format(id, event->order_id.uuid)));
    switch (event->type) {
    case ORDER_PLACED:
        type = ORDERING_ORDER_PLACED;
        rc = add_placed(payload, event);
        break;
    case ORDER_CONFIRMED:
        type = ORDERING_ORDER_CONFIRMED;
        rc = published_add_time(payload, "confirmed_at", event->at_us);
        break;
    case ORDER_CANCELLED:
        type = ORDERING_ORDER_CANCELLED;
        published_must(cJSON_AddStringToObject(payload, "reason", event->as.cancelled.reason));
        rc = published_add_time(payload, "cancelled_at", event->at_us);
        break;
    default:
        rc =
            shop_error_set(SHOP_EINVALID, "order event type %d is not published", (int)event->type);
    }
    if (rc == 0) {
        snprintf(out->type, sizeof out->type, "%s", type);
        out->schema_version = ORDERING_SCHEMA_VERSION;
        snprintf(out->stream, sizeof out->stream, "%s", order_stream_id(stream, event->order_id));
        if (!(out->payload = cJSON_PrintUnformatted(payload)))
            abort();
        if (meta)
            out->meta = *meta;
    }
    cJSON_Delete(payload);
    return rc;
}

int ordering_messages_translate(const struct es_event *event, struct outgoing_message *out,
                                bool *publish)
{
    order_event decoded;
    int rc;

    *publish = false;
    memset(out, 0, sizeof *out);
    if (order_event_type_from_name(event->type) == 0)
        return 0; /* not an order event: it stays inside Ordering */
    if ((rc = order_event_decode(&decoded, event->type, event->schema_version, event->data)) < 0)
        return shop_error_set(SHOP_EINTERNAL, "%s version %lld (%s v%d) cannot be published: %s",
                              event->stream_id, (long long)event->stream_version, event->type,
                              event->schema_version, shop_error_message());
    if ((rc = ordering_message_from_event(out, &decoded, &event->meta)) < 0)
        return rc;
    *publish = true;
    return 0;
}
