/*
 * infrastructure/payments/payment_messages.c — Payments' replies as JSON (see
 * payment_messages.h).
 * Read next: payment_commands.c
 */
#include "infrastructure/payments/payment_messages.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "infrastructure/messaging/published_json.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

int payment_message_reply(struct outgoing_message *out, const char *type, shop_uuid order_id,
                          shop_uuid payment_id, money amount, int64_t at_us,
                          const struct message_meta *meta)
{
    static const struct {
        const char *type, *at;
        bool amount, reason;
    } shapes[] = {
        {PAYMENTS_PAYMENT_AUTHORIZED, "authorized_at", true, false},
        {PAYMENTS_PAYMENT_DECLINED, "declined_at", false, true},
        {PAYMENTS_PAYMENT_CAPTURED, "captured_at", true, false},
        {PAYMENTS_PAYMENT_VOIDED, "voided_at", false, false},
    };
    char order[UUID_STRING_SIZE], payment[UUID_STRING_SIZE];
    size_t i = 0;
    int rc = 0;

    memset(out, 0, sizeof *out);
    while (i < sizeof shapes / sizeof shapes[0] && strcmp(shapes[i].type, type) != 0)
        i++;
    if (i == sizeof shapes / sizeof shapes[0])
        return shop_error_set(SHOP_EINVALID, "%s is not a reply of Payments", type);
    cJSON *root = published_must(cJSON_CreateObject());
    published_must(cJSON_AddStringToObject(root, "order_id", uuid_format(order, order_id)));
    published_must(cJSON_AddStringToObject(root, "payment_id", uuid_format(payment, payment_id)));
    if (shapes[i].amount)
        rc = published_add_money(root, "amount", amount);
    if (shapes[i].reason)
        published_must(cJSON_AddStringToObject(root, "reason", PAYMENTS_DECLINED_REASON));
    if (rc == 0)
        rc = published_add_time(root, shapes[i].at, at_us);
    if (rc == 0) {
        snprintf(out->type, sizeof out->type, "%s", type);
        out->schema_version = PAYMENTS_SCHEMA_VERSION;
        snprintf(out->stream, sizeof out->stream, "order-%s", order);
        if (!(out->payload = cJSON_PrintUnformatted(root)))
            shop_out_of_memory();
        if (meta)
            out->meta = *meta;
    }
    cJSON_Delete(root);
    return rc;
}
