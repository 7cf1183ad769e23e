/*
 * tests/unit/breaker_test.c — the circuit breaker, transition by transition, on a manual
 * clock: no sleeps, no I/O.
 *
 * Each scenario builds a breaker in front of "payment-gateway" with small settings, makes
 * calls whose outcome and duration it chooses, moves the clock, and checks the state, the
 * refusals and the events observers received.  The thresholds are checked at their value
 * and one call either side of it.
 * Read next: infrastructure/resilience/breaker.h, docs/patterns/circuit-breaker.md
 */
#include "infrastructure/resilience/breaker.h"

#include "domain/shared/error.h"
#include "infrastructure/memory/clock_manual.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define T0  1718000000000000
#define SEC 1000000
#define MS  1000

#define FAIL    SHOP_EUNAVAILABLE
#define IGNORE  (-100) /* a code the test classifier ignores */
#define NOT_RUN 1      /* call(): the breaker refused */

static struct shop_clock *clock_;
static struct dispatcher observers;
static struct breaker *b;

static struct seen {
    char type[32];
    struct breaker_event e;
} seen[64];
static int nseen;

static int remember(void *ctx, const struct domain_event *e)
{
    (void)ctx;
    cr_assert_str_eq(e->context, "resilience");
    if (nseen < 64) {
        strcpy(seen[nseen].type, e->type);
        seen[nseen].e = *(const struct breaker_event *)e->event;
        nseen++;
    }
    return 0;
}

static void setup(void)
{
    cr_assert_eq(clock_manual_new(&clock_, T0), 0);
    dispatcher_init(&observers, NULL, NULL);
    cr_assert_eq(dispatcher_subscribe(&observers, "*", "test", remember, NULL), 0);
    nseen = 0;
    b = NULL;
}

static void teardown(void)
{
    breaker_free(b);
    shop_clock_free(clock_);
}

static enum breaker_outcome classify(void *ctx, int rc)
{
    (void)ctx;
    if (rc == IGNORE)
        return BREAKER_IGNORED;
    return rc == 0 ? BREAKER_SUCCESS : BREAKER_FAILURE;
}

/* Small settings the scenarios change one at a time. */
static struct breaker_config config(void)
{
    struct breaker_config c;
    breaker_config_init(&c, "payment-gateway", clock_);
    c.window_size = 10;
    c.minimum_calls = 10;
    c.failure_rate_threshold = 50;
    c.slow_call_rate_threshold = 50;
    c.slow_call_duration_us = 100 * MS;
    c.wait_in_open_us = 10 * SEC;
    c.wait_multiplier = 1;
    c.max_wait_in_open_us = 10 * SEC;
    c.permitted_calls_in_half_open = 3;
    c.max_wait_in_half_open_us = 0;
    c.classify = classify;
    c.observers = &observers;
    return c;
}

static void make(struct breaker_config c)
{
    cr_assert_eq(breaker_new(&b, &c), 0, "%s", shop_error_message());
}

/* One call that ends with rc after duration_us: NOT_RUN if the breaker refused it. */
static int call(int rc, int64_t duration_us)
{
    struct breaker_permit permit;
    if (breaker_try_acquire(b, &permit) < 0)
        return NOT_RUN;
    breaker_on_result(b, permit, rc, duration_us);
    return 0;
}

static void calls(int n, int rc)
{
    for (int i = 0; i < n; i++)
        cr_assert_eq(call(rc, MS), 0, "call %d was refused", i + 1);
}

static enum breaker_state state(void)
{
    struct breaker_metrics m;
    breaker_metrics(b, &m);
    return m.state;
}

static struct breaker_metrics metrics(void)
{
    struct breaker_metrics m;
    breaker_metrics(b, &m);
    return m;
}

#define assert_state(s)                                                                            \
    cr_assert_eq(state(), (s), "state %s, expected %s", breaker_state_name(state()),               \
                 breaker_state_name(s))

/* Opens a breaker made with config(): ten failures. */
static void open_it(void)
{
    calls(10, FAIL);
    assert_state(BREAKER_OPEN);
}

static void half_open_it(void)
{
    open_it();
    clock_manual_advance(clock_, 10 * SEC);
    assert_state(BREAKER_HALF_OPEN);
}

/* ---------------------------------------------------------------- CLOSED */

TestSuite(a_closed_breaker, .init = setup, .fini = teardown);

