/*
 * bench/res_bench.c — what the resilience pieces add to a call, in nanoseconds, measured
 * in one run against the same call made directly.  Driven by bench/resilience; what it
 * measures and the figures: docs/performance.md.
 *
 * The call is a no-op behind a function pointer the compiler cannot see through, so
 * what is measured is the price of the wrapping, not of the work.  Each measurement:
 *   direct         rc = op()
 *   closed-count   breaker_try_acquire, op, breaker_on_result on a CLOSED breaker with a
 *                  count window (the default)
 *   closed-time    the same with a time window (the result reads the clock: one
 *                  clock_gettime per call)
 *   open           breaker_try_acquire on an OPEN breaker: refused, with its message
 *   bulkhead       bulkhead_try_enter, op, bulkhead_leave
 *   chain          resilient_call: what a client of another system does per call, a
 *                  deadline from now, bulkhead -> breaker -> retry (with its budget) -> op,
 *                  the call timed with the clock for the breaker's slow-call rule
 *
 * How it counts on a shared, noisy machine: each measurement runs N calls in a timed
 * round; the rounds of all measurements alternate (direct, closed-count, ..., direct,
 * closed-count, ...), each round's figure is ns per call, and what is printed is the median
 * over the rounds, and the median of the per-round differences with the direct call of
 * the same round ("added").  Medians ignore the rounds a neighbour's build disturbed.
 * Rounds are timed on this thread's CPU clock (CLOCK_THREAD_CPUTIME_ID), so the time the
 * thread spent descheduled, waiting for a CPU a neighbour held, is not counted.
 *
 *   res_bench [--rounds R] [--calls N]      the timed run (defaults 31 rounds, 2,000,000)
 *   res_bench --once N                      each measurement once, N calls, untimed: for
 *                                           valgrind --tool=callgrind (instruction counts)
 * Read next: bench/resilience
 */
#include "domain/shared/error.h"
#include "infrastructure/resilience/breaker.h"
#include "infrastructure/resilience/bulkhead.h"
#include "infrastructure/resilience/deadline.h"
#include "infrastructure/resilience/resilient_call.h"
#include "infrastructure/resilience/retry.h"
#include "infrastructure/system/clock_system.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef int operation(void *ctx);

__attribute__((noinline)) static int noop(void *ctx)
{
    __asm__ volatile("" : : "r"(ctx) : "memory");
    return 0;
}

/* volatile: the compiler may not inline the call nor hoist it out of the loop */
static operation *volatile op = noop;

static struct shop_clock *clock_;
static struct breaker *closed_count, *closed_time, *opened;
static struct bulkhead *bulkhead;
static struct retry *retry;
static struct retry_budget *budget;

#define MEASURE __attribute__((noinline)) static long

MEASURE bench_direct(long n)
{
    long failed = 0;
    for (long i = 0; i < n; i++)
        failed += op(NULL) != 0;
    return failed;
}

static long through_breaker(struct breaker *b, long n)
{
    long failed = 0;
    for (long i = 0; i < n; i++) {
        struct breaker_permit permit;
        if (breaker_try_acquire(b, &permit) < 0) {
            failed++;
            continue;
        }
        int rc = op(NULL);
        breaker_on_result(b, permit, rc, 1);
        failed += rc != 0;
    }
    return failed;
}

MEASURE bench_closed_count(long n)
{
    return through_breaker(closed_count, n);
}

MEASURE bench_closed_time(long n)
{
    return through_breaker(closed_time, n);
}

MEASURE bench_open(long n)
{
    return n - through_breaker(opened, n); /* every call is refused: 0 when all were */
}

MEASURE bench_bulkhead(long n)
{
    long failed = 0;
    for (long i = 0; i < n; i++) {
        if (bulkhead_try_enter(bulkhead) < 0) {
            failed++;
            continue;
        }
        failed += op(NULL) != 0;
        bulkhead_leave(bulkhead);
    }
    return failed;
}

static int attempt(void *ctx, const struct deadline *d)
{
    (void)d;
    return op(ctx);
}

MEASURE bench_chain(long n)
{
    struct resilience chain = {bulkhead, closed_count, retry, clock_, 2000000};
    long failed = 0;
    for (long i = 0; i < n; i++)
        failed += resilient_call(&chain, RETRY_IDEMPOTENT, NULL, attempt, NULL) != 0;
    return failed;
}

static const struct measurement {
    const char *name;
    long (*run)(long n);
} measurements[] = {
    {"direct", bench_direct},           {"closed-count", bench_closed_count},
    {"closed-time", bench_closed_time}, {"open", bench_open},
    {"bulkhead", bench_bulkhead},       {"chain", bench_chain},
};
#define NM (sizeof measurements / sizeof measurements[0])

