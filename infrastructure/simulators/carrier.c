/*
 * infrastructure/simulators/carrier.c — placeholder until the service is built (issue 4).
 */
#include "infrastructure/simulators/carrier.h"

#include "domain/shared/error.h"

int carrier_open(struct service_instance *out, struct service_env *env)
{
    (void)out;
    return shop_error_set(SHOP_EUNAVAILABLE, "%s: not built yet", env->name);
}

void carrier_close(void *ctx)
{
    (void)ctx;
}
