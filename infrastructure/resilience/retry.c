/*
 * infrastructure/resilience/retry.c — see retry.h.
 *
 * The loop of retry_run, in the order its guards are checked after a failed attempt:
 * retryable? idempotent? attempts left? does the wait end before the deadline? does the
 * budget allow it?  The budget is asked last, so a retry that would not happen anyway
 * does not spend it.
 */
#include "infrastructure/resilience/retry.h"

#include "application/shared/backoff.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "infrastructure/resilience/window.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- the budget ----------------------------------------------------------------------- */

enum { REQUESTS, RETRIES };

struct retry_budget {
    pthread_mutex_t lock;
    struct retry_budget_config cfg;
    struct time_window window; /* n[REQUESTS], n[RETRIES] per second */
    uint64_t refused;
};

void retry_budget_config_init(struct retry_budget_config *c, struct shop_clock *clock)
{
    c->clock = clock;
    c->window_seconds = 10;
    c->ratio = 0.2;
    c->min_per_second = 1;
}

int retry_budget_new(struct retry_budget **out, const struct retry_budget_config *c)
{
    if (!c->clock)
        return shop_error_set(SHOP_EINVALID, "retry budget: a clock is required");
    if (c->window_seconds < 1 || c->window_seconds > 3600)
        return shop_error_set(SHOP_EINVALID, "retry budget: window_seconds must be 1-3600");
    if (!(c->ratio >= 0 && c->ratio <= 10))
        return shop_error_set(SHOP_EINVALID, "retry budget: ratio must be 0-10");
    struct retry_budget *b = shop_xcalloc(1, sizeof *b);
    b->cfg = *c;
    pthread_mutex_init(&b->lock, NULL);
    time_window_init(&b->window, c->window_seconds, shop_clock_now_us(c->clock));
    *out = b;
    return 0;
}

void retry_budget_free(struct retry_budget *b)
{
    if (!b)
        return;
    time_window_dispose(&b->window);
    pthread_mutex_destroy(&b->lock);
    free(b);
}

void retry_budget_record_request(struct retry_budget *b)
{
    static const uint32_t one_request[WINDOW_COUNTERS] = {1, 0, 0};
    int64_t now = shop_clock_now_us(b->cfg.clock);
    pthread_mutex_lock(&b->lock);
    time_window_add(&b->window, now, one_request);
    pthread_mutex_unlock(&b->lock);
}

bool retry_budget_try_spend(struct retry_budget *b)
{
    static const uint32_t one_retry[WINDOW_COUNTERS] = {0, 1, 0};
    int64_t now = shop_clock_now_us(b->cfg.clock);
    pthread_mutex_lock(&b->lock);
    time_window_advance(&b->window, now);
    double allowed = b->cfg.ratio * (double)b->window.totals.n[REQUESTS] +
                     (double)b->cfg.min_per_second * (double)b->cfg.window_seconds;
    bool ok = (double)b->window.totals.n[RETRIES] + 1.0 <= allowed;
    if (ok)
        time_window_add(&b->window, now, one_retry);
    else
        b->refused++;
    pthread_mutex_unlock(&b->lock);
    return ok;
}

void retry_budget_metrics(struct retry_budget *b, struct retry_budget_metrics *out)
{
    int64_t now = shop_clock_now_us(b->cfg.clock);
    pthread_mutex_lock(&b->lock);
    time_window_advance(&b->window, now);
    out->requests = b->window.totals.n[REQUESTS];
    out->retries = b->window.totals.n[RETRIES];
    out->refused_total = b->refused;
    pthread_mutex_unlock(&b->lock);
}

/* ---- the retry ------------------------------------------------------------------------ */

struct retry {
    struct retry_config cfg;
    char name[64];
    _Atomic uint64_t seed; /* splitmix64's state: each draw adds the gamma, atomically */
};

bool retry_retryable_default(void *ctx, int rc)
{
    (void)ctx;
    return rc == SHOP_EUNAVAILABLE || rc == SHOP_EIO;
}