Test(a_closed_breaker, lets_calls_through_and_counts_them)
{
    make(config());
    calls(3, 0);
    calls(2, FAIL);
    struct breaker_metrics m = metrics();
    cr_assert_eq(m.state, BREAKER_CLOSED);
    cr_assert_eq(m.calls, 5);
    cr_assert_eq(m.failed_calls, 2);
    cr_assert_eq(m.successful_total, 3);
    cr_assert_eq(m.failed_total, 2);
    cr_assert_eq(m.failure_rate, -1, "no rate below the minimum number of calls");
    cr_assert_eq(nseen, 0);
}

Test(a_closed_breaker, opens_when_the_failure_rate_reaches_the_threshold)
{
    make(config());
    calls(5, 0);
    calls(4, FAIL);
    assert_state(BREAKER_CLOSED);
    calls(1, FAIL); /* 5 of 10: exactly 50% */
    assert_state(BREAKER_OPEN);
    struct breaker_metrics m = metrics();
    cr_assert_float_eq(m.failure_rate, 50.0, 1e-9);
    cr_assert_eq(m.calls, 10);
    cr_assert_eq(m.since_us, T0);
    cr_assert_eq(m.open_until_us, T0 + 10 * SEC);
}

Test(a_closed_breaker, stays_closed_just_below_the_failure_threshold)
{
    make(config());
    calls(6, 0);
    calls(4, FAIL); /* 40% */
    assert_state(BREAKER_CLOSED);
    cr_assert_float_eq(metrics().failure_rate, 40.0, 1e-9);
}

Test(a_closed_breaker, opens_one_failure_past_a_threshold_between_two_rates)
{
    struct breaker_config c = config();
    c.failure_rate_threshold = 45; /* 4 of 10 is under, 5 of 10 over */
    make(c);
    calls(6, 0);
    calls(4, FAIL);
    assert_state(BREAKER_CLOSED);
    calls(1, FAIL); /* the oldest success slides out: 5 of 10 */
    assert_state(BREAKER_OPEN);
}

Test(a_closed_breaker, decides_nothing_before_the_minimum_number_of_calls)
{
    struct breaker_config c = config();
    c.window_size = 20;
    c.minimum_calls = 10;
    make(c);
    calls(9, FAIL); /* 100% failures, but only 9 calls */
    assert_state(BREAKER_CLOSED);
    calls(1, FAIL);
    assert_state(BREAKER_OPEN);
}

Test(a_closed_breaker, takes_the_window_size_as_the_minimum_when_the_minimum_is_larger)
{
    struct breaker_config c = config();
    c.window_size = 5;
    c.minimum_calls = 100; /* a count window never holds more than 5 */
    make(c);
    calls(4, FAIL);
    assert_state(BREAKER_CLOSED);
    calls(1, FAIL);
    assert_state(BREAKER_OPEN);
}

Test(a_closed_breaker, forgets_the_calls_that_slide_out_of_its_count_window)
{
    struct breaker_config c = config();
    c.window_size = 4;
    c.minimum_calls = 4;
    make(c);
    calls(1, FAIL);
    calls(3, 0); /* F S S S: 25% */
    assert_state(BREAKER_CLOSED);
    calls(1, FAIL); /* the first F slides out: S S S F, still 25% */
    assert_state(BREAKER_CLOSED);
    cr_assert_eq(metrics().failed_calls, 1);
    cr_assert_eq(metrics().calls, 4);
    calls(1, FAIL); /* S S F F: 50% */
    assert_state(BREAKER_OPEN);
}

Test(a_closed_breaker, opens_on_slow_calls_even_when_they_succeed)
{
    make(config());
    for (int i = 0; i < 5; i++)
        cr_assert_eq(call(0, 100 * MS + 1), 0);
    for (int i = 0; i < 4; i++)
        cr_assert_eq(call(0, MS), 0);
    assert_state(BREAKER_CLOSED);
    cr_assert_eq(call(0, MS), 0); /* 5 slow of 10: 50% */
    assert_state(BREAKER_OPEN);
    struct breaker_metrics m = metrics();
    cr_assert_eq(m.failed_calls, 0);
    cr_assert_eq(m.slow_calls, 5);
    cr_assert_float_eq(m.slow_call_rate, 50.0, 1e-9);
    cr_assert_eq(m.slow_total, 5);
}

Test(a_closed_breaker, does_not_count_a_call_of_exactly_the_slow_duration_as_slow)
{
    make(config());
    for (int i = 0; i < 10; i++)
        cr_assert_eq(call(0, 100 * MS), 0);
    assert_state(BREAKER_CLOSED);
    cr_assert_eq(metrics().slow_calls, 0);
}

