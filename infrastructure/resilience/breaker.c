/*
 * infrastructure/resilience/breaker.c — see breaker.h.
 *
 * How it is built:
 *   - The state and an epoch share one atomic word, the gate (epoch << 3 | state).  A
 *     permit carries the gate it was given under; every transition bumps the epoch, so a
 *     result that comes back after the state changed is recognised (its permit's gate is
 *     not the breaker's) and decides nothing.  This is also what keeps HALF_OPEN to its
 *     probes: a call let through in CLOSED cannot count as a probe.
 *   - The closed path: breaker_try_acquire reads the gate and returns; breaker_on_result
 *     classifies, locks, records in the window (window.h: O(1)), compares with the
 *     thresholds only once the minimum number of calls is there, unlocks.
 *   - Everything else (OPEN, HALF_OPEN, FORCED_OPEN) goes through the mutex and reads the
 *     clock: that is where time-based transitions happen, lazily.
 *   - Events are collected under the mutex and delivered after it is released.
 * Read next: tests/unit/breaker_test.c, docs/patterns/circuit-breaker.md
 */
#include "infrastructure/resilience/breaker.h"

#include "domain/shared/error.h"
#include "domain/shared/memory.h"
#include "infrastructure/resilience/window.h"

#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_LEN 63
#define STATE_BITS   3u
#define STATE_MASK   7u

struct breaker {
    _Atomic uint32_t gate;         /* epoch << STATE_BITS | state */
    _Atomic int64_t open_until_us; /* OPEN: refusals before it need no lock */
    _Atomic uint64_t not_permitted;
    atomic_bool locked; /* the spinlock guarding everything below */
    struct breaker_config cfg;
    char name[NAME_MAX_LEN + 1];
    uint32_t minimum_calls; /* effective: a count window never holds more than its size */

    struct count_window calls_by_count;
    struct time_window calls_by_time;

    char open_message[NAME_MAX_LEN + 32]; /* "circuit breaker NAME is open" */
    int64_t since_us;
    int64_t next_wait_us; /* the wait of the next OPEN: grows on each re-open */

    uint32_t probes_out, probes_recorded, probes_failed, probes_slow; /* HALF_OPEN */
    struct window_totals decided; /* the calls that opened it (OPEN, FORCED_OPEN) */

    uint64_t successful, failed, ignored, slow;
};

/* The lock: a spinlock rather than a mutex, because every critical section here is a few
 * dozen instructions with no call out (no I/O, no observer, no allocation), and taking it
 * is then one atomic exchange and releasing it one store: half of what an uncontended
 * pthread mutex costs, on the path every call takes.  A waiter spins politely (pause) and
 * yields the CPU if the holder was preempted. */
__attribute__((noinline)) static void lock_contended(struct breaker *b)
{
    do {
        for (unsigned spins = 0; atomic_load_explicit(&b->locked, memory_order_relaxed);) {
#if defined(__x86_64__) || defined(__i386__)
            __builtin_ia32_pause();
#endif
            if (++spins % 64 == 0)
                sched_yield();
        }
    } while (atomic_exchange_explicit(&b->locked, true, memory_order_acquire));
}

static inline void lock(struct breaker *b)
{
    if (atomic_exchange_explicit(&b->locked, true, memory_order_acquire))
        lock_contended(b);
}

static inline void unlock(struct breaker *b)
{
    atomic_store_explicit(&b->locked, false, memory_order_release);
}

/* Events of one operation, delivered after the mutex is released. */
struct pending {
    struct breaker_event events[4];
    const char *types[4];
    int n;
};

static const char *const state_names[] = {"CLOSED",   "OPEN",        "HALF_OPEN",
                                          "DISABLED", "FORCED_OPEN", "METRICS_ONLY"};
static const char *const state_labels[] = {"closed",   "open",        "half_open",
                                           "disabled", "forced_open", "metrics_only"};

const char *breaker_state_name(enum breaker_state s)
{
    return (unsigned)s <= BREAKER_METRICS_ONLY ? state_names[s] : "UNKNOWN";
}

