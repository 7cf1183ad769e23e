/*
 * infrastructure/shipping/shipping_api.c — placeholder until the service is built (issue 4).
 */
#include "infrastructure/shipping/shipping_api.h"

#include "domain/shared/error.h"

int shipping_api_open(struct service_instance *out, struct service_env *env)
{
    (void)out;
    return shop_error_set(SHOP_EUNAVAILABLE, "%s: not built yet", env->name);
}

void shipping_api_close(void *ctx)
{
    (void)ctx;
}
