/*
 * tests/unit/retry_test.c — retries, their backoff and budget, and deadlines, on a manual
 * clock: the retry "sleeps" by moving the clock, so every wait is known exactly.
 *
 * The operation is a fake dependency that fails a chosen number of times with a chosen
 * code, and records how much time each attempt was given.
 * Read next: infrastructure/resilience/retry.h
 */
#include "application/shared/backoff.h"
#include "infrastructure/resilience/retry.h"

#include "domain/shared/error.h"
#include "infrastructure/memory/clock_manual.h"

#include <criterion/criterion.h>
#include <string.h>

#define T0  1718000000000000
#define SEC 1000000
#define MS  1000

static struct shop_clock *clock_;
static struct retry *r;
static struct retry_budget *budget;

static int64_t slept[128];
static int nslept;

static void fake_sleep(void *ctx, int64_t us)
{
    (void)ctx;
    if (nslept < 128)
        slept[nslept++] = us;
    clock_manual_advance(clock_, us);
}

/* A dependency that fails `failures` times with `code`, then answers. */
struct fake {
    int failures;
    int code;
    int calls;
    int64_t remaining[16]; /* what each attempt was given */
    int64_t takes_us;      /* how long each attempt takes */
};

static int fake_call(void *ctx, const struct deadline *d)
{
    struct fake *f = ctx;
    if (f->calls < 16)
        f->remaining[f->calls] = deadline_remaining_us(d);
    f->calls++;
    clock_manual_advance(clock_, f->takes_us);
    if (f->calls <= f->failures)
        return shop_error_set(f->code, "carrier did not answer (attempt %d)", f->calls);
    return 0;
}

static void setup(void)
{
    cr_assert_eq(clock_manual_new(&clock_, T0), 0);
    r = NULL;
    budget = NULL;
    nslept = 0;
}

static void teardown(void)
{
    retry_free(r);
    retry_budget_free(budget);
    shop_clock_free(clock_);
}

static struct retry_config config(void)
{
    struct retry_config c;
    retry_config_init(&c, "carrier", clock_);
    c.max_attempts = 4;
    c.base_delay_us = 100 * MS;
    c.max_delay_us = 1 * SEC;
    c.sleep = fake_sleep;
    c.seed = 42;
    return c;
}

static void make(struct retry_config c)
{
    cr_assert_eq(retry_new(&r, &c), 0, "%s", shop_error_message());
}

/* ---------------------------------------------------------------- retry */

TestSuite(a_retry, .init = setup, .fini = teardown);

Test(a_retry, returns_the_first_success_without_waiting)
{
    make(config());
    struct fake f = {0, 0, 0, {0}, 0};
    struct deadline d = deadline_after(clock_, 5 * SEC);
    struct retry_report rep;
    cr_assert_eq(retry_run(r, RETRY_IDEMPOTENT, &d, fake_call, &f, &rep), 0);
    cr_assert_eq(rep.attempts, 1);
    cr_assert_eq(rep.stop, RETRY_STOP_SUCCEEDED);
    cr_assert_eq(nslept, 0);
}

Test(a_retry, tries_an_unavailable_dependency_again_until_it_answers)
{
    make(config());
    struct fake f = {2, SHOP_EUNAVAILABLE, 0, {0}, 0};
    struct deadline d = deadline_never(clock_);
    struct retry_report rep;
    cr_assert_eq(retry_run(r, RETRY_IDEMPOTENT, &d, fake_call, &f, &rep), 0);
    cr_assert_eq(f.calls, 3);
    cr_assert_eq(rep.attempts, 3);
    cr_assert_eq(nslept, 2);
    cr_assert_eq(rep.waited_us, slept[0] + slept[1]);
}

Test(a_retry, gives_up_after_the_last_attempt_with_its_error)
{
    make(config());
    struct fake f = {100, SHOP_EUNAVAILABLE, 0, {0}, 0};
    struct deadline d = deadline_never(clock_);
    struct retry_report rep;
    cr_assert_eq(retry_run(r, RETRY_IDEMPOTENT, &d, fake_call, &f, &rep), SHOP_EUNAVAILABLE);
    cr_assert_eq(f.calls, 4);
    cr_assert_eq(rep.stop, RETRY_STOP_ATTEMPTS);
    cr_assert_str_eq(shop_error_message(), "carrier did not answer (attempt 4)");
}

Test(a_retry, never_tries_again_an_operation_that_is_not_idempotent)
{
    make(config());
    struct fake f = {1, SHOP_EUNAVAILABLE, 0, {0}, 0};
    struct deadline d = deadline_never(clock_);
    struct retry_report rep;
    cr_assert_eq(retry_run(r, RETRY_NOT_IDEMPOTENT, &d, fake_call, &f, &rep), SHOP_EUNAVAILABLE);
    cr_assert_eq(f.calls, 1);
    cr_assert_eq(rep.stop, RETRY_STOP_NOT_IDEMPOTENT);
}