enum breaker_outcome breaker_classify_default(void *ctx, int rc)
{
    (void)ctx;
    if (rc == 0)
        return BREAKER_SUCCESS;
    if (rc == SHOP_EUNAVAILABLE || rc == SHOP_EIO || rc == SHOP_EINTERNAL)
        return BREAKER_FAILURE;
    return BREAKER_SUCCESS;
}

void breaker_config_init(struct breaker_config *c, const char *name, struct shop_clock *clock)
{
    memset(c, 0, sizeof *c);
    c->name = name;
    c->clock = clock;
    c->window_type = BREAKER_WINDOW_COUNT;
    c->window_size = 20;
    c->minimum_calls = 10;
    c->failure_rate_threshold = 50.0;
    c->slow_call_rate_threshold = 80.0;
    c->slow_call_duration_us = 2000000;
    c->wait_in_open_us = 10000000;
    c->wait_multiplier = 2.0;
    c->max_wait_in_open_us = 120000000;
    c->permitted_calls_in_half_open = 3;
    c->max_wait_in_half_open_us = 30000000;
}

static int invalid(const char *name, const char *what)
{
    return shop_error_set(SHOP_EINVALID, "circuit breaker %s: %s", name ? name : "(unnamed)", what);
}

static int check_config(const struct breaker_config *c)
{
    if (!c->name || !c->name[0] || strlen(c->name) > NAME_MAX_LEN)
        return invalid(c->name, "name must be 1-63 characters");
    if (!c->clock)
        return invalid(c->name, "a clock is required");
    if (c->window_type != BREAKER_WINDOW_COUNT && c->window_type != BREAKER_WINDOW_TIME)
        return invalid(c->name, "window_type must be COUNT or TIME");
    if (c->window_size < 1 || c->window_size > 100000)
        return invalid(c->name, "window_size must be 1-100000");
    if (c->minimum_calls < 1)
        return invalid(c->name, "minimum_calls must be at least 1");
    if (!(c->failure_rate_threshold > 0 && c->failure_rate_threshold <= 100))
        return invalid(c->name, "failure_rate_threshold must be in (0, 100]");
    if (!(c->slow_call_rate_threshold > 0 && c->slow_call_rate_threshold <= 100))
        return invalid(c->name, "slow_call_rate_threshold must be in (0, 100]");
    if (c->slow_call_duration_us < 1)
        return invalid(c->name, "slow_call_duration_us must be positive");
    if (c->wait_in_open_us < 1)
        return invalid(c->name, "wait_in_open_us must be positive");
    if (!(c->wait_multiplier >= 1.0 && c->wait_multiplier <= 100.0))
        return invalid(c->name, "wait_multiplier must be 1-100");
    if (c->max_wait_in_open_us < c->wait_in_open_us)
        return invalid(c->name, "max_wait_in_open_us must be at least wait_in_open_us");
    if (c->permitted_calls_in_half_open < 1)
        return invalid(c->name, "permitted_calls_in_half_open must be at least 1");
    if (c->max_wait_in_half_open_us < 0)
        return invalid(c->name, "max_wait_in_half_open_us must be 0 (no limit) or positive");
    return 0;
}

int breaker_new(struct breaker **out, const struct breaker_config *config)
{
    int rc = check_config(config);
    if (rc < 0)
        return rc;
    struct breaker *b = shop_xcalloc(1, sizeof *b);
    b->cfg = *config;
    strcpy(b->name, config->name);
    b->cfg.name = b->name;
    if (!b->cfg.classify)
        b->cfg.classify = breaker_classify_default;
    b->minimum_calls = config->minimum_calls;
    if (config->window_type == BREAKER_WINDOW_COUNT && b->minimum_calls > config->window_size)
        b->minimum_calls = config->window_size;
    int64_t now = shop_clock_now_us(config->clock);
    if (config->window_type == BREAKER_WINDOW_COUNT)
        count_window_init(&b->calls_by_count, config->window_size);
    else
        time_window_init(&b->calls_by_time, config->window_size, now);
    atomic_init(&b->locked, false);
    atomic_init(&b->open_until_us, 0);
    atomic_init(&b->not_permitted, 0);
    snprintf(b->open_message, sizeof b->open_message, "circuit breaker %s is open", b->name);
    b->since_us = now;
    b->next_wait_us = config->wait_in_open_us;
    atomic_init(&b->gate, (uint32_t)BREAKER_CLOSED);
    *out = b;
    return 0;
}

