/*
 * infrastructure/payments/payment_api.c — placeholder until the service is built (issue 4).
 */
#include "infrastructure/payments/payment_api.h"

#include "domain/shared/error.h"

int payment_api_open(struct service_instance *out, struct service_env *env)
{
    (void)out;
    return shop_error_set(SHOP_EUNAVAILABLE, "%s: not built yet", env->name);
}

void payment_api_close(void *ctx)
{
    (void)ctx;
}
