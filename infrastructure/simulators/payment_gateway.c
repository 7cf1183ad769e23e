/*
 * infrastructure/simulators/payment_gateway.c — placeholder until the service is built (issue 4).
 */
#include "infrastructure/simulators/payment_gateway.h"

#include "domain/shared/error.h"

int payment_gateway_open(struct service_instance *out, struct service_env *env)
{
    (void)out;
    return shop_error_set(SHOP_EUNAVAILABLE, "%s: not built yet", env->name);
}

void payment_gateway_close(void *ctx)
{
    (void)ctx;
}