void breaker_free(struct breaker *b)
{
    if (!b)
        return;
    count_window_dispose(&b->calls_by_count);
    time_window_dispose(&b->calls_by_time);
    free(b);
}

/* ---- under the mutex ---------------------------------------------------------------- */

static enum breaker_state state_of(uint32_t gate)
{
    return (enum breaker_state)(gate & STATE_MASK);
}

static const struct window_totals *window(struct breaker *b)
{
    return b->cfg.window_type == BREAKER_WINDOW_COUNT ? &b->calls_by_count.totals
                                                      : &b->calls_by_time.totals;
}

static void clear_window(struct breaker *b, int64_t now)
{
    if (b->cfg.window_type == BREAKER_WINDOW_COUNT)
        count_window_clear(&b->calls_by_count);
    else
        time_window_clear(&b->calls_by_time, now);
}

static double rate(uint32_t part, uint32_t calls, uint32_t minimum)
{
    if (calls == 0 || calls < minimum)
        return -1.0;
    return 100.0 * (double)part / (double)calls;
}

/* At or above a threshold: resilience4j's rule, in integers times 100 so that 5 failures
 * of 10 calls at 50% is exactly "at". */
static bool trips(const struct breaker *b, uint32_t calls, uint32_t failed, uint32_t slow)
{
    return (double)failed * 100.0 >= b->cfg.failure_rate_threshold * (double)calls ||
           (double)slow * 100.0 >= b->cfg.slow_call_rate_threshold * (double)calls;
}

static void push(struct pending *p, const char *type, const struct breaker_event *e)
{
    if (p->n < (int)(sizeof p->events / sizeof p->events[0])) {
        p->types[p->n] = type;
        p->events[p->n++] = *e;
    }
}

/* Enters `to` at `now`.  `decided` (may be NULL) are the calls that made the decision. */
static void enter(struct breaker *b, enum breaker_state to, int64_t now,
                  const struct window_totals *decided, uint32_t decided_minimum, struct pending *p)
{
    uint32_t gate = atomic_load_explicit(&b->gate, memory_order_relaxed);
    enum breaker_state from = state_of(gate);
    b->since_us = now;
    memset(&b->decided, 0, sizeof b->decided);
    switch (to) {
    case BREAKER_CLOSED:
        clear_window(b, now);
        b->next_wait_us = b->cfg.wait_in_open_us;
        break;
    case BREAKER_METRICS_ONLY: clear_window(b, now); break;
    case BREAKER_OPEN: {
        atomic_store_explicit(&b->open_until_us, now + b->next_wait_us, memory_order_relaxed);
        double grown = (double)b->next_wait_us * b->cfg.wait_multiplier;
        b->next_wait_us = grown >= (double)b->cfg.max_wait_in_open_us ? b->cfg.max_wait_in_open_us
                                                                      : (int64_t)grown;
        break;
    }
    case BREAKER_HALF_OPEN:
        b->probes_out = b->probes_recorded = b->probes_failed = b->probes_slow = 0;
        break;
    case BREAKER_DISABLED:
    case BREAKER_FORCED_OPEN: break;
    }
    if (decided)
        b->decided = *decided;
    uint32_t next = ((gate >> STATE_BITS) + 1u) << STATE_BITS | (uint32_t)to;
    atomic_store_explicit(&b->gate, next, memory_order_release);
    if (from != to) {
        struct breaker_event e = {.name = b->name,
                                  .from = from,
                                  .to = to,
                                  .at_us = now,
                                  .failure_rate = -1,
                                  .slow_call_rate = -1};
        if (decided) {
            e.calls = decided->n[0];
            e.failure_rate = rate(decided->n[1], decided->n[0], decided_minimum);
            e.slow_call_rate = rate(decided->n[2], decided->n[0], decided_minimum);
        }
        push(p, BREAKER_EVENT_STATE_CHANGED, &e);
    }
}

