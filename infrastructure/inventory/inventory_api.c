/*
 * infrastructure/inventory/inventory_api.c — placeholder until the service is built (issue 4).
 */
#include "infrastructure/inventory/inventory_api.h"

#include "domain/shared/error.h"

int inventory_api_open(struct service_instance *out, struct service_env *env)
{
    (void)out;
    return shop_error_set(SHOP_EUNAVAILABLE, "%s: not built yet", env->name);
}

void inventory_api_close(void *ctx)
{
    (void)ctx;
}
