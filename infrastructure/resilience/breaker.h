/*
 * infrastructure/resilience/breaker.h — the circuit breaker (docs/patterns/circuit-breaker.md).
 *
 * Pattern: circuit breaker (Nygard, "Release It!"), with the settings of resilience4j and
 * Polly.  A breaker stands in front of one dependency (the payment gateway, the carrier).
 * While the dependency answers, the breaker is CLOSED and only counts: each call asks for
 * a permit, runs, and reports its result.  When too many of the recent calls fail, or are
 * too slow, the breaker OPENS: calls are refused at once, without touching the dependency,
 * so a sick dependency gets time to recover and callers do not pile up behind it.  After
 * a wait it goes HALF_OPEN and lets a few probe calls through: if they go well it closes,
 * otherwise it opens again, for longer.
 *
 *     struct breaker_permit permit;
 *     if (breaker_try_acquire(b, &permit) < 0)
 *         return SHOP_EUNAVAILABLE;        // "circuit breaker payment-gateway is open"
 *     int64_t t0 = now_us();
 *     int rc = gateway_charge(...);
 *     breaker_on_result(b, permit, rc, now_us() - t0);
 *
 * Time comes only from the clock port given in the configuration (tests move a manual
 * clock; no transition ever waits on a timer: time-based transitions happen at the first
 * look after their time, a call or a metrics read).  State changes and refused calls are
 * delivered to observers through a dispatcher (application/messaging/dispatcher.h),
 * context "resilience", types "BreakerStateChanged" and "BreakerCallNotPermitted", with a
 * struct breaker_event.
 *
 * Thread safety: one breaker may be shared by any number of threads.  The state lives in
 * one atomic word, so a permit in CLOSED, METRICS_ONLY or DISABLED costs one atomic load
 * and no lock, and a refusal while OPEN a clock read and an atomic increment; recording a
 * result takes the breaker's spinlock for a few dozen instructions (no I/O, no callback,
 * no allocation inside it).  Observers run after the lock is released, in the thread
 * whose call caused the event, so they may read the breaker's metrics.  What a call
 * costs: docs/performance.md.
 * Read next: infrastructure/resilience/breaker.c, tests/unit/breaker_test.c
 */
#ifndef SHOP_INFRASTRUCTURE_RESILIENCE_BREAKER_H
#define SHOP_INFRASTRUCTURE_RESILIENCE_BREAKER_H

#include "application/messaging/dispatcher.h"
#include "application/shared/clock.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum breaker_state {
    BREAKER_CLOSED = 0,    /* calls pass and are counted */
    BREAKER_OPEN = 1,      /* calls are refused until the wait is over */
    BREAKER_HALF_OPEN = 2, /* a few probe calls pass; the others are refused */
    /* forced states: entered and left only by breaker_force / breaker_reset */
    BREAKER_DISABLED = 3,     /* calls pass, nothing is counted */
    BREAKER_FORCED_OPEN = 4,  /* every call is refused */
    BREAKER_METRICS_ONLY = 5, /* calls pass and are counted, the state never changes */
};

enum breaker_window_type {
    BREAKER_WINDOW_COUNT, /* the last window_size calls */
    BREAKER_WINDOW_TIME,  /* the calls of the last window_size seconds */
};

/* What a call's result code says about the dependency's health. */
enum breaker_outcome {
    BREAKER_SUCCESS, /* the dependency did its job (it may have said no) */
    BREAKER_FAILURE, /* the dependency failed */
    BREAKER_IGNORED, /* says nothing either way: not counted */
};

typedef enum breaker_outcome breaker_classifier(void *ctx, int rc);

/* The default classifier: 0 is a success; SHOP_EUNAVAILABLE, SHOP_EIO and SHOP_EINTERNAL
 * are failures (the dependency was unreachable, or answered nonsense); every other code is
 * an answer the dependency gave on purpose (a declined card, an unknown address) and so a
 * success: a dependency that says no promptly is healthy. */
enum breaker_outcome breaker_classify_default(void *ctx, int rc);

struct breaker_config {
    const char *name;         /* "payment-gateway": in messages, events and metrics */
    struct shop_clock *clock; /* borrowed; must outlive the breaker */

    enum breaker_window_type window_type; /* default COUNT */
    uint32_t window_size;                 /* calls or seconds; default 20 */
    uint32_t minimum_calls;               /* no decision below this many calls; default 10 */

    double failure_rate_threshold;   /* percent, open at or above; default 50 */
    double slow_call_rate_threshold; /* percent, open at or above; default 80 */
    int64_t slow_call_duration_us;   /* a call taking longer is slow; default 2 s */

    int64_t wait_in_open_us;     /* first wait in OPEN; default 10 s */
    double wait_multiplier;      /* each re-open from HALF_OPEN waits this much longer; 2 */
    int64_t max_wait_in_open_us; /* cap of the growing wait; default 120 s */

