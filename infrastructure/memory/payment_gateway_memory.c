/*
 * infrastructure/memory/payment_gateway_memory.c — see payment_gateway_memory.h.
 * The port's money becomes the gateway's minor units and currency code; the ledger's
 * result becomes the port's answer through gw_result_error, the mapping the HTTP adapter
 * uses too.
 */
#include "infrastructure/memory/payment_gateway_memory.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "infrastructure/simulators/gateway_ledger.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct payment_gateway_memory {
    struct payment_gateway base; /* first: the port */
    struct gw_ledger *ledger;
    int failures_left;
    unsigned long calls;
};

static struct payment_gateway_memory *twin(struct payment_gateway *g)
{
    return (struct payment_gateway_memory *)g;
}

/* A call that reaches the gateway: false when it is to fail as if the gateway were down. */
static bool answers(struct payment_gateway_memory *m)
{
    m->calls++;
    if (m->failures_left <= 0)
        return true;
    m->failures_left--;
    shop_error_set(SHOP_EUNAVAILABLE, "payment gateway: down (in-memory twin told to fail)");
    return false;
}

static int mem_authorize(struct payment_gateway *self, struct gateway_authorization *out,
                         money amount, const char *card, const char *key)
{
    struct payment_gateway_memory *m = twin(self);
    struct gw_result r;
    memset(out, 0, sizeof *out);
    if (!answers(m))
        return SHOP_EUNAVAILABLE;
    gw_ledger_charge(m->ledger, &r, key, amount.minor, amount.currency ? amount.currency->code : "",
                     card, false);
    int rc = gw_result_error(&r);
    if (rc < 0)
        return rc;
    out->approved = r.status == 200;
    if (out->approved)
        snprintf(out->charge_id, sizeof out->charge_id, "%s", r.id);
    else
        snprintf(out->decline_reason, sizeof out->decline_reason, "%s", r.code);
    return 0;
}

static int mem_capture(struct payment_gateway *self, const char *charge_id, const char *key)
{
    struct payment_gateway_memory *m = twin(self);
    struct gw_result r;
    if (!answers(m))
        return SHOP_EUNAVAILABLE;
    gw_ledger_capture(m->ledger, &r, key, charge_id);
    return gw_result_error(&r);
}

static int mem_void(struct payment_gateway *self, const char *charge_id, const char *key)
{
    struct payment_gateway_memory *m = twin(self);
    struct gw_result r;
    if (!answers(m))
        return SHOP_EUNAVAILABLE;
    gw_ledger_void(m->ledger, &r, key, charge_id);
    return gw_result_error(&r);
}

static int mem_refund(struct payment_gateway *self, char out[PAYMENT_GATEWAY_ID_MAX + 1],
                      const char *charge_id, money amount, const char *key)
{
    struct payment_gateway_memory *m = twin(self);
    struct gw_result r;
    out[0] = '\0';
    if (!answers(m))
        return SHOP_EUNAVAILABLE;
    gw_ledger_refund(m->ledger, &r, key, charge_id, amount.minor);
    int rc = gw_result_error(&r);
    if (rc == 0)
        snprintf(out, PAYMENT_GATEWAY_ID_MAX + 1, "%s", r.id);
    return rc;
}

static void mem_free(struct payment_gateway *self)
{
    gw_ledger_free(twin(self)->ledger);
    free(self);
}

int payment_gateway_memory_new(struct payment_gateway **out)
{
    struct payment_gateway_memory *m = shop_xcalloc(1, sizeof *m);
    m->base = (struct payment_gateway){.version = PAYMENT_GATEWAY_VERSION,
                                       .authorize = mem_authorize,
                                       .capture = mem_capture,
                                       .void_charge = mem_void,
                                       .refund = mem_refund,
                                       .free = mem_free};
    m->ledger = gw_ledger_new(1);
    *out = &m->base;
    return 0;
}

void payment_gateway_memory_fail_next(struct payment_gateway *g, int n)
{
    twin(g)->failures_left = n;
}

unsigned long payment_gateway_memory_calls(const struct payment_gateway *g)
{
    return ((const struct payment_gateway_memory *)g)->calls;
}

unsigned long payment_gateway_memory_charges(const struct payment_gateway *g)
{
    return gw_ledger_counters(((const struct payment_gateway_memory *)g)->ledger)->charges;
}