static struct window_totals probes(const struct breaker *b)
{
    struct window_totals t = {{b->probes_recorded, b->probes_failed, b->probes_slow}};
    return t;
}

/* The transitions time makes due: the end of the wait in OPEN, a stuck HALF_OPEN. */
static void advance(struct breaker *b, int64_t now, struct pending *p)
{
    enum breaker_state s = state_of(atomic_load_explicit(&b->gate, memory_order_relaxed));
    if (s == BREAKER_OPEN && now >= atomic_load_explicit(&b->open_until_us, memory_order_relaxed)) {
        enter(b, BREAKER_HALF_OPEN, now, NULL, 0, p);
    } else if (s == BREAKER_HALF_OPEN && b->cfg.max_wait_in_half_open_us > 0 &&
               now - b->since_us >= b->cfg.max_wait_in_half_open_us) {
        struct window_totals t = probes(b);
        enter(b, BREAKER_OPEN, now, &t, b->cfg.permitted_calls_in_half_open, p);
    }
}

/* ---- after the mutex ---------------------------------------------------------------- */

static void deliver_all(struct breaker *b, struct pending *p)
{
    /* an observer may set this thread's error message; the caller's must survive */
    int code = shop_error_code();
    char saved[SHOP_ERROR_MESSAGE_MAX];
    strcpy(saved, shop_error_message());
    for (int i = 0; i < p->n; i++) {
        struct domain_event e = {.context = BREAKER_EVENT_CONTEXT,
                                 .type = p->types[i],
                                 .event = &p->events[i],
                                 .meta = NULL};
        dispatcher_dispatch(b->cfg.observers, &e);
    }
    if (code != SHOP_OK)
        shop_error_set(code, "%s", saved);
    else
        shop_error_clear();
}

static inline void deliver(struct breaker *b, struct pending *p)
{
    if (p->n > 0 && b->cfg.observers)
        deliver_all(b, p);
}

/* ---- the calls ---------------------------------------------------------------------- */

static int acquire_slow(struct breaker *b, struct breaker_permit *out)
{
    struct pending p;
    p.n = 0;
    int64_t now = shop_clock_now_us(b->cfg.clock);
    bool permitted = false;
    uint32_t probes_allowed = b->cfg.permitted_calls_in_half_open;

    lock(b);
    advance(b, now, &p);
    uint32_t gate = atomic_load_explicit(&b->gate, memory_order_relaxed);
    enum breaker_state s = state_of(gate);
    switch (s) {
    case BREAKER_CLOSED:
    case BREAKER_METRICS_ONLY:
    case BREAKER_DISABLED: permitted = true; break;
    case BREAKER_HALF_OPEN:
        if (b->probes_out + b->probes_recorded < probes_allowed) {
            b->probes_out++;
            permitted = true;
        }
        break;
    case BREAKER_OPEN:
    case BREAKER_FORCED_OPEN: break;
    }
    if (permitted) {
        out->gate = gate;
    } else {
        atomic_fetch_add_explicit(&b->not_permitted, 1, memory_order_relaxed);
        struct breaker_event e = {.name = b->name,
                                  .from = s,
                                  .to = s,
                                  .at_us = now,
                                  .failure_rate = -1,
                                  .slow_call_rate = -1};
        push(&p, BREAKER_EVENT_NOT_PERMITTED, &e);
    }
    unlock(b);

    deliver(b, &p);
    if (permitted)
        return 0;
    switch (s) {
    case BREAKER_FORCED_OPEN:
        return shop_error_set(SHOP_EUNAVAILABLE, "circuit breaker %s is forced open", b->name);
    case BREAKER_HALF_OPEN:
        return shop_error_set(SHOP_EUNAVAILABLE,
                              "circuit breaker %s is half-open and its %u probe calls are taken",
                              b->name, (unsigned)probes_allowed);
    default: return shop_error_set(SHOP_EUNAVAILABLE, "%s", b->open_message);
    }
}