Test(a_closed_breaker, does_not_count_ignored_outcomes)
{
    make(config());
    calls(20, IGNORE);
    calls(4, FAIL);
    calls(5, 0);
    struct breaker_metrics m = metrics();
    cr_assert_eq(m.state, BREAKER_CLOSED, "9 counted calls are below the minimum");
    cr_assert_eq(m.calls, 9);
    cr_assert_eq(m.ignored_total, 20);
    calls(1, FAIL); /* the tenth counted call: 5 of 10 */
    assert_state(BREAKER_OPEN);
}

Test(a_closed_breaker, counts_a_declined_charge_as_a_healthy_answer_by_default)
{
    struct breaker_config c = config();
    c.classify = NULL;
    make(c);
    calls(10, SHOP_EREFUSED);
    calls(5, SHOP_EINVALID);
    assert_state(BREAKER_CLOSED);
    cr_assert_eq(metrics().failed_calls, 0);
    calls(5, SHOP_EINTERNAL);
    cr_assert_eq(metrics().failed_calls, 5);
    assert_state(BREAKER_OPEN);
    cr_assert_eq(breaker_classify_default(NULL, SHOP_EIO), BREAKER_FAILURE);
    cr_assert_eq(breaker_classify_default(NULL, SHOP_EUNAVAILABLE), BREAKER_FAILURE);
    cr_assert_eq(breaker_classify_default(NULL, 0), BREAKER_SUCCESS);
}

/* ---------------------------------------------------------------- time window */

static struct breaker_config time_config(void)
{
    struct breaker_config c = config();
    c.window_type = BREAKER_WINDOW_TIME;
    c.window_size = 10; /* seconds */
    c.minimum_calls = 4;
    return c;
}

TestSuite(a_time_window, .init = setup, .fini = teardown);

Test(a_time_window, opens_on_the_failures_of_the_last_seconds)
{
    make(time_config());
    calls(2, FAIL);
    clock_manual_advance(clock_, 5 * SEC);
    calls(1, FAIL);
    assert_state(BREAKER_CLOSED);
    clock_manual_advance(clock_, 4 * SEC);
    calls(1, FAIL); /* 4 failures within 10 s */
    assert_state(BREAKER_OPEN);
}

Test(a_time_window, drops_the_buckets_older_than_the_window)
{
    make(time_config());
    calls(2, FAIL);
    clock_manual_advance(clock_, 9 * SEC + 999999); /* still the 10th second */
    cr_assert_eq(metrics().calls, 2);
    clock_manual_advance(clock_, 1); /* second 10: the first bucket drops */
    cr_assert_eq(metrics().calls, 0);
    calls(2, FAIL);
    assert_state(BREAKER_CLOSED);
    calls(1, 0);
    cr_assert_eq(metrics().calls, 3);
}

Test(a_time_window, keeps_the_counts_of_each_second_until_that_second_leaves)
{
    make(time_config());
    for (int s = 0; s < 3; s++) {
        calls(1, 0);
        clock_manual_advance(clock_, SEC);
    }
    /* now second 3; buckets 0, 1, 2 hold one call each */
    cr_assert_eq(metrics().calls, 3);
    clock_manual_advance(clock_, 7 * SEC); /* second 10: bucket 0 leaves */
    cr_assert_eq(metrics().calls, 2);
    clock_manual_advance(clock_, SEC);
    cr_assert_eq(metrics().calls, 1);
    clock_manual_advance(clock_, SEC);
    cr_assert_eq(metrics().calls, 0);
}

Test(a_time_window, treats_an_idle_gap_longer_than_the_window_as_empty)
{
    make(time_config());
    calls(3, FAIL);
    clock_manual_advance(clock_, 86400LL * SEC);
    calls(1, FAIL);
    assert_state(BREAKER_CLOSED);
    cr_assert_eq(metrics().calls, 1);
}

Test(a_time_window, decides_nothing_before_the_minimum_even_with_a_long_window)
{
    struct breaker_config c = time_config();
    c.minimum_calls = 50; /* a time window holds any number of calls: no cap */
    make(c);
    calls(49, FAIL);
    assert_state(BREAKER_CLOSED);
    calls(1, FAIL);
    assert_state(BREAKER_OPEN);
}

/* ---------------------------------------------------------------- OPEN */

