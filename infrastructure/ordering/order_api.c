/*
 * infrastructure/ordering/order_api.c — placeholder until the service is built (issue 4).
 */
#include "infrastructure/ordering/order_api.h"

#include "domain/shared/error.h"

int order_api_open(struct service_instance *out, struct service_env *env)
{
    (void)out;
    return shop_error_set(SHOP_EUNAVAILABLE, "%s: not built yet", env->name);
}

void order_api_close(void *ctx)
{
    (void)ctx;
}