/* OPEN before its time: refused without the lock (the wait cannot be over). */
static int refuse_open(struct breaker *b, int64_t now)
{
    atomic_fetch_add_explicit(&b->not_permitted, 1, memory_order_relaxed);
    if (b->cfg.observers) {
        struct pending p;
        p.n = 0;
        struct breaker_event e = {.name = b->name,
                                  .from = BREAKER_OPEN,
                                  .to = BREAKER_OPEN,
                                  .at_us = now,
                                  .failure_rate = -1,
                                  .slow_call_rate = -1};
        push(&p, BREAKER_EVENT_NOT_PERMITTED, &e);
        deliver(b, &p);
    }
    return shop_error_set(SHOP_EUNAVAILABLE, "%s", b->open_message);
}

int breaker_try_acquire(struct breaker *b, struct breaker_permit *out)
{
    uint32_t gate = atomic_load_explicit(&b->gate, memory_order_acquire);
    enum breaker_state s = state_of(gate);
    if (s == BREAKER_CLOSED || s == BREAKER_METRICS_ONLY || s == BREAKER_DISABLED) {
        out->gate = gate;
        return 0;
    }
    if (s == BREAKER_OPEN) {
        int64_t now = shop_clock_now_us(b->cfg.clock);
        if (now < atomic_load_explicit(&b->open_until_us, memory_order_relaxed))
            return refuse_open(b, now);
    }
    return acquire_slow(b, out);
}

void breaker_on_result(struct breaker *b, struct breaker_permit permit, int rc, int64_t duration_us)
{
    enum breaker_state s = state_of(permit.gate);
    if (s == BREAKER_DISABLED)
        return;
    enum breaker_outcome outcome = b->cfg.classify == breaker_classify_default
                                       ? breaker_classify_default(NULL, rc)
                                       : b->cfg.classify(b->cfg.classify_ctx, rc);
    bool failed = outcome == BREAKER_FAILURE;
    bool slow = outcome != BREAKER_IGNORED && duration_us > b->cfg.slow_call_duration_us;
    bool timed = b->cfg.window_type == BREAKER_WINDOW_TIME || s == BREAKER_HALF_OPEN;
    int64_t now = timed ? shop_clock_now_us(b->cfg.clock) : 0;
    struct pending p;
    p.n = 0; /* not zeroed whole: 200 bytes on every call */

    lock(b);
    if (outcome == BREAKER_IGNORED)
        b->ignored++;
    else if (failed)
        b->failed++;
    else
        b->successful++;
    b->slow += slow;
    if (s == BREAKER_HALF_OPEN)
        advance(b, now, &p); /* a probe back after the maximum wait decides nothing */
    if (atomic_load_explicit(&b->gate, memory_order_relaxed) != permit.gate)
        goto done;

    if (s == BREAKER_HALF_OPEN) {
        b->probes_out--;
        if (outcome == BREAKER_IGNORED)
            goto done; /* its place goes to another probe */
        b->probes_recorded++;
        b->probes_failed += failed;
        b->probes_slow += slow;
        if (b->probes_recorded == b->cfg.permitted_calls_in_half_open) {
            struct window_totals t = probes(b);
            bool bad = trips(b, t.n[0], t.n[1], t.n[2]);
            enter(b, bad ? BREAKER_OPEN : BREAKER_CLOSED, now, &t,
                  b->cfg.permitted_calls_in_half_open, &p);
        }
        goto done;
    }
    if (outcome == BREAKER_IGNORED) /* CLOSED or METRICS_ONLY from here on */
        goto done;
    unsigned flags = (unsigned)failed | (unsigned)slow << 1;
    if (b->cfg.window_type == BREAKER_WINDOW_COUNT) {
        count_window_record(&b->calls_by_count, flags);
    } else {
        uint32_t add[WINDOW_COUNTERS] = {1, failed, slow};
        time_window_add(&b->calls_by_time, now, add);
    }
    if (s == BREAKER_CLOSED) {
        const struct window_totals *t = window(b);
        if (t->n[0] >= b->minimum_calls && trips(b, t->n[0], t->n[1], t->n[2])) {
            struct window_totals decided = *t;
            if (!timed)
                now = shop_clock_now_us(b->cfg.clock);
            enter(b, BREAKER_OPEN, now, &decided, b->minimum_calls, &p);
        }
    }
done:
    unlock(b);
    deliver(b, &p);
}