static void setup(void)
{
    if (clock_system_new(&clock_) < 0)
        exit(1);
    struct breaker_config c;
    breaker_config_init(&c, "bench-count", clock_);
    c.window_size = 100; /* resilience4j's default window */
    c.minimum_calls = 100;
    if (breaker_new(&closed_count, &c) < 0)
        goto fail;
    c.name = "bench-time";
    c.window_type = BREAKER_WINDOW_TIME;
    c.window_size = 60;
    if (breaker_new(&closed_time, &c) < 0)
        goto fail;
    breaker_config_init(&c, "payment-gateway", clock_);
    c.wait_in_open_us = 3600LL * 1000000; /* stays OPEN for the whole run */
    c.max_wait_in_open_us = c.wait_in_open_us;
    if (breaker_new(&opened, &c) < 0 || breaker_force(opened, BREAKER_OPEN) < 0)
        goto fail;
    if (bulkhead_new(&bulkhead, "bench", 8) < 0)
        goto fail;
    struct retry_budget_config bc;
    retry_budget_config_init(&bc, clock_);
    if (retry_budget_new(&budget, &bc) < 0)
        goto fail;
    struct retry_config rc;
    retry_config_init(&rc, "bench", clock_);
    rc.budget = budget;
    if (retry_new(&retry, &rc) < 0)
        goto fail;
    return;
fail:
    fprintf(stderr, "res_bench: %s\n", shop_error_message());
    exit(1);
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, by_value);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
    int rounds = 31;
    long calls = 2000000, once = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
            rounds = atoi(argv[++i]);
        else if (strcmp(argv[i], "--calls") == 0 && i + 1 < argc)
            calls = atol(argv[++i]);
        else if (strcmp(argv[i], "--once") == 0 && i + 1 < argc)
            once = atol(argv[++i]);
        else {
            fprintf(stderr, "usage: res_bench [--rounds R] [--calls N] | --once N\n");
            return 2;
        }
    }
    if (rounds < 1 || calls < 1 || once < 0) {
        fprintf(stderr, "res_bench: --rounds and --calls must be positive\n");
        return 2;
    }
    setup();

    if (once) {
        for (size_t m = 0; m < NM; m++)
            if (measurements[m].run(once) != 0) {
                fprintf(stderr, "res_bench: %s: calls failed\n", measurements[m].name);
                return 1;
            }
        printf("calls %ld\n", once);
        return 0;
    }

    double *ns = calloc(NM * (size_t)rounds, sizeof *ns);
    if (!ns)
        return 1;
    for (size_t m = 0; m < NM; m++) /* warm up: caches, branch predictors, page faults */
        measurements[m].run(calls / 10 + 1);
    for (int r = 0; r < rounds; r++) {
        for (size_t k = 0; k < NM; k++) {
            size_t m = (k + (size_t)r) % NM; /* each round starts one further along */
            double t0 = now_ns();
            long failed = measurements[m].run(calls);
            ns[m * (size_t)rounds + (size_t)r] = (now_ns() - t0) / (double)calls;
            if (failed != 0) {
                fprintf(stderr, "res_bench: %s: %ld calls failed\n", measurements[m].name, failed);
                return 1;
            }
        }
    }

    double *diff = calloc((size_t)rounds, sizeof *diff);
    double *tmp = calloc((size_t)rounds, sizeof *tmp);
    if (!diff || !tmp)
        return 1;
    memcpy(tmp, ns, (size_t)rounds * sizeof *tmp);
    double direct = median(tmp, rounds);
    printf("%-14s %10s %10s %8s   (median of %d rounds of %ld calls)\n", "measurement", "ns/call",
           "added ns", "ratio", rounds, calls);
    for (size_t m = 0; m < NM; m++) {
        for (int r = 0; r < rounds; r++) {
            tmp[r] = ns[m * (size_t)rounds + (size_t)r];
            diff[r] = tmp[r] - ns[r]; /* against the direct call of the same round */
        }
        double med = median(tmp, rounds);
        double added = median(diff, rounds);
        printf("%-14s %10.2f %10.2f %8.2f\n", measurements[m].name, med, added, med / direct);
    }
    free(diff);
    free(tmp);
    free(ns);
    breaker_free(closed_count);
    breaker_free(closed_time);
    breaker_free(opened);
    bulkhead_free(bulkhead);
    retry_free(retry);
    retry_budget_free(budget);
    shop_clock_free(clock_);
    return 0;
}
