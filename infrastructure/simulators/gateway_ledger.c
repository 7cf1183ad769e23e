/*
 * infrastructure/simulators/gateway_ledger.c — see gateway_ledger.h.
 *
 * Charges and idempotency keys live in two small chained hash tables (string -> entry);
 * nothing is ever removed, as a real gateway keeps its records.  Each operation is
 *
 *     key seen before?  same request: the stored result again; other request: 409
 *     otherwise apply the rule, and remember the result under the key
 *
 * where "the same request" is a fingerprint: the operation, its target and its
 * arguments, written out as text ("charge|3750|EUR|tok_visa|0").  The HTTP simulator
 * parses JSON before it fingerprints, so key order and spaces in a body do not matter.
 * Read next: payment_gateway.c
 */
#include "infrastructure/simulators/gateway_ledger.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUCKETS 1024

enum charge_state { CHARGE_AUTHORIZED, CHARGE_CAPTURED, CHARGE_VOIDED };

struct charge {
    struct charge *next; /* in its bucket */
    char id[GW_ID_MAX + 1];
    int64_t amount;
    char currency[4];
    enum charge_state state;
    int64_t refunded;
};

struct idempotency {
    struct idempotency *next;
    char *key;
    char *fingerprint;
    struct gw_result result;
};

struct gw_ledger {
    struct charge *charges[BUCKETS];
    struct idempotency *keys[BUCKETS];
    uint64_t seed;
    uint64_t made; /* ids made so far */
    struct gw_counters counters;
};

static size_t bucket_of(const char *s)
{
    uint64_t h = UINT64_C(1469598103934665603); /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
    return (size_t)(h % BUCKETS);
}

