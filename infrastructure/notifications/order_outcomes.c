/*
 * infrastructure/notifications/order_outcomes.c — see order_outcomes.h.
 *
 * The payloads read (schema version 1 of each; money is a string "29.75 EUR"):
 *   ordering.OrderPlaced    {"order_id", "customer", "lines": [{"quantity", ...}], "total", ...}
 *   ordering.OrderConfirmed {"order_id", ...}
 *   ordering.OrderCancelled {"order_id", "reason", ...}
 * Read next: application/notifications/notification_service.c
 */
#include "infrastructure/notifications/order_outcomes.h"

#include "application/notifications/notification_service.h"
#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "domain/shared/text.h"
#include "infrastructure/notifications/notification_log_pg.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ORDER_LINES_MAX 50
#define QUANTITY_MAX    999

/* ------------------------------------------------------------------ the reader */

/* Records "<type> payload: <field>: <what>" as SHOP_EINVALID. */
static int refuse(const struct message *m, const char *field, const char *what)
{
    char q[TEXT_QUOTE_SIZE];
    return shop_error_set(SHOP_EINVALID, "%s payload: %s: %s", text_quote(q, m->type), field, what);
}

static int read_string(const char **out, const struct message *m, const cJSON *doc,
                       const char *field)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, field);
    if (!v)
        return refuse(m, field, "missing");
    if (!cJSON_IsString(v))
        return refuse(m, field, "must be a string");
    *out = v->valuestring;
    return 0;
}

/* A field whose value object refuses it: "<type> payload: customer: <the rule>". */
static int refuse_value(const struct message *m, const char *field)
{
    char rule[SHOP_ERROR_MESSAGE_MAX];
    snprintf(rule, sizeof rule, "%s", shop_error_message());
    return refuse(m, field, rule);
}

/* Sums the lines' quantities: 1-50 lines, each an integer 1-999. */
static int read_items(int64_t *out, const struct message *m, const cJSON *doc)
{
    const cJSON *lines = cJSON_GetObjectItemCaseSensitive(doc, "lines"), *line;
    int count = 0;

    *out = 0;
    if (!lines)
        return refuse(m, "lines", "missing");
    if (!cJSON_IsArray(lines))
        return refuse(m, "lines", "must be an array");
    cJSON_ArrayForEach(line, lines)
    {
        const cJSON *q = cJSON_GetObjectItemCaseSensitive(line, "quantity");
        if (++count > ORDER_LINES_MAX)
            return refuse(m, "lines", "more than 50 lines");
        if (!cJSON_IsNumber(q) || q->valuedouble != floor(q->valuedouble) || q->valuedouble < 1 ||
            q->valuedouble > QUANTITY_MAX)
            return refuse(m, "lines[].quantity", "must be an integer 1-999");
        *out += (int64_t)q->valuedouble;
    }
    if (count == 0)
        return refuse(m, "lines", "must not be empty");
    return 0;
}

static int read_payload(struct order_update *out, const struct message *m, const cJSON *doc)
{
    const char *text;
    int rc;

    if ((rc = read_string(&text, m, doc, "order_id")) < 0)
        return rc;
    if (uuid_parse(&out->order_id, text) < 0)
        return refuse_value(m, "order_id");
    switch (out->kind) {
    case NOTIFICATION_ORDER_PLACED:
        if ((rc = read_string(&text, m, doc, "customer")) < 0)
            return rc;
        if (customer_id_parse(&out->customer, text) < 0)
            return refuse_value(m, "customer");
        if ((rc = read_items(&out->items, m, doc)) < 0 ||
            (rc = read_string(&text, m, doc, "total")) < 0)
            return rc;
        if (money_parse(&out->total, text, NULL) < 0)
            return refuse_value(m, "total");
        return 0;
    case NOTIFICATION_ORDER_CONFIRMED: return 0;
    case NOTIFICATION_ORDER_CANCELLED:
        if ((rc = read_string(&text, m, doc, "reason")) < 0)
            return rc;
        if (strlen(text) > NOTIFICATION_REASON_MAX)
            return refuse(m, "reason", "longer than 200 bytes");
        memcpy(out->reason, text, strlen(text) + 1);
        return 0;
    }
    return refuse(m, "type", "not an order event");
}

int order_outcomes_read(struct order_update *out, const struct message *m)
{
    static const struct {
        const char *type;
        enum notification_kind kind;
    } types[] = {{"ordering.OrderPlaced", NOTIFICATION_ORDER_PLACED},
                 {"ordering.OrderConfirmed", NOTIFICATION_ORDER_CONFIRMED},
                 {"ordering.OrderCancelled", NOTIFICATION_ORDER_CANCELLED}};
    char q[TEXT_QUOTE_SIZE];
    size_t i = 0;

    memset(out, 0, sizeof *out);
    while (i < sizeof types / sizeof types[0] && strcmp(types[i].type, m->type) != 0)
        i++;
    if (i == sizeof types / sizeof types[0])
        return shop_error_set(SHOP_EINVALID, "%s is not an order event Notifications reads",
                              text_quote(q, m->type));
    if (m->schema_version != 1)
        return shop_error_set(SHOP_EINVALID, "%s schema version %d: only version 1 is understood",
                              m->type, m->schema_version);
    out->kind = types[i].kind;
    if (!m->payload)
        return refuse(m, "payload", "missing");
    cJSON *doc = cJSON_ParseWithLengthOpts(m->payload, strlen(m->payload) + 1, NULL, 1);
    int rc =
        cJSON_IsObject(doc) ? read_payload(out, m, doc) : refuse(m, "payload", "not a JSON object");
    cJSON_Delete(doc);
    if (rc < 0)
        memset(out, 0, sizeof *out);
    return rc;
}

/* ------------------------------------------------------------------ the handler */

struct order_outcomes {
    struct notification_log *log;
    struct notification_service service;
};

static int outcomes_open(void **ctx, PGconn *conn, void *arg)
{
    (void)arg;
    struct order_outcomes *h = shop_xcalloc(1, sizeof *h);
    int rc = notification_log_pg_new(&h->log, conn);
    if (rc < 0) {
        free(h);
        *ctx = NULL;
        return rc;
    }
    h->service.log = h->log;
    *ctx = h;
    return 0;
}

static void outcomes_close(void *ctx)
{
    struct order_outcomes *h = ctx;
    if (!h)
        return;
    notification_log_free(h->log);
    free(h);
}

static int outcomes_handle(void *ctx, const struct message *m)
{
    struct order_outcomes *h = ctx;
    struct order_update update;
    int rc = order_outcomes_read(&update, m);
    if (rc < 0)
        return rc;
    return notification_service_handle(&h->service, NULL, &update, &m->meta);
}

const struct subscription order_outcomes_subscription = {
    .name = ORDER_OUTCOMES_SUBSCRIBER,
    .inbox_schema = "notifications",
    .types = {"ordering.OrderPlaced", "ordering.OrderConfirmed", "ordering.OrderCancelled", NULL},
    .handle = outcomes_handle,
    .open = outcomes_open,
    .close = outcomes_close,
};
