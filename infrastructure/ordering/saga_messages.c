/*
 * infrastructure/ordering/saga_messages.c — the saga's commands as outbox messages and
 * the participants' replies as saga inputs (see saga_messages.h).
 *
 * Encoding builds each payload with cJSON in the key order of the golden examples
 * (docs/contracts/events/ordering.<Command>.v1.example.json) and prints it without
 * spaces; out of memory aborts (domain/shared/memory.h's policy).  Decoding parses
 * strictly (one JSON object, nothing after it) and refuses with SHOP_EINVALID, naming the
 * member, what the saga cannot trust: the consumer dead-letters such a message at once.
 * Read next: fulfilment_subscription.c, tests/unit/published_language_test.c
 */
#include "infrastructure/ordering/saga_messages.h"

#include "domain/shared/error.h"
#include "domain/shared/text.h"
#include "infrastructure/messaging/published_json.h"
#include "infrastructure/messaging/published_read.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ================================================================ commands */

int saga_message_from_command(struct outgoing_message *out, const fulfilment_saga *saga,
                              const struct saga_command *cmd, const struct message_meta *cause)
{
    char id[UUID_STRING_SIZE], stream[ORDER_STREAM_ID_SIZE];
    const char *name = saga_command_name(cmd->type);
    int rc = 0;

    memset(out, 0, sizeof *out);
    if (!name || !*name)
        return shop_error_set(SHOP_EINVALID, "saga command type %d is not known", (int)cmd->type);
    cJSON *payload = published_must(cJSON_CreateObject());
    uuid_format(id, saga->order.uuid);
    published_must(cJSON_AddStringToObject(payload, "order_id", id));
    switch (cmd->type) {
    case SAGA_CMD_RESERVE_STOCK: {
        cJSON *lines = published_must(cJSON_AddArrayToObject(payload, "lines"));
        for (size_t i = 0; i < saga->line_count && i < ORDER_MAX_LINES; i++) {
            cJSON *line = published_must(cJSON_CreateObject());
            cJSON_AddItemToArray(lines, line);
            published_must(cJSON_AddStringToObject(line, "sku", saga->lines[i].sku.code));
            published_must(
                cJSON_AddNumberToObject(line, "quantity", saga->lines[i].quantity.value));
        }
        break;
    }
    case SAGA_CMD_AUTHORIZE_PAYMENT:
        published_must(cJSON_AddStringToObject(payload, "payment_id", id));
        rc = published_add_money(payload, "amount", saga->total);
        published_must(cJSON_AddStringToObject(payload, "card",
                                               saga->card[0] ? saga->card : SAGA_DEFAULT_CARD));
        break;
    case SAGA_CMD_CAPTURE_PAYMENT:
        published_must(cJSON_AddStringToObject(payload, "payment_id", id));
        rc = published_add_money(payload, "amount", saga->total);
        break;
    case SAGA_CMD_VOID_PAYMENT:
        published_must(cJSON_AddStringToObject(payload, "payment_id", id));
        break;
    case SAGA_CMD_SCHEDULE_SHIPMENT:
        published_must(cJSON_AddStringToObject(payload, "ship_to", saga->address.ship_to.text));
        published_must(cJSON_AddStringToObject(payload, "postcode", saga->address.postcode.code));
        break;
    case SAGA_CMD_RELEASE_RESERVATION:
    case SAGA_CMD_COMMIT_RESERVATION:
    case SAGA_CMD_CANCEL_SHIPMENT: break;
    default:
        rc = shop_error_set(SHOP_EINVALID, "saga command type %d is not known", (int)cmd->type);
    }
    if (rc == 0) {
        snprintf(out->type, sizeof out->type, "ordering.%s", name);
        out->schema_version = SAGA_MESSAGE_SCHEMA_VERSION;
        snprintf(out->stream, sizeof out->stream, "%s", order_stream_id(stream, saga->order));
        if (!(out->payload = cJSON_PrintUnformatted(payload)))
            abort();
        out->meta.message_id = saga_command_message_id(saga->order, cmd->type, cmd->attempt);
        if (cause) {
            out->meta.correlation_id = cause->correlation_id;
            out->meta.causation_id = cause->message_id;
            memcpy(out->meta.traceparent, cause->traceparent, sizeof out->meta.traceparent);
        }
    }
    cJSON_Delete(payload);
    return rc;
}