Test(a_retry, never_tries_again_a_refusal)
{
    make(config());
    struct fake f = {1, SHOP_EREFUSED, 0, {0}, 0};
    struct deadline d = deadline_never(clock_);
    struct retry_report rep;
    cr_assert_eq(retry_run(r, RETRY_IDEMPOTENT, &d, fake_call, &f, &rep), SHOP_EREFUSED);
    cr_assert_eq(f.calls, 1);
    cr_assert_eq(rep.stop, RETRY_STOP_NOT_RETRYABLE);
    cr_assert(!retry_retryable_default(NULL, SHOP_EINTERNAL));
    cr_assert(retry_retryable_default(NULL, SHOP_EIO));
}

Test(a_retry, waits_within_the_exponential_bounds_and_repeats_with_the_same_seed)
{
    make(config());
    struct fake f = {3, SHOP_EUNAVAILABLE, 0, {0}, 0};
    struct deadline d = deadline_never(clock_);
    cr_assert_eq(retry_run(r, RETRY_IDEMPOTENT, &d, fake_call, &f, NULL), 0);
    cr_assert_eq(nslept, 3);
    uint64_t seed = 42;
    for (unsigned n = 1; n <= 3; n++) {
        int64_t want = backoff_delay(&(struct backoff){100 * MS, 1 * SEC}, (int)n, &seed);
        cr_assert_eq(slept[n - 1], want, "retry %u waited %lld", n, (long long)slept[n - 1]);
        cr_assert_leq(slept[n - 1], backoff_bound(&(struct backoff){100 * MS, 1 * SEC}, (int)n));
    }
}

Test(a_retry, stops_when_the_next_wait_would_end_past_the_deadline)
{
    struct retry_config c = config();
    c.base_delay_us = 1 * SEC;
    c.max_delay_us = 1 * SEC;
    make(c);
    /* find the first draw of seed 42 for a 1 s bound, and leave less than that */
    uint64_t seed = 42;
    int64_t first = backoff_delay(&(struct backoff){1 * SEC, 1 * SEC}, 1, &seed);
    cr_assert_gt(first, 0);
    struct fake f = {5, SHOP_EUNAVAILABLE, 0, {0}, 0};
    struct deadline d = deadline_after(clock_, first);
    struct retry_report rep;
    cr_assert_eq(retry_run(r, RETRY_IDEMPOTENT, &d, fake_call, &f, &rep), SHOP_EUNAVAILABLE);
    cr_assert_eq(f.calls, 1);
    cr_assert_eq(rep.stop, RETRY_STOP_DEADLINE);
    cr_assert_eq(nslept, 0, "no wait that ends past the deadline");
}

Test(a_retry, passes_the_remaining_time_down_to_each_attempt)
{
    make(config());
    struct fake f = {2, SHOP_EUNAVAILABLE, 0, {0}, 200 * MS};
    struct deadline d = deadline_after(clock_, 5 * SEC);
    cr_assert_eq(retry_run(r, RETRY_IDEMPOTENT, &d, fake_call, &f, NULL), 0);
    cr_assert_eq(f.remaining[0], 5 * SEC);
    cr_assert_eq(f.remaining[1], 5 * SEC - 200 * MS - slept[0]);
    cr_assert_eq(f.remaining[2], 5 * SEC - 400 * MS - slept[0] - slept[1]);
}

Test(a_retry, does_not_call_once_the_deadline_has_passed)
{
    make(config());
    struct fake f = {0, 0, 0, {0}, 0};
    struct deadline d = deadline_after(clock_, 1 * SEC);
    clock_manual_advance(clock_, 1 * SEC);
    struct retry_report rep;
    cr_assert_eq(retry_run(r, RETRY_IDEMPOTENT, &d, fake_call, &f, &rep), SHOP_EUNAVAILABLE);
    cr_assert_str_eq(shop_error_message(), "carrier: deadline passed before the call");
    cr_assert_eq(f.calls, 0);
    cr_assert_eq(rep.stop, RETRY_STOP_DEADLINE);
}

Test(a_retry, is_refused_with_settings_out_of_range)
{
    struct retry_config c = config();
    c.max_attempts = 0;
    cr_assert_eq(retry_new(&r, &c), SHOP_EINVALID);
    cr_assert_str_eq(shop_error_message(), "retry carrier: max_attempts must be 1-100");
    c = config();
    c.max_delay_us = c.base_delay_us - 1;
    cr_assert_eq(retry_new(&r, &c), SHOP_EINVALID);
    cr_assert_null(r);
}

/* ---------------------------------------------------------------- budget */

TestSuite(a_retry_budget, .init = setup, .fini = teardown);

static void make_budget(double ratio, uint32_t min_per_second)
{
    struct retry_budget_config c;
    retry_budget_config_init(&c, clock_);
    c.window_seconds = 10;
    c.ratio = ratio;
    c.min_per_second = min_per_second;
    cr_assert_eq(retry_budget_new(&budget, &c), 0, "%s", shop_error_message());
}