int breaker_force(struct breaker *b, enum breaker_state state)
{
    if ((unsigned)state > BREAKER_METRICS_ONLY)
        return shop_error_set(SHOP_EINVALID, "circuit breaker %s: no state %d", b->name,
                              (int)state);
    struct pending p;
    p.n = 0;
    int64_t now = shop_clock_now_us(b->cfg.clock);
    lock(b);
    enum breaker_state from = state_of(atomic_load_explicit(&b->gate, memory_order_relaxed));
    if (from != state)
        enter(b, state, now, NULL, 0, &p);
    unlock(b);
    deliver(b, &p);
    return 0;
}

void breaker_reset(struct breaker *b)
{
    struct pending p;
    p.n = 0;
    int64_t now = shop_clock_now_us(b->cfg.clock);
    lock(b);
    enter(b, BREAKER_CLOSED, now, NULL, 0, &p);
    unlock(b);
    deliver(b, &p);
}

void breaker_metrics(struct breaker *b, struct breaker_metrics *out)
{
    struct pending p;
    p.n = 0;
    int64_t now = shop_clock_now_us(b->cfg.clock);
    lock(b);
    advance(b, now, &p);
    enum breaker_state s = state_of(atomic_load_explicit(&b->gate, memory_order_relaxed));
    memset(out, 0, sizeof *out);
    out->name = b->name;
    out->state = s;
    out->since_us = b->since_us;
    struct window_totals t;
    uint32_t minimum = b->minimum_calls;
    switch (s) {
    case BREAKER_DISABLED: memset(&t, 0, sizeof t); break;
    case BREAKER_CLOSED:
    case BREAKER_METRICS_ONLY:
        if (b->cfg.window_type == BREAKER_WINDOW_TIME)
            time_window_advance(&b->calls_by_time, now);
        t = *window(b);
        break;
    case BREAKER_HALF_OPEN:
        t = probes(b);
        minimum = b->cfg.permitted_calls_in_half_open;
        break;
    default: /* OPEN, FORCED_OPEN */
        t = b->decided;
        if (s == BREAKER_OPEN)
            out->open_until_us = atomic_load_explicit(&b->open_until_us, memory_order_relaxed);
        break;
    }
    out->calls = t.n[0];
    out->failed_calls = t.n[1];
    out->slow_calls = t.n[2];
    out->failure_rate = rate(t.n[1], t.n[0], minimum);
    out->slow_call_rate = rate(t.n[2], t.n[0], minimum);
    out->successful_total = b->successful;
    out->failed_total = b->failed;
    out->ignored_total = b->ignored;
    out->slow_total = b->slow;
    out->not_permitted_total = atomic_load_explicit(&b->not_permitted, memory_order_relaxed);
    unlock(b);
    deliver(b, &p);
}