/* splitmix64: a distinct, unguessable-looking id for each n. */
static uint64_t mix(uint64_t x)
{
    x += UINT64_C(0x9E3779B97F4A7C15);
    x = (x ^ (x >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    x = (x ^ (x >> 27)) * UINT64_C(0x94D049BB133111EB);
    return x ^ (x >> 31);
}

static void make_id(struct gw_ledger *l, char out[GW_ID_MAX + 1], const char *prefix)
{
    snprintf(out, GW_ID_MAX + 1, "%s_%016" PRIx64, prefix, mix(l->seed ^ mix(++l->made)));
}

struct gw_ledger *gw_ledger_new(uint64_t seed)
{
    struct gw_ledger *l = shop_xcalloc(1, sizeof *l);
    l->seed = seed;
    return l;
}

void gw_ledger_free(struct gw_ledger *l)
{
    if (!l)
        return;
    for (size_t b = 0; b < BUCKETS; b++) {
        for (struct charge *c = l->charges[b], *next; c; c = next) {
            next = c->next;
            free(c);
        }
        for (struct idempotency *k = l->keys[b], *next; k; k = next) {
            next = k->next;
            free(k->key);
            free(k->fingerprint);
            free(k);
        }
    }
    free(l);
}

const struct gw_counters *gw_ledger_counters(const struct gw_ledger *l)
{
    return &l->counters;
}

/* ---- results ---- */

static void fail(struct gw_result *out, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void fail(struct gw_result *out, int status, const char *code, const char *fmt, ...)
{
    va_list ap;
    *out = (struct gw_result){.status = status};
    snprintf(out->code, sizeof out->code, "%s", code);
    va_start(ap, fmt);
    vsnprintf(out->message, sizeof out->message, fmt, ap);
    va_end(ap);
}

void gw_result_invalid(struct gw_result *out, const char *message)
{
    fail(out, 400, "invalid_request", "%s", message);
}

static const char *state_name(enum charge_state s)
{
    switch (s) {
    case CHARGE_AUTHORIZED: return "authorized";
    case CHARGE_CAPTURED: return "captured";
    case CHARGE_VOIDED: return "voided";
    }
    return "unknown";
}

static void charge_result(struct gw_result *out, const struct charge *c)
{
    *out = (struct gw_result){
        .status = 200, .object = "charge", .amount = c->amount, .amount_refunded = c->refunded};
    memcpy(out->id, c->id, sizeof out->id);
    memcpy(out->currency, c->currency, sizeof out->currency);
    snprintf(out->state, sizeof out->state, "%s", state_name(c->state));
}

int gw_result_error(const struct gw_result *r)
{
    switch (r->status) {
    case 200:
    case 402: return 0;
    case 400:
        if (strcmp(r->code, "amount_too_large") == 0)
            return shop_error_set(SHOP_EREFUSED, "payment gateway: %s", r->message);
        return shop_error_set(SHOP_EINVALID, "payment gateway: %s", r->message);
    case 404: return shop_error_set(SHOP_ENOTFOUND, "payment gateway: %s", r->message);
    case 409:
        if (strcmp(r->code, "idempotency_key_in_use") == 0)
            return shop_error_set(SHOP_ECONFLICT, "payment gateway: %s", r->message);
        return shop_error_set(SHOP_EREFUSED, "payment gateway: %s", r->message);
    }
    if (r->status >= 500 || r->status == 0)
        return shop_error_set(SHOP_EUNAVAILABLE, "payment gateway: %s",
                              *r->message ? r->message : "unavailable");
    return shop_error_set(SHOP_EINTERNAL, "payment gateway answered %d: %s", r->status, r->message);
}

/* ---- lookups ---- */

static struct charge *find_charge(struct gw_ledger *l, const char *id)
{
    if (!id)
        return NULL;
    for (struct charge *c = l->charges[bucket_of(id)]; c; c = c->next)
        if (strcmp(c->id, id) == 0)
            return c;
    return NULL;
}

/*
 * The idempotency check before an operation: true when *out is already the answer (the
 * first result again, or 409 for another request under the same key).
 */
static bool answered_before(struct gw_ledger *l, struct gw_result *out, const char *key,
                            const char *fingerprint)
{
    if (!key || !*key)
        return false;
    for (struct idempotency *k = l->keys[bucket_of(key)]; k; k = k->next) {
        if (strcmp(k->key, key) != 0)
            continue;
        if (strcmp(k->fingerprint, fingerprint) != 0) {
            l->counters.key_conflicts++;
            fail(out, 409, "idempotency_key_in_use",
                 "Keys for idempotent requests can only be used with the same parameters "
                 "they were first used with.");
            return true;
        }
        l->counters.replays++;
        *out = k->result;
        out->replayed = true;
        return true;
    }
    return false;
}

static void remember(struct gw_ledger *l, const char *key, const char *fingerprint,
                     const struct gw_result *result)
{
    if (!key || !*key)
        return;
    struct idempotency *k = shop_xcalloc(1, sizeof *k);
    size_t b = bucket_of(key);
    k->key = shop_xstrdup(key);
    k->fingerprint = shop_xstrdup(fingerprint);
    k->result = *result;
    k->next = l->keys[b];
    l->keys[b] = k;
}

static bool key_too_long(struct gw_result *out, const char *key)
{
    if (key && strlen(key) > GW_KEY_MAX) {
        fail(out, 400, "invalid_request", "Idempotency-Key may be at most %d characters",
             GW_KEY_MAX);
        return true;
    }
    return false;
}

static void not_found(struct gw_result *out, const char *charge_id)
{
    fail(out, 404, "resource_missing", "No such charge: '%.40s'", charge_id ? charge_id : "");
}

/* ---- operations ---- */

static bool currency_ok(const char *c)
{
    return c && strlen(c) == 3 && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z' &&
           c[2] >= 'A' && c[2] <= 'Z';
}

void gw_ledger_charge(struct gw_ledger *l, struct gw_result *out, const char *key, int64_t amount,
                      const char *currency, const char *source, bool capture)
{
    char fingerprint[128];

    if (key_too_long(out, key))
        return;
    if (amount < 1 || amount > GW_AMOUNT_MAX) {
        fail(out, 400, "amount_invalid",
             "amount must be 1-%" PRId64 " in minor units, got %" PRId64, GW_AMOUNT_MAX, amount);
        return;
    }
    if (!currency_ok(currency)) {
        fail(out, 400, "currency_invalid", "currency must be an ISO 4217 code like EUR");
        return;
    }
    if (!source || !*source || strlen(source) > GW_SOURCE_MAX) {
        fail(out, 400, "source_invalid", "source must be a card token of 1-%d characters",
             GW_SOURCE_MAX);
        return;
    }
    snprintf(fingerprint, sizeof fingerprint, "charge|%" PRId64 "|%s|%s|%d", amount, currency,
             source, capture);
    if (answered_before(l, out, key, fingerprint))
        return;

    if (strcmp(source, "tok_chargeDeclined") == 0) {
        l->counters.declines++;
        fail(out, 402, "card_declined", "Your card was declined.");
    } else {
        struct charge *c = shop_xcalloc(1, sizeof *c);
        make_id(l, c->id, "ch");
        c->amount = amount;
        memcpy(c->currency, currency, 4);
        c->state = capture ? CHARGE_CAPTURED : CHARGE_AUTHORIZED;
        size_t b = bucket_of(c->id);
        c->next = l->charges[b];
        l->charges[b] = c;
        l->counters.charges++;
        if (capture)
            l->counters.captures++;
        charge_result(out, c);
    }
    remember(l, key, fingerprint, out);
}

void gw_ledger_capture(struct gw_ledger *l, struct gw_result *out, const char *key,
                       const char *charge_id)
{
    char fingerprint[64];

    if (key_too_long(out, key))
        return;
    snprintf(fingerprint, sizeof fingerprint, "capture|%.40s", charge_id ? charge_id : "");
    if (answered_before(l, out, key, fingerprint))
        return;
    struct charge *c = find_charge(l, charge_id);
    if (!c)
        not_found(out, charge_id);
    else if (c->state == CHARGE_VOIDED)
        fail(out, 409, "charge_voided", "Charge %s was voided and cannot be captured.", c->id);
    else {
        if (c->state == CHARGE_AUTHORIZED) { /* captured once; again is the same answer */
            c->state = CHARGE_CAPTURED;
            l->counters.captures++;
        }
        charge_result(out, c);
    }
    remember(l, key, fingerprint, out);
}

void gw_ledger_void(struct gw_ledger *l, struct gw_result *out, const char *key,
                    const char *charge_id)
{
    char fingerprint[64];

    if (key_too_long(out, key))
        return;
    snprintf(fingerprint, sizeof fingerprint, "void|%.40s", charge_id ? charge_id : "");
    if (answered_before(l, out, key, fingerprint))
        return;
    struct charge *c = find_charge(l, charge_id);
    if (!c)
        not_found(out, charge_id);
    else if (c->state == CHARGE_CAPTURED)
        fail(out, 409, "charge_captured",
             "Charge %s was captured and cannot be voided; refund it instead.", c->id);
    else {
        if (c->state == CHARGE_AUTHORIZED) {
            c->state = CHARGE_VOIDED;
            l->counters.voids++;
        }
        charge_result(out, c);
    }
    remember(l, key, fingerprint, out);
}

void gw_ledger_refund(struct gw_ledger *l, struct gw_result *out, const char *key,
                      const char *charge_id, int64_t amount)
{
    char fingerprint[96];

    if (key_too_long(out, key))
        return;
    if (amount < 1 || amount > GW_AMOUNT_MAX) {
        fail(out, 400, "amount_invalid",
             "amount must be 1-%" PRId64 " in minor units, got %" PRId64, GW_AMOUNT_MAX, amount);
        return;
    }
    snprintf(fingerprint, sizeof fingerprint, "refund|%.40s|%" PRId64, charge_id ? charge_id : "",
             amount);
    if (answered_before(l, out, key, fingerprint))
        return;
    struct charge *c = find_charge(l, charge_id);
    if (!c)
        not_found(out, charge_id);
    else if (c->state != CHARGE_CAPTURED)
        fail(out, 409, "charge_not_captured",
             "Charge %s is %s: only a captured charge is refunded.", c->id, state_name(c->state));
    else if (amount > c->amount - c->refunded)
        fail(out, 400, "amount_too_large",
             "Refund amount %" PRId64 " is greater than the %" PRId64 " left to refund on %s.",
             amount, c->amount - c->refunded, c->id);
    else {
        c->refunded += amount;
        l->counters.refunds++;
        *out = (struct gw_result){.status = 200,
                                  .object = "refund",
                                  .state = "succeeded",
                                  .amount = amount,
                                  .amount_refunded = c->refunded};
        make_id(l, out->id, "re");
        memcpy(out->currency, c->currency, sizeof out->currency);
        memcpy(out->charge, c->id, sizeof out->charge);
    }
    remember(l, key, fingerprint, out);
}

void gw_ledger_get(struct gw_ledger *l, struct gw_result *out, const char *charge_id)
{
    struct charge *c = find_charge(l, charge_id);
    if (!c) {
        not_found(out, charge_id);
        return;
    }
    charge_result(out, c);
}