static int spend_all(void)
{
    int n = 0;
    while (retry_budget_try_spend(budget))
        if (++n > 100000)
            break;
    return n;
}

Test(a_retry_budget, allows_its_floor_when_there_are_no_requests)
{
    make_budget(0.2, 1); /* 1 per second over 10 s */
    cr_assert_eq(spend_all(), 10);
    struct retry_budget_metrics m;
    retry_budget_metrics(budget, &m);
    cr_assert_eq(m.retries, 10);
    cr_assert_eq(m.refused_total, 1);
}

Test(a_retry_budget, allows_a_ratio_of_the_recent_requests)
{
    make_budget(0.2, 0);
    for (int i = 0; i < 100; i++)
        retry_budget_record_request(budget);
    cr_assert_eq(spend_all(), 20);
    for (int i = 0; i < 5; i++)
        retry_budget_record_request(budget);
    cr_assert_eq(spend_all(), 1, "105 requests allow 21 retries");
}

Test(a_retry_budget, refills_as_old_retries_leave_the_window)
{
    make_budget(0.5, 0);
    for (int i = 0; i < 10; i++)
        retry_budget_record_request(budget);
    cr_assert_eq(spend_all(), 5);
    clock_manual_advance(clock_, 9 * SEC);
    cr_assert_eq(spend_all(), 0, "the same window");
    for (int i = 0; i < 2; i++)
        retry_budget_record_request(budget);
    cr_assert_eq(spend_all(), 1, "12 requests allow 6");
    clock_manual_advance(clock_, 1 * SEC); /* the first second leaves: 2 requests, 1 retry */
    struct retry_budget_metrics m;
    retry_budget_metrics(budget, &m);
    cr_assert_eq(m.requests, 2);
    cr_assert_eq(m.retries, 1);
    cr_assert_eq(spend_all(), 0);
    clock_manual_advance(clock_, 10 * SEC);
    for (int i = 0; i < 10; i++)
        retry_budget_record_request(budget);
    cr_assert_eq(spend_all(), 5, "a whole new window");
}

Test(a_retry_budget, keeps_a_dead_dependency_from_a_storm_of_retries)
{
    make_budget(0.2, 1);
    struct retry_config c = config();
    c.max_attempts = 5;
    c.budget = budget;
    make(c);
    struct fake f = {1000000, SHOP_EUNAVAILABLE, 0, {0}, 0};
    int budget_stops = 0;
    for (int i = 0; i < 100; i++) {
        struct deadline d = deadline_never(clock_);
        struct retry_report rep;
        cr_assert_eq(retry_run(r, RETRY_IDEMPOTENT, &d, fake_call, &f, &rep), SHOP_EUNAVAILABLE);
        budget_stops += rep.stop == RETRY_STOP_BUDGET;
    }
    /* clock moves only by the waits (< 1 s each, 30 at most): all within one window */
    cr_assert_leq(f.calls, 100 + 20 + 10, "%d calls for 100 requests", f.calls);
    cr_assert_geq(f.calls, 100 + 20, "the budget is spent, not hoarded: %d", f.calls);
    cr_assert_gt(budget_stops, 60);
}

/* ---------------------------------------------------------------- deadline */

TestSuite(a_deadline, .init = setup, .fini = teardown);

Test(a_deadline, counts_down_to_zero_and_then_has_passed)
{
    struct deadline d = deadline_after(clock_, 2 * SEC);
    cr_assert_eq(deadline_remaining_us(&d), 2 * SEC);
    cr_assert(!deadline_expired(&d));
    clock_manual_advance(clock_, 2 * SEC - 1);
    cr_assert_eq(deadline_remaining_us(&d), 1);
    cr_assert(!deadline_expired(&d));
    clock_manual_advance(clock_, 1);
    cr_assert_eq(deadline_remaining_us(&d), 0);
    cr_assert(deadline_expired(&d));
    clock_manual_advance(clock_, SEC);
    cr_assert_eq(deadline_remaining_us(&d), 0);
}

Test(a_deadline, gives_a_step_the_earlier_of_its_own_timeout_and_the_callers)
{
    struct deadline caller = deadline_after(clock_, 2 * SEC);
    struct deadline step = deadline_within(&caller, 500 * MS);
    cr_assert_eq(deadline_remaining_us(&step), 500 * MS);
    step = deadline_within(&caller, 5 * SEC);
    cr_assert_eq(deadline_remaining_us(&step), 2 * SEC);
}

Test(a_deadline, never_comes_when_asked_not_to_and_never_overflows)
{
    struct deadline never = deadline_never(clock_);
    clock_manual_advance(clock_, 1000000LL * SEC);
    cr_assert(!deadline_expired(&never));
    cr_assert_eq(deadline_remaining_us(&never), INT64_MAX);
    struct deadline far = deadline_after(clock_, INT64_MAX);
    cr_assert(!deadline_expired(&far));
    struct deadline now = deadline_after(clock_, 0);
    cr_assert(deadline_expired(&now));
}
