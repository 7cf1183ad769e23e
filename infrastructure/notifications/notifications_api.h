/*
 * infrastructure/notifications/notifications_api.h — the Notifications context's HTTP
 * API (a driving adapter).  `shop serve notifications`.
 *
 *   GET /notifications?customer=ID&order=ID&limit=N   200 [notifications], newest first
 * The notifications themselves are written by the context's consumer
 * (order_outcomes.h), which runs beside this API as a worker of the service.
 * Started by infrastructure/service/services.c.
 * Read next: notifications_api.c, docs/api/notifications.md
 */
#ifndef SHOP_INFRASTRUCTURE_NOTIFICATIONS_NOTIFICATIONS_API_H
#define SHOP_INFRASTRUCTURE_NOTIFICATIONS_NOTIFICATIONS_API_H

#include "infrastructure/service/service.h"

int notifications_api_open(struct service_instance *out, struct service_env *env);
void notifications_api_close(void *ctx);

#endif
