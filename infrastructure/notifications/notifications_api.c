/*
 * infrastructure/notifications/notifications_api.c — the Notifications context's HTTP API
 * (a driving adapter: HTTP requests in, application-service calls out).
 *
 *   GET /notifications?customer=ID&order=ID&limit=N
 *       200 [{"id", "customer", "order_id", "kind", "text", "recorded_at", "message_id"}]
 * newest first, at most limit (default 100, at most 1000); both filters optional.  A
 * filter that breaks its rule is 400 naming it (docs/api/notifications.md).  The id is a
 * string of digits (a 64-bit id), times are RFC 3339 UTC with microseconds.
 *
 * open() wires the PostgreSQL log to the application service on the connection the
 * service runs with (role shop_notifications).
 * Read next: application/notifications/notification_service.h,
 * tests/integration/notifications_api_test.c
 */
#include "infrastructure/notifications/notifications_api.h"

#include "application/notifications/notification_service.h"
#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "domain/shared/text.h"
#include "infrastructure/http/http_problem.h"
#include "infrastructure/notifications/notification_log_pg.h"
#include "infrastructure/system/time_text.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct notifications_api {
    struct notification_log *log;
    struct notification_service service;
};

static void refuse_field(struct http_exchange *x, const char *field, const char *why)
{
    char detail[SHOP_ERROR_MESSAGE_MAX + 64];
    snprintf(detail, sizeof detail, "%s: %s", field, why);
    http_reply_problem(x, 400, "invalid-input", detail);
}

/* "2024-06-10T06:13:20.000000Z" */
static void time_to_json(cJSON *doc, const char *name, int64_t us)
{
    char text[TIME_TEXT_SIZE];
    if (us <= 0 || time_text_rfc3339(text, us) < 0)
        cJSON_AddNullToObject(doc, name);
    else
        cJSON_AddStringToObject(doc, name, text);
}

static cJSON *entry_json(const struct notification_entry *e)
{
    char id[24], order[UUID_STRING_SIZE], message[UUID_STRING_SIZE];
    cJSON *doc = cJSON_CreateObject();
    snprintf(id, sizeof id, "%" PRId64, e->id);
    cJSON_AddStringToObject(doc, "id", id);
    cJSON_AddStringToObject(doc, "customer", e->n.customer.text);
    cJSON_AddStringToObject(doc, "order_id", uuid_format(order, e->n.order_id));
    cJSON_AddStringToObject(doc, "kind", notification_kind_name(e->n.kind));
    cJSON_AddStringToObject(doc, "text", e->n.text);
    time_to_json(doc, "recorded_at", e->recorded_at_us);
    cJSON_AddStringToObject(doc, "message_id", uuid_format(message, e->message_id));
    return doc;
}

static void list_handler(struct http_exchange *x, void *ctx)
{
    struct notifications_api *api = ctx;
    const char *customer_text = http_query(x, "customer");
    const char *order_text = http_query(x, "order");
    const char *limit_text = http_query(x, "limit");
    customer_id customer;
    shop_uuid order;
    int64_t limit = 0;
    struct notification_list list;

    if (customer_text && customer_id_parse(&customer, customer_text) < 0) {
        refuse_field(x, "customer", shop_error_message());
        return;
    }
    if (order_text && uuid_parse(&order, order_text) < 0) {
        refuse_field(x, "order", shop_error_message());
        return;
    }
    if (limit_text &&
        (text_parse_int64(&limit, limit_text) < 0 || limit < 1 || limit > NOTIFICATION_LIST_MAX)) {
        refuse_field(x, "limit", "must be a whole number 1-1000");
        return;
    }
    int rc = notification_service_list(&list, &api->service, customer_text ? &customer : NULL,
                                       order_text ? &order : NULL, (size_t)limit);
    if (rc < 0) {
        http_reply_error(x, rc);
        return;
    }
    cJSON *doc = cJSON_CreateArray();
    for (size_t i = 0; i < list.count; i++)
        cJSON_AddItemToArray(doc, entry_json(&list.items[i]));
    notification_list_dispose(&list);
    http_reply_json(x, 200, doc);
}

static const struct http_route routes[] = {
    {"GET", "/notifications", list_handler},
};

int notifications_api_open(struct service_instance *out, struct service_env *env)
{
    struct notifications_api *api = shop_xcalloc(1, sizeof *api);
    int rc = notification_log_pg_new(&api->log, env->db);
    if (rc < 0) {
        free(api);
        return rc;
    }
    api->service.log = api->log;
    *out = (struct service_instance){
        .routes = routes, .route_count = sizeof routes / sizeof routes[0], .ctx = api};
    return 0;
}

void notifications_api_close(void *ctx)
{
    struct notifications_api *api = ctx;
    if (!api)
        return;
    notification_log_free(api->log);
    free(api);
}