TestSuite(an_open_breaker, .init = setup, .fini = teardown);

Test(an_open_breaker, refuses_calls_at_once_with_a_message_naming_the_dependency)
{
    make(config());
    open_it();
    struct breaker_permit permit;
    cr_assert_eq(breaker_try_acquire(b, &permit), SHOP_EUNAVAILABLE);
    cr_assert_str_eq(shop_error_message(), "circuit breaker payment-gateway is open");
    cr_assert_eq(call(0, MS), NOT_RUN);
    cr_assert_eq(metrics().not_permitted_total, 2);
}

Test(an_open_breaker, lets_probes_through_exactly_when_the_wait_is_over)
{
    make(config());
    open_it();
    clock_manual_advance(clock_, 10 * SEC - 1);
    cr_assert_eq(call(0, MS), NOT_RUN);
    assert_state(BREAKER_OPEN);
    clock_manual_advance(clock_, 1);
    assert_state(BREAKER_HALF_OPEN);
    cr_assert_eq(metrics().since_us, T0 + 10 * SEC);
}

Test(an_open_breaker, half_opens_on_a_call_as_well_as_on_a_look)
{
    make(config());
    open_it();
    clock_manual_advance(clock_, 10 * SEC);
    struct breaker_permit permit;
    cr_assert_eq(breaker_try_acquire(b, &permit), 0);
    cr_assert_eq(nseen, 2);
    cr_assert_eq(seen[1].e.from, BREAKER_OPEN);
    cr_assert_eq(seen[1].e.to, BREAKER_HALF_OPEN);
    breaker_on_result(b, permit, 0, MS);
}

Test(an_open_breaker, waits_longer_on_each_reopen_up_to_the_cap)
{
    struct breaker_config c = config();
    c.wait_in_open_us = 1 * SEC;
    c.wait_multiplier = 2;
    c.max_wait_in_open_us = 5 * SEC;
    c.permitted_calls_in_half_open = 1;
    make(c);
    calls(10, FAIL);
    int64_t expected[] = {1 * SEC, 2 * SEC, 4 * SEC, 5 * SEC, 5 * SEC};
    for (int i = 0; i < 5; i++) {
        struct breaker_metrics m = metrics();
        cr_assert_eq(m.state, BREAKER_OPEN);
        cr_assert_eq(m.open_until_us - m.since_us, expected[i], "open %d waits %lld", i + 1,
                     (long long)(m.open_until_us - m.since_us));
        clock_manual_advance(clock_, expected[i] - 1);
        cr_assert_eq(call(0, MS), NOT_RUN);
        clock_manual_advance(clock_, 1);
        cr_assert_eq(call(FAIL, MS), 0); /* the probe fails: open again */
    }
    /* a success closes it, and the next opening waits the first wait again */
    clock_manual_advance(clock_, 5 * SEC);
    cr_assert_eq(call(0, MS), 0);
    assert_state(BREAKER_CLOSED);
    calls(10, FAIL);
    struct breaker_metrics m = metrics();
    cr_assert_eq(m.open_until_us - m.since_us, 1 * SEC);
}

Test(an_open_breaker, keeps_a_fixed_wait_with_a_multiplier_of_one)
{
    struct breaker_config c = config();
    c.permitted_calls_in_half_open = 1;
    make(c);
    calls(10, FAIL);
    for (int i = 0; i < 3; i++) {
        struct breaker_metrics m = metrics();
        cr_assert_eq(m.open_until_us - m.since_us, 10 * SEC);
        clock_manual_advance(clock_, 10 * SEC);
        cr_assert_eq(call(FAIL, MS), 0);
    }
}

/* ---------------------------------------------------------------- HALF_OPEN */

TestSuite(a_half_open_breaker, .init = setup, .fini = teardown);

Test(a_half_open_breaker, permits_exactly_the_configured_probes_and_refuses_the_rest)
{
    make(config());
    half_open_it();
    struct breaker_permit p[3], extra;
    for (int i = 0; i < 3; i++)
        cr_assert_eq(breaker_try_acquire(b, &p[i]), 0, "probe %d", i + 1);
    cr_assert_eq(breaker_try_acquire(b, &extra), SHOP_EUNAVAILABLE);
    cr_assert_str_eq(
        shop_error_message(),
        "circuit breaker payment-gateway is half-open and its 3 probe calls are taken");
    breaker_on_result(b, p[0], 0, MS);
    /* a probe that came back still holds its place until the decision */
    cr_assert_eq(breaker_try_acquire(b, &extra), SHOP_EUNAVAILABLE);
    breaker_on_result(b, p[1], 0, MS);
    assert_state(BREAKER_HALF_OPEN);
    breaker_on_result(b, p[2], 0, MS);
    assert_state(BREAKER_CLOSED);
}

