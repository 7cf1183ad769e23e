/*
 * infrastructure/resilience/retry.h — retries with exponential backoff, full jitter and a
 * retry budget, inside a deadline.
 *
 * Pattern: retry (with the two guards that keep it from doing harm).
 *   - Backoff with full jitter: retry n waits a random time in [0, min(cap, base × 2^(n-1))]
 *     (AWS Architecture Blog, "Exponential Backoff And Jitter"), so clients that failed
 *     together do not come back together.
 *   - A retry budget (Finagle's RetryBudget; Envoy's and gRPC's retry throttling): over a
 *     sliding window, retries may be at most `ratio` of the requests plus a small floor
 *     per second.  When a dependency is down, every request fails and, without a budget,
 *     every failure multiplies into max_attempts calls: the retries become a storm that
 *     keeps it down.  With a budget of 20%, load on a dead dependency grows by 20% at
 *     most.  The budget is shared by all the callers of one dependency.
 *   - Only an operation the caller marks idempotent is retried: charging a card twice
 *     because the first answer was lost is worse than a failed call.  (The payment
 *     gateway's requests carry an idempotency key: that is what makes them idempotent.)
 *   - The deadline (deadline.h) bounds the whole: no retry starts unless its wait ends
 *     before the deadline, and each attempt receives the deadline to pass down.
 *
 *     int rc = retry_run(r, RETRY_IDEMPOTENT, &deadline, charge_card, &request, NULL);
 *
 * Time comes from the clock port; waiting goes through a sleep function the caller may
 * replace (tests advance a manual clock instead of sleeping).
 * Thread safety: a retry and a budget may be shared by any number of threads.
 * The waits are application/shared/backoff.h's, in microseconds: the same full-jitter
 * backoff as the bus consumer's retries.
 * Read next: infrastructure/resilience/retry.c, tests/unit/retry_test.c
 */
#ifndef SHOP_INFRASTRUCTURE_RESILIENCE_RETRY_H
#define SHOP_INFRASTRUCTURE_RESILIENCE_RETRY_H

#include "application/shared/clock.h"
#include "infrastructure/resilience/deadline.h"

#include <stdbool.h>
#include <stdint.h>

/* ---- the retry budget ----------------------------------------------------------------- */

struct retry_budget_config {
    struct shop_clock *clock; /* borrowed */
    uint32_t window_seconds;  /* how far back requests and retries count; default 10 */
    double ratio;             /* retries per request allowed; default 0.2 */
    uint32_t min_per_second;  /* retries allowed anyway, per second of window; default 1 */
};

void retry_budget_config_init(struct retry_budget_config *c, struct shop_clock *clock);

struct retry_budget;

int retry_budget_new(struct retry_budget **out, const struct retry_budget_config *config);
void retry_budget_free(struct retry_budget *b);

/* A first attempt was made (retries are not requests). */
void retry_budget_record_request(struct retry_budget *b);

/* True, and the retry counted, if one more retry fits:
 *     retries in the window + 1 <= ratio × requests in the window + min_per_second × window */
bool retry_budget_try_spend(struct retry_budget *b);

struct retry_budget_metrics {
    uint32_t requests, retries; /* in the window */
    uint64_t refused_total;     /* retries the budget refused */
};
void retry_budget_metrics(struct retry_budget *b, struct retry_budget_metrics *out);

/* ---- the retry ------------------------------------------------------------------------ */

typedef bool retry_retryable_fn(void *ctx, int rc);
typedef void retry_sleep_fn(void *ctx, int64_t us);

/* The default: SHOP_EUNAVAILABLE and SHOP_EIO may pass if tried again; nothing else will
 * (a refusal or an invalid request is the same the second time; SHOP_EINTERNAL is a bug). */
bool retry_retryable_default(void *ctx, int rc);

struct retry_config {
    const char *name;              /* "carrier": in messages */
    struct shop_clock *clock;      /* borrowed */
    unsigned max_attempts;         /* the first included; default 3 */
    int64_t base_delay_us;         /* default 50 ms */
    int64_t max_delay_us;          /* default 1 s */
    retry_retryable_fn *retryable; /* NULL: retry_retryable_default */
    void *retryable_ctx;
    struct retry_budget *budget; /* borrowed; NULL: no budget */
    retry_sleep_fn *sleep;       /* NULL: nanosleep */
    void *sleep_ctx;
    uint64_t seed; /* of the jitter; 0: from the clock and the retry's address */
};

void retry_config_init(struct retry_config *c, const char *name, struct shop_clock *clock);

struct retry;

int retry_new(struct retry **out, const struct retry_config *config);
void retry_free(struct retry *r);

enum retry_idempotence { RETRY_NOT_IDEMPOTENT, RETRY_IDEMPOTENT };

/* One attempt: 0 or a SHOP_E* code with its message set.  `deadline` is the caller's: pass
 * it on (deadline_remaining_us) to whatever the attempt waits for. */
typedef int retry_operation(void *ctx, const struct deadline *deadline);

/* Why retry_run stopped. */
enum retry_stop {
    RETRY_STOP_SUCCEEDED,
    RETRY_STOP_NOT_RETRYABLE,  /* the error would not change */
    RETRY_STOP_NOT_IDEMPOTENT, /* it might, but trying again is not safe */
    RETRY_STOP_ATTEMPTS,       /* max_attempts made */
    RETRY_STOP_DEADLINE,       /* the next wait would end past the deadline */
    RETRY_STOP_BUDGET,         /* the budget refused the retry */
};

struct retry_report {
    unsigned attempts;
    int64_t waited_us;
    enum retry_stop stop;
};

/* Runs op until it succeeds or one of the reasons above stops it; returns the last
 * attempt's code with its message.  If the deadline has passed before the first attempt:
 * SHOP_EUNAVAILABLE, "NAME: deadline passed before the call", op not run.  report may be
 * NULL. */
int retry_run(struct retry *r, enum retry_idempotence idempotence, const struct deadline *deadline,
              retry_operation *op, void *ctx, struct retry_report *report);

#endif