void breaker_write_metrics(struct breaker *const *breakers, size_t n, FILE *out)
{
    struct breaker_metrics *m = shop_xcalloc(n ? n : 1, sizeof *m);
    for (size_t i = 0; i < n; i++)
        breaker_metrics(breakers[i], &m[i]);

    fputs("# HELP shop_breaker_state 1 for the circuit breaker's current state.\n"
          "# TYPE shop_breaker_state gauge\n",
          out);
    for (size_t i = 0; i < n; i++)
        for (int s = BREAKER_CLOSED; s <= BREAKER_METRICS_ONLY; s++)
            fprintf(out, "shop_breaker_state{name=\"%s\",state=\"%s\"} %d\n", m[i].name,
                    state_labels[s], m[i].state == (enum breaker_state)s);
    fputs("# HELP shop_breaker_failure_rate Percent of failed calls in the window "
          "(-1: fewer than the minimum).\n# TYPE shop_breaker_failure_rate gauge\n",
          out);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "shop_breaker_failure_rate{name=\"%s\"} %.2f\n", m[i].name, m[i].failure_rate);
    fputs("# HELP shop_breaker_slow_call_rate Percent of slow calls in the window "
          "(-1: fewer than the minimum).\n# TYPE shop_breaker_slow_call_rate gauge\n",
          out);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "shop_breaker_slow_call_rate{name=\"%s\"} %.2f\n", m[i].name,
                m[i].slow_call_rate);
    fputs("# HELP shop_breaker_window_calls Calls in the window the state decides on.\n"
          "# TYPE shop_breaker_window_calls gauge\n",
          out);
    for (size_t i = 0; i < n; i++)
        fprintf(out,
                "shop_breaker_window_calls{name=\"%s\",kind=\"all\"} %u\n"
                "shop_breaker_window_calls{name=\"%s\",kind=\"failed\"} %u\n"
                "shop_breaker_window_calls{name=\"%s\",kind=\"slow\"} %u\n",
                m[i].name, m[i].calls, m[i].name, m[i].failed_calls, m[i].name, m[i].slow_calls);
    fputs("# HELP shop_breaker_calls_total Calls through the breaker, by outcome.\n"
          "# TYPE shop_breaker_calls_total counter\n",
          out);
    for (size_t i = 0; i < n; i++)
        fprintf(out,
                "shop_breaker_calls_total{name=\"%s\",kind=\"successful\"} %llu\n"
                "shop_breaker_calls_total{name=\"%s\",kind=\"failed\"} %llu\n"
                "shop_breaker_calls_total{name=\"%s\",kind=\"ignored\"} %llu\n"
                "shop_breaker_calls_total{name=\"%s\",kind=\"not_permitted\"} %llu\n",
                m[i].name, (unsigned long long)m[i].successful_total, m[i].name,
                (unsigned long long)m[i].failed_total, m[i].name,
                (unsigned long long)m[i].ignored_total, m[i].name,
                (unsigned long long)m[i].not_permitted_total);
    fputs("# HELP shop_breaker_slow_calls_total Calls slower than the slow-call duration.\n"
          "# TYPE shop_breaker_slow_calls_total counter\n",
          out);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "shop_breaker_slow_calls_total{name=\"%s\"} %llu\n", m[i].name,
                (unsigned long long)m[i].slow_total);
    fputs("# HELP shop_breaker_state_since_seconds When the breaker entered its state (Unix "
          "time).\n# TYPE shop_breaker_state_since_seconds gauge\n",
          out);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "shop_breaker_state_since_seconds{name=\"%s\"} %.6f\n", m[i].name,
                (double)m[i].since_us / 1e6);
    free(m);
}

int breaker_log_observer(void *ctx, const struct domain_event *e)
{
    FILE *out = ctx;
    const struct breaker_event *be = e->event;
    if (strcmp(e->type, BREAKER_EVENT_NOT_PERMITTED) == 0) {
        fprintf(out, "circuit breaker %s: call not permitted (%s)\n", be->name,
                breaker_state_name(be->to));
    } else if (be->failure_rate >= 0) {
        fprintf(out,
                "circuit breaker %s: %s -> %s (failure rate %.1f%%, slow calls %.1f%% over %u "
                "calls)\n",
                be->name, breaker_state_name(be->from), breaker_state_name(be->to),
                be->failure_rate, be->slow_call_rate, be->calls);
    } else {
        fprintf(out, "circuit breaker %s: %s -> %s\n", be->name, breaker_state_name(be->from),
                breaker_state_name(be->to));
    }
    return 0;
}