Test(a_half_open_breaker, closes_when_the_probes_are_under_the_thresholds)
{
    make(config());
    half_open_it();
    calls(2, 0);
    calls(1, FAIL); /* 33% < 50% */
    assert_state(BREAKER_CLOSED);
    struct breaker_metrics m = metrics();
    cr_assert_eq(m.calls, 0, "a closed breaker starts with an empty window");
    calls(9, FAIL);
    assert_state(BREAKER_CLOSED); /* 9 calls: below the minimum again */
}

Test(a_half_open_breaker, reopens_when_the_probes_reach_the_failure_threshold)
{
    struct breaker_config c = config();
    c.permitted_calls_in_half_open = 4;
    make(c);
    half_open_it();
    calls(2, 0);
    calls(2, FAIL); /* 50% */
    assert_state(BREAKER_OPEN);
}

Test(a_half_open_breaker, reopens_when_the_probes_are_slow)
{
    make(config());
    half_open_it();
    cr_assert_eq(call(0, 200 * MS), 0);
    cr_assert_eq(call(0, 200 * MS), 0);
    cr_assert_eq(call(0, MS), 0); /* 2 slow of 3 */
    assert_state(BREAKER_OPEN);
}

Test(a_half_open_breaker, gives_the_place_of_an_ignored_probe_to_another_call)
{
    make(config());
    half_open_it();
    struct breaker_permit p[3], extra;
    for (int i = 0; i < 3; i++)
        cr_assert_eq(breaker_try_acquire(b, &p[i]), 0);
    breaker_on_result(b, p[0], IGNORE, MS);
    cr_assert_eq(breaker_try_acquire(b, &extra), 0);
    breaker_on_result(b, p[1], 0, MS);
    breaker_on_result(b, p[2], 0, MS);
    assert_state(BREAKER_HALF_OPEN);
    breaker_on_result(b, extra, 0, MS);
    assert_state(BREAKER_CLOSED);
}

Test(a_half_open_breaker, reopens_when_a_probe_never_comes_back)
{
    struct breaker_config c = config();
    c.max_wait_in_half_open_us = 5 * SEC;
    make(c);
    half_open_it();
    struct breaker_permit hung, p;
    cr_assert_eq(breaker_try_acquire(b, &hung), 0);
    calls(2, 0);
    clock_manual_advance(clock_, 5 * SEC - 1);
    assert_state(BREAKER_HALF_OPEN);
    cr_assert_eq(breaker_try_acquire(b, &p), SHOP_EUNAVAILABLE);
    clock_manual_advance(clock_, 1);
    assert_state(BREAKER_OPEN);
    struct breaker_metrics m = metrics();
    cr_assert_eq(m.since_us, T0 + 15 * SEC);
    /* the hung probe returns at last: it decides nothing */
    breaker_on_result(b, hung, 0, 6 * SEC);
    assert_state(BREAKER_OPEN);
    clock_manual_advance(clock_, 10 * SEC);
    assert_state(BREAKER_HALF_OPEN);
}

Test(a_half_open_breaker, reopens_when_the_last_probe_comes_back_after_the_maximum_wait)
{
    struct breaker_config c = config();
    c.max_wait_in_half_open_us = 5 * SEC;
    make(c);
    half_open_it();
    struct breaker_permit late;
    cr_assert_eq(breaker_try_acquire(b, &late), 0);
    calls(2, 0);
    clock_manual_advance(clock_, 5 * SEC); /* nobody looks meanwhile */
    breaker_on_result(b, late, 0, 5 * SEC);
    assert_state(BREAKER_OPEN);
}

Test(a_half_open_breaker, stays_half_open_without_a_maximum_wait)
{
    make(config()); /* max_wait_in_half_open_us = 0 */
    half_open_it();
    struct breaker_permit hung;
    cr_assert_eq(breaker_try_acquire(b, &hung), 0);
    clock_manual_advance(clock_, 3600LL * SEC);
    assert_state(BREAKER_HALF_OPEN);
    breaker_on_result(b, hung, 0, MS);
}