/* ================================================================ replies */

/* What each heard type carries besides "order_id". */
enum member {
    M_PAYMENT_ID = 1 << 0, /* must be the order id */
    M_LINES = 1 << 1,      /* [{"sku", "quantity"}], may be empty */
    M_AMOUNT = 1 << 2,     /* money */
    M_REASON = 1 << 3,     /* 1..ORDER_REASON_MAX bytes */
    M_CARD = 1 << 4,       /* optional card token (OrderPlaced) */
};

static const struct heard {
    const char *type;
    enum saga_input_type input;
    unsigned members;
    const char *time; /* the member holding when it happened */
} heard[] = {
    {"ordering.OrderPlaced", SAGA_IN_ORDER_PLACED, M_CARD, "placed_at"},
    {"ordering.OrderCancelled", SAGA_IN_ORDER_CANCELLED, M_REASON, "cancelled_at"},
    {"inventory.StockReserved", SAGA_IN_STOCK_RESERVED, M_LINES, "reserved_at"},
    {"inventory.StockReservationRejected", SAGA_IN_STOCK_REJECTED, M_REASON, "rejected_at"},
    {"inventory.ReservationReleased", SAGA_IN_STOCK_RELEASED, M_LINES, "released_at"},
    {"inventory.ReservationCommitted", 0, M_LINES, "committed_at"},
    {"payments.PaymentAuthorized", SAGA_IN_PAYMENT_AUTHORIZED, M_PAYMENT_ID | M_AMOUNT,
     "authorized_at"},
    {"payments.PaymentDeclined", SAGA_IN_PAYMENT_DECLINED, M_PAYMENT_ID | M_REASON, "declined_at"},
    {"payments.PaymentCaptured", SAGA_IN_PAYMENT_CAPTURED, M_PAYMENT_ID | M_AMOUNT, "captured_at"},
    {"payments.PaymentVoided", SAGA_IN_PAYMENT_VOIDED, M_PAYMENT_ID, "voided_at"},
    {"shipping.ShipmentScheduled", SAGA_IN_SHIPMENT_SCHEDULED, 0, "scheduled_at"},
    {"shipping.ShipmentRejected", SAGA_IN_SHIPMENT_REJECTED, M_REASON, "rejected_at"},
    {"shipping.ShipmentCancelled", SAGA_IN_SHIPMENT_CANCELLED, 0, "cancelled_at"},
};

static const struct heard *find_heard(const char *type)
{
    for (size_t i = 0; i < sizeof heard / sizeof heard[0]; i++)
        if (strcmp(heard[i].type, type) == 0)
            return &heard[i];
    return NULL;
}

bool saga_message_is_heard(const char *type)
{
    return find_heard(type) != NULL;
}

static int check_lines(const cJSON *root, const struct message *m)
{
    const cJSON *lines = cJSON_GetObjectItemCaseSensitive(root, "lines"), *line;
    if (!lines)
        return published_refuse(m, "lines", "missing");
    if (!cJSON_IsArray(lines))
        return published_refuse(m, "lines", "must be an array");
    cJSON_ArrayForEach(line, lines)
    {
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(line, "sku");
        const cJSON *q = cJSON_GetObjectItemCaseSensitive(line, "quantity");
        sku parsed;
        if (!cJSON_IsObject(line) || !cJSON_IsString(s) || sku_parse(&parsed, s->valuestring) < 0)
            return published_refuse(m, "lines", "must hold objects with a valid \"sku\"");
        if (!cJSON_IsNumber(q) || !(q->valuedouble >= QUANTITY_MIN) ||
            !(q->valuedouble <= QUANTITY_MAX) || q->valuedouble != (double)(int)q->valuedouble)
            return published_refuse(m, "lines", "must hold a \"quantity\" of 1 to 999");
    }
    return 0;
}