    uint32_t permitted_calls_in_half_open; /* probes; default 3 */
    int64_t max_wait_in_half_open_us;      /* re-open if undecided this long; 0: never; 30 s */

    breaker_classifier *classify; /* NULL: breaker_classify_default */
    void *classify_ctx;
    struct dispatcher *observers; /* borrowed; NULL: no events */
};

/* Fills every setting with its default (docs/patterns/circuit-breaker.md says why). */
void breaker_config_init(struct breaker_config *c, const char *name, struct shop_clock *clock);

struct breaker;

/* A new breaker in CLOSED.  SHOP_EINVALID, naming the setting, for a setting out of range.
 * The configuration is copied (the name too). */
int breaker_new(struct breaker **out, const struct breaker_config *config);
void breaker_free(struct breaker *b);

/* Permission for one call, given back through breaker_on_result. */
struct breaker_permit {
    uint32_t gate; /* the breaker's state and epoch when it was given */
};

/* 0 and a permit, or SHOP_EUNAVAILABLE ("circuit breaker payment-gateway is open") when the
 * call must not be made.  Every permit must be followed by one breaker_on_result. */
int breaker_try_acquire(struct breaker *b, struct breaker_permit *out);

/* Reports how the permitted call ended: its result code (classified by the configuration's
 * classifier) and how long it took.  A result whose permit was given before the last state
 * change is counted in the totals but decides nothing. */
void breaker_on_result(struct breaker *b, struct breaker_permit permit, int rc,
                       int64_t duration_us);

/* Forces a state: DISABLED, FORCED_OPEN and METRICS_ONLY stay until the next
 * breaker_force or breaker_reset; CLOSED, OPEN and HALF_OPEN enter that state as if it
 * had been reached (OPEN waits the current wait).  The sliding window is cleared when
 * the breaker enters CLOSED or METRICS_ONLY.  SHOP_EINVALID for a value outside the enum. */
int breaker_force(struct breaker *b, enum breaker_state state);

/* Back to CLOSED with empty windows and the first wait, whatever the state was. */
void breaker_reset(struct breaker *b);

/* ---- watching it ------------------------------------------------------------------- */

/* What observers receive (struct domain_event's `event`). */
struct breaker_event {
    const char *name;
    enum breaker_state from, to; /* equal for BreakerCallNotPermitted */
    int64_t at_us;               /* the breaker's clock */
    double failure_rate;         /* percent, the figures that decided (-1: no decision) */
    double slow_call_rate;
    uint32_t calls; /* calls those rates are over */
};

#define BREAKER_EVENT_CONTEXT       "resilience"
#define BREAKER_EVENT_STATE_CHANGED "BreakerStateChanged"
#define BREAKER_EVENT_NOT_PERMITTED "BreakerCallNotPermitted"

struct breaker_metrics {
    const char *name; /* borrowed from the breaker */
    enum breaker_state state;
    int64_t since_us; /* when it entered the state */
    /* The window the state looks at: CLOSED and METRICS_ONLY the sliding window; HALF_OPEN
     * the probes so far; OPEN and FORCED_OPEN the calls that opened it (if any). */
    double failure_rate;   /* percent; -1 below the minimum number of calls */
    double slow_call_rate; /* percent; -1 likewise */
    uint32_t calls, failed_calls, slow_calls;
    int64_t open_until_us; /* OPEN: when it will let probes through; else 0 */
    /* Since the breaker was made (reset keeps them): */
    uint64_t successful_total, failed_total, ignored_total, slow_total, not_permitted_total;
};

/* A consistent snapshot.  Applies the transitions that time has made due (OPEN ->
 * HALF_OPEN, a stuck HALF_OPEN -> OPEN) first, delivering their events. */
void breaker_metrics(struct breaker *b, struct breaker_metrics *out);

/* "CLOSED", "OPEN", "HALF_OPEN", "DISABLED", "FORCED_OPEN", "METRICS_ONLY". */
const char *breaker_state_name(enum breaker_state s);

/* Appends the Prometheus lines of n breakers, each metric's HELP and TYPE once:
 * shop_breaker_state{name,state} (1 for the current state, 0 for the others),
 * shop_breaker_failure_rate, shop_breaker_slow_call_rate (percent, -1 below the minimum),
 * shop_breaker_window_calls{name,kind="all|failed|slow"},
 * shop_breaker_calls_total{name,kind="successful|failed|ignored|not_permitted"},
 * shop_breaker_slow_calls_total, shop_breaker_state_since_seconds (Unix time). */
void breaker_write_metrics(struct breaker *const *breakers, size_t n, FILE *out);

/* A ready-made observer that writes one line per event to a FILE * (ctx), e.g.
 * "circuit breaker payment-gateway: CLOSED -> OPEN (failure rate 60.0% over 10 calls)". */
int breaker_log_observer(void *ctx, const struct domain_event *e);

#endif