Test(a_half_open_breaker, does_not_take_a_call_let_through_before_it_opened_as_a_probe)
{
    make(config());
    struct breaker_permit early;
    cr_assert_eq(breaker_try_acquire(b, &early), 0); /* in CLOSED */
    calls(10, FAIL);
    clock_manual_advance(clock_, 10 * SEC);
    assert_state(BREAKER_HALF_OPEN);
    breaker_on_result(b, early, FAIL, MS); /* comes back late */
    struct breaker_metrics m = metrics();
    cr_assert_eq(m.state, BREAKER_HALF_OPEN);
    cr_assert_eq(m.calls, 0, "no probe recorded");
    cr_assert_eq(m.failed_total, 11, "but counted in the totals");
    calls(3, 0);
    assert_state(BREAKER_CLOSED);
}

/* ---------------------------------------------------------------- forced states */

TestSuite(a_forced_breaker, .init = setup, .fini = teardown);

Test(a_forced_breaker, when_disabled_lets_everything_through_and_counts_nothing)
{
    make(config());
    cr_assert_eq(breaker_force(b, BREAKER_DISABLED), 0);
    calls(50, FAIL);
    struct breaker_metrics m = metrics();
    cr_assert_eq(m.state, BREAKER_DISABLED);
    cr_assert_eq(m.calls, 0);
    cr_assert_eq(m.failed_total, 0);
}

Test(a_forced_breaker, when_forced_open_refuses_everything_and_never_half_opens)
{
    make(config());
    cr_assert_eq(breaker_force(b, BREAKER_FORCED_OPEN), 0);
    cr_assert_eq(call(0, MS), NOT_RUN);
    cr_assert_str_eq(shop_error_message(), "circuit breaker payment-gateway is forced open");
    clock_manual_advance(clock_, 3600LL * SEC);
    cr_assert_eq(call(0, MS), NOT_RUN);
    assert_state(BREAKER_FORCED_OPEN);
    cr_assert_eq(metrics().not_permitted_total, 2);
}

Test(a_forced_breaker, when_metrics_only_counts_but_never_opens)
{
    make(config());
    cr_assert_eq(breaker_force(b, BREAKER_METRICS_ONLY), 0);
    calls(30, FAIL);
    struct breaker_metrics m = metrics();
    cr_assert_eq(m.state, BREAKER_METRICS_ONLY);
    cr_assert_float_eq(m.failure_rate, 100.0, 1e-9);
    cr_assert_eq(m.calls, 10);
    cr_assert_eq(m.failed_total, 30);
}

Test(a_forced_breaker, forced_closed_leaves_open_at_once_with_an_empty_window)
{
    make(config());
    open_it();
    cr_assert_eq(breaker_force(b, BREAKER_CLOSED), 0);
    assert_state(BREAKER_CLOSED);
    cr_assert_eq(metrics().calls, 0);
    cr_assert_eq(breaker_force(b, BREAKER_OPEN), 0);
    assert_state(BREAKER_OPEN);
    cr_assert_eq(breaker_force(b, BREAKER_HALF_OPEN), 0);
    calls(3, 0);
    assert_state(BREAKER_CLOSED);
}

Test(a_forced_breaker, reset_closes_with_an_empty_window_and_the_first_wait)
{
    struct breaker_config c = config();
    c.wait_in_open_us = 1 * SEC;
    c.wait_multiplier = 3;
    c.max_wait_in_open_us = 100 * SEC;
    c.permitted_calls_in_half_open = 1;
    make(c);
    calls(10, FAIL);
    clock_manual_advance(clock_, 1 * SEC);
    calls(1, FAIL); /* reopens for 3 s */
    cr_assert_eq(metrics().open_until_us - metrics().since_us, 3 * SEC);
    breaker_reset(b);
    struct breaker_metrics m = metrics();
    cr_assert_eq(m.state, BREAKER_CLOSED);
    cr_assert_eq(m.calls, 0);
    cr_assert_eq(m.failed_total, 11, "totals survive a reset");
    calls(10, FAIL);
    cr_assert_eq(metrics().open_until_us - metrics().since_us, 1 * SEC);
}

Test(a_forced_breaker, reset_forgets_the_calls_counted_before_it)
{
    make(config());
    calls(9, FAIL);
    breaker_reset(b);
    calls(1, FAIL);
    assert_state(BREAKER_CLOSED);
    cr_assert_eq(nseen, 0, "closed to closed is no state change");
}