void retry_config_init(struct retry_config *c, const char *name, struct shop_clock *clock)
{
    memset(c, 0, sizeof *c);
    c->name = name;
    c->clock = clock;
    c->max_attempts = 3;
    c->base_delay_us = 50000;
    c->max_delay_us = 1000000;
}

static void sleep_us(void *ctx, int64_t us)
{
    (void)ctx;
    struct timespec ts = {(time_t)(us / 1000000), (long)(us % 1000000) * 1000};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

int retry_new(struct retry **out, const struct retry_config *c)
{
    if (!c->name || !c->name[0] || strlen(c->name) > 63)
        return shop_error_set(SHOP_EINVALID, "retry name must be 1-63 characters");
    if (!c->clock)
        return shop_error_set(SHOP_EINVALID, "retry %s: a clock is required", c->name);
    if (c->max_attempts < 1 || c->max_attempts > 100)
        return shop_error_set(SHOP_EINVALID, "retry %s: max_attempts must be 1-100", c->name);
    if (c->base_delay_us < 0 || c->max_delay_us < c->base_delay_us)
        return shop_error_set(
            SHOP_EINVALID, "retry %s: delays must be 0 <= base_delay_us <= max_delay_us", c->name);
    struct retry *r = shop_xcalloc(1, sizeof *r);
    r->cfg = *c;
    strcpy(r->name, c->name);
    r->cfg.name = r->name;
    if (!r->cfg.retryable)
        r->cfg.retryable = retry_retryable_default;
    if (!r->cfg.sleep)
        r->cfg.sleep = sleep_us;
    uint64_t seed = c->seed;
    if (seed == 0) /* different processes and retries must not jitter in step */
        seed = (uint64_t)shop_clock_now_us(c->clock) ^ (uint64_t)(uintptr_t)r ^
               ((uint64_t)(uintptr_t)&seed << 32);
    atomic_init(&r->seed, seed);
    *out = r;
    return 0;
}

void retry_free(struct retry *r)
{
    free(r);
}

static int64_t next_delay(struct retry *r, unsigned n)
{
    uint64_t state =
        atomic_fetch_add_explicit(&r->seed, 0x9E3779B97F4A7C15ull, memory_order_relaxed);
    /* splitmix64 of the state this draw owns (what splitmix64() computes after its add) */
    const struct backoff b = {r->cfg.base_delay_us, r->cfg.max_delay_us};
    return backoff_delay(&b, (int)n, &state);
}

int retry_run(struct retry *r, enum retry_idempotence idempotence, const struct deadline *deadline,
              retry_operation *op, void *ctx, struct retry_report *report)
{
    struct retry_report rep = {0, 0, RETRY_STOP_SUCCEEDED};
    int rc;
    if (deadline_expired(deadline)) {
        rep.stop = RETRY_STOP_DEADLINE;
        rc = shop_error_set(SHOP_EUNAVAILABLE, "%s: deadline passed before the call", r->name);
        goto done;
    }
    if (r->cfg.budget)
        retry_budget_record_request(r->cfg.budget);
    for (;;) {
        rep.attempts++;
        rc = op(ctx, deadline);
        if (rc == 0) {
            rep.stop = RETRY_STOP_SUCCEEDED;
            break;
        }
        if (!r->cfg.retryable(r->cfg.retryable_ctx, rc)) {
            rep.stop = RETRY_STOP_NOT_RETRYABLE;
            break;
        }
        if (idempotence != RETRY_IDEMPOTENT) {
            rep.stop = RETRY_STOP_NOT_IDEMPOTENT;
            break;
        }
        if (rep.attempts >= r->cfg.max_attempts) {
            rep.stop = RETRY_STOP_ATTEMPTS;
            break;
        }
        int64_t delay = next_delay(r, rep.attempts);
        if (delay >= deadline_remaining_us(deadline)) {
            rep.stop = RETRY_STOP_DEADLINE;
            break;
        }
        if (r->cfg.budget && !retry_budget_try_spend(r->cfg.budget)) {
            rep.stop = RETRY_STOP_BUDGET;
            break;
        }
        if (delay > 0)
            r->cfg.sleep(r->cfg.sleep_ctx, delay);
        rep.waited_us += delay;
    }
done:
    if (report)
        *report = rep;
    return rc;
}