static int get_reason(struct saga_message *out, const cJSON *root, const struct message *m)
{
    const char *text;
    int rc = published_get_string(&text, root, "reason", m);
    if (rc < 0)
        return rc;
    size_t n = strlen(text);
    if (n == 0 || n > ORDER_REASON_MAX)
        return published_refuse(m, "reason", "must be 1-200 bytes");
    for (const char *p = text; *p;) {
        uint32_t cp;
        size_t len = text_utf8_decode(&cp, p);
        if (len == 0 || text_is_control(cp))
            return published_refuse(m, "reason", "must be UTF-8 without control characters");
        p += len;
    }
    memcpy(out->reason, text, n + 1);
    out->input.reason = out->reason;
    return 0;
}

int saga_message_decode(struct saga_message *out, const struct message *m)
{
    const struct heard *h = find_heard(m->type);
    const char *text;
    int rc;

    memset(out, 0, sizeof *out);
    if (!h)
        return shop_error_set(SHOP_EINVALID, "%s is not a message the fulfilment saga hears",
                              m->type);
    if (m->schema_version != SAGA_MESSAGE_SCHEMA_VERSION)
        return shop_error_set(SHOP_EINVALID, "%s version %d is not known here (only 1)", m->type,
                              m->schema_version);
    cJSON *root =
        m->payload ? cJSON_ParseWithLengthOpts(m->payload, strlen(m->payload) + 1, NULL, 1) : NULL;
    if (!cJSON_IsObject(root)) {
        rc = shop_error_set(SHOP_EINVALID, "%s: the payload is not one JSON object", m->type);
        goto done;
    }
    if ((rc = published_get_string(&text, root, "order_id", m)) < 0)
        goto done;
    if (order_id_parse(&out->order, text) < 0) {
        rc = published_refuse(m, "order_id", "must be a UUID");
        goto done;
    }
    if (h->members & M_PAYMENT_ID) {
        shop_uuid payment;
        if ((rc = published_get_string(&text, root, "payment_id", m)) < 0)
            goto done;
        if (uuid_parse(&payment, text) < 0 || !uuid_equal(payment, out->order.uuid)) {
            rc = published_refuse(m, "payment_id", "must be the order id (one payment per order)");
            goto done;
        }
    }
    if ((h->members & M_LINES) && (rc = check_lines(root, m)) < 0)
        goto done;
    if (h->members & M_AMOUNT) {
        money amount;
        if ((rc = published_get_string(&text, root, "amount", m)) < 0)
            goto done;
        if (money_parse(&amount, text, NULL) < 0 || !money_is_positive(amount)) {
            rc = published_refuse(m, "amount", "must be an amount above zero like \"24.90 EUR\"");
            goto done;
        }
    }
    if ((h->members & M_REASON) && (rc = get_reason(out, root, m)) < 0)
        goto done;
    if (h->members & M_CARD) {
        const cJSON *card = cJSON_GetObjectItemCaseSensitive(root, "card");
        if (!card) {
            snprintf(out->card, sizeof out->card, "%s", SAGA_DEFAULT_CARD); /* older publishers */
        } else if (!cJSON_IsString(card) || order_card_check(card->valuestring) < 0) {
            rc = published_refuse(m, "card", "must be a card token: 1-64 printable characters, no spaces");
            goto done;
        } else {
            snprintf(out->card, sizeof out->card, "%s", card->valuestring);
        }
        out->input.card = out->card;
    }
    if ((rc = published_get_time(root, h->time, m)) < 0)
        goto done;
    out->input.type = h->input;
done:
    cJSON_Delete(root);
    return rc;
}