Test(a_forced_breaker, refuses_a_state_that_does_not_exist)
{
    make(config());
    cr_assert_eq(breaker_force(b, (enum breaker_state)9), SHOP_EINVALID);
    assert_state(BREAKER_CLOSED);
}

/* ---------------------------------------------------------------- observers */

TestSuite(observers_of_a_breaker, .init = setup, .fini = teardown);

Test(observers_of_a_breaker, receive_each_state_change_once_and_in_order)
{
    make(config());
    open_it();                              /* CLOSED -> OPEN          at T0 */
    clock_manual_advance(clock_, 10 * SEC); /* OPEN -> HALF_OPEN at +10 s */
    calls(3, FAIL);                         /* HALF_OPEN -> OPEN       at +10 s */
    clock_manual_advance(clock_, 10 * SEC); /* -> HALF_OPEN    at +20 s */
    calls(3, 0);                            /* HALF_OPEN -> CLOSED     at +20 s */
    assert_state(BREAKER_CLOSED);
    metrics();
    metrics(); /* looking twice changes nothing */
    struct {
        enum breaker_state from, to;
        int64_t at;
    } want[] = {{BREAKER_CLOSED, BREAKER_OPEN, T0},
                {BREAKER_OPEN, BREAKER_HALF_OPEN, T0 + 10 * SEC},
                {BREAKER_HALF_OPEN, BREAKER_OPEN, T0 + 10 * SEC},
                {BREAKER_OPEN, BREAKER_HALF_OPEN, T0 + 20 * SEC},
                {BREAKER_HALF_OPEN, BREAKER_CLOSED, T0 + 20 * SEC}};
    cr_assert_eq(nseen, 5, "saw %d events", nseen);
    for (int i = 0; i < 5; i++) {
        cr_assert_str_eq(seen[i].type, "BreakerStateChanged");
        cr_assert_str_eq(seen[i].e.name, "payment-gateway");
        cr_assert_eq(seen[i].e.from, want[i].from, "event %d", i);
        cr_assert_eq(seen[i].e.to, want[i].to, "event %d", i);
        cr_assert_eq(seen[i].e.at_us, want[i].at, "event %d", i);
    }
    cr_assert_float_eq(seen[0].e.failure_rate, 100.0, 1e-9);
    cr_assert_eq(seen[0].e.calls, 10);
    cr_assert_float_eq(seen[4].e.failure_rate, 0.0, 1e-9);
    cr_assert_eq(seen[4].e.calls, 3);
}

Test(observers_of_a_breaker, receive_each_refused_call)
{
    make(config());
    open_it();
    cr_assert_eq(call(0, MS), NOT_RUN);
    cr_assert_eq(call(0, MS), NOT_RUN);
    cr_assert_eq(nseen, 3);
    cr_assert_str_eq(seen[1].type, "BreakerCallNotPermitted");
    cr_assert_eq(seen[1].e.from, BREAKER_OPEN);
    cr_assert_eq(seen[1].e.to, BREAKER_OPEN);
    cr_assert_str_eq(seen[2].type, "BreakerCallNotPermitted");
}

static int failing_observer(void *ctx, const struct domain_event *e)
{
    (void)ctx;
    (void)e;
    return shop_error_set(SHOP_EINTERNAL, "observer broke");
}

Test(observers_of_a_breaker, cannot_replace_the_message_of_the_failed_call)
{
    cr_assert_eq(dispatcher_subscribe(&observers, "*", "broken", failing_observer, NULL), 0);
    make(config());
    calls(9, FAIL);
    struct breaker_permit permit;
    cr_assert_eq(breaker_try_acquire(b, &permit), 0);
    shop_error_set(SHOP_EUNAVAILABLE, "payment gateway did not answer");
    breaker_on_result(b, permit, FAIL, MS); /* opens: observers run */
    cr_assert_eq(nseen, 1);
    cr_assert_str_eq(shop_error_message(), "payment gateway did not answer");
    cr_assert_eq(call(0, MS), NOT_RUN);
    cr_assert_str_eq(shop_error_message(), "circuit breaker payment-gateway is open");
}

