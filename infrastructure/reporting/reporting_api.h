/*
 * infrastructure/reporting/reporting_api.h — the Reporting context's HTTP API: the
 * queries of the read side (CQRS), answered from read tables only.  `shop serve reporting`.
 *
 *   GET /orders/{id}                     the order's summary, with "lag"
 *   GET /orders?customer=ID&status=S     orders, newest first
 *   GET /stock, GET /stock/{sku}         stock levels
 *   GET /reports/sales?day=YYYY-MM-DD    units and revenue of confirmed orders per SKU
 *   GET /projections                     each projection's checkpoint and lag
 * The read tables are written by the projections (projector.h), which run beside this
 * API as the service's worker.  Started by infrastructure/service/services.c.
 * Read next: reporting_api.c, docs/api/reporting.md
 */
#ifndef SHOP_INFRASTRUCTURE_REPORTING_REPORTING_API_H
#define SHOP_INFRASTRUCTURE_REPORTING_REPORTING_API_H

#include "infrastructure/service/service.h"

int reporting_api_open(struct service_instance *out, struct service_env *env);
void reporting_api_close(void *ctx);

#endif