Test(observers_of_a_breaker, can_log_one_line_per_event)
{
    char *text = NULL;
    size_t len = 0;
    FILE *log = open_memstream(&text, &len);
    cr_assert_not_null(log);
    cr_assert_eq(dispatcher_subscribe(&observers, "*", "log", breaker_log_observer, log), 0);
    struct breaker_config c = config();
    c.failure_rate_threshold = 60;
    make(c);
    calls(6, 0);
    calls(4, FAIL);
    calls(2, FAIL); /* 6 of 10 failed */
    call(0, MS);
    fclose(log);
    cr_assert_str_eq(text, "circuit breaker payment-gateway: CLOSED -> OPEN (failure rate 60.0%, "
                           "slow calls 0.0% over 10 calls)\n"
                           "circuit breaker payment-gateway: call not permitted (OPEN)\n");
    free(text);
}

/* ---------------------------------------------------------------- settings, metrics */

TestSuite(a_breaker_configuration, .init = setup, .fini = teardown);

Test(a_breaker_configuration, has_defaults_a_payment_gateway_can_live_with)
{
    struct breaker_config c;
    breaker_config_init(&c, "payment-gateway", clock_);
    cr_assert_eq(c.window_type, BREAKER_WINDOW_COUNT);
    cr_assert_eq(c.window_size, 20);
    cr_assert_eq(c.minimum_calls, 10);
    cr_assert_float_eq(c.failure_rate_threshold, 50.0, 1e-9);
    cr_assert_eq(c.permitted_calls_in_half_open, 3);
    cr_assert_eq(c.max_wait_in_half_open_us, 30 * SEC);
    make(c);
    assert_state(BREAKER_CLOSED);
}

Test(a_breaker_configuration, is_refused_naming_the_setting_out_of_range)
{
    struct breaker_config c = config();
    c.failure_rate_threshold = 150;
    cr_assert_eq(breaker_new(&b, &c), SHOP_EINVALID);
    cr_assert_str_eq(shop_error_message(),
                     "circuit breaker payment-gateway: failure_rate_threshold must be in (0, 100]");
    c = config();
    c.max_wait_in_open_us = c.wait_in_open_us - 1;
    cr_assert_eq(breaker_new(&b, &c), SHOP_EINVALID);
    c = config();
    c.window_size = 0;
    cr_assert_eq(breaker_new(&b, &c), SHOP_EINVALID);
    c = config();
    c.permitted_calls_in_half_open = 0;
    cr_assert_eq(breaker_new(&b, &c), SHOP_EINVALID);
    c = config();
    c.clock = NULL;
    cr_assert_eq(breaker_new(&b, &c), SHOP_EINVALID);
    cr_assert_null(b);
}

Test(a_breaker_configuration, exports_its_metrics_for_prometheus)
{
    make(config());
    open_it();
    call(0, MS);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    breaker_write_metrics(&b, 1, out);
    fclose(out);
    cr_assert_not_null(
        strstr(text, "shop_breaker_state{name=\"payment-gateway\",state=\"open\"} 1\n"));
    cr_assert_not_null(
        strstr(text, "shop_breaker_state{name=\"payment-gateway\",state=\"closed\"} 0\n"));
    cr_assert_not_null(
        strstr(text, "shop_breaker_failure_rate{name=\"payment-gateway\"} 100.00\n"));
    cr_assert_not_null(strstr(
        text, "shop_breaker_calls_total{name=\"payment-gateway\",kind=\"not_permitted\"} 1\n"));
    cr_assert_not_null(
        strstr(text, "shop_breaker_calls_total{name=\"payment-gateway\",kind=\"failed\"} 10\n"));
    cr_assert_not_null(strstr(text, "# TYPE shop_breaker_calls_total counter\n"));
    free(text);
}

/* ---------------------------------------------------------------- threads */

TestSuite(a_shared_breaker, .init = setup, .fini = teardown);

static void *hammer(void *arg)
{
    (void)arg;
    for (int i = 0; i < 20000; i++) {
        struct breaker_permit permit;
        if (breaker_try_acquire(b, &permit) == 0)
            breaker_on_result(b, permit, i % 4 == 0 ? FAIL : 0, MS);
    }
    return NULL;
}

Test(a_shared_breaker, counts_every_call_of_several_threads)
{
    struct breaker_config c = config();
    c.window_size = 100;
    c.minimum_calls = 100;
    make(c); /* 25% failures: stays closed */
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        cr_assert_eq(pthread_create(&t[i], NULL, hammer, NULL), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    struct breaker_metrics m = metrics();
    cr_assert_eq(m.state, BREAKER_CLOSED);
    cr_assert_eq(m.successful_total + m.failed_total, 80000);
    cr_assert_eq(m.failed_total, 20000);
    cr_assert_eq(m.calls, 100);
}
