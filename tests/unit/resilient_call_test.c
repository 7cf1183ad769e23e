/*
 * tests/unit/resilient_call_test.c — one call through bulkhead → breaker → retry →
 * deadline, with a fake carrier whose answers and durations the test chooses, on a
 * manual clock.
 * Read next: infrastructure/resilience/resilient_call.h
 */
#include "infrastructure/resilience/resilient_call.h"

#include "domain/shared/error.h"
#include "infrastructure/memory/clock_manual.h"

#include <criterion/criterion.h>

#define T0  1718000000000000
#define SEC 1000000
#define MS  1000

static struct shop_clock *clock_;
static struct bulkhead *bulkhead;
static struct breaker *breaker;
static struct retry *retry;
static struct resilience carrier;

static void advance(void *ctx, int64_t us)
{
    (void)ctx;
    clock_manual_advance(clock_, us);
}

/* The fake carrier: fails its first `failures` calls, each call takes `takes_us`. */
struct fake {
    int failures, calls;
    int64_t takes_us;
    int64_t remaining[8];
};

static int book(void *ctx, const struct deadline *d)
{
    struct fake *f = ctx;
    if (f->calls < 8)
        f->remaining[f->calls] = deadline_remaining_us(d);
    f->calls++;
    clock_manual_advance(clock_, f->takes_us);
    if (f->calls <= f->failures)
        return shop_error_set(SHOP_EUNAVAILABLE, "carrier did not answer");
    return 0;
}

static void setup(void)
{
    cr_assert_eq(clock_manual_new(&clock_, T0), 0);
    cr_assert_eq(bulkhead_new(&bulkhead, "carrier", 2), 0);
    struct breaker_config bc;
    breaker_config_init(&bc, "carrier", clock_);
    bc.window_size = 4;
    bc.minimum_calls = 4;
    cr_assert_eq(breaker_new(&breaker, &bc), 0);
    struct retry_config rc;
    retry_config_init(&rc, "carrier", clock_);
    rc.sleep = advance;
    rc.seed = 1;
    cr_assert_eq(retry_new(&retry, &rc), 0);
    carrier = (struct resilience){bulkhead, breaker, retry, clock_, 5 * SEC};
}

static void teardown(void)
{
    retry_free(retry);
    breaker_free(breaker);
    bulkhead_free(bulkhead);
    shop_clock_free(clock_);
}

static struct breaker_metrics breaker_now(void)
{
    struct breaker_metrics m;
    breaker_metrics(breaker, &m);
    return m;
}

TestSuite(a_resilient_call, .init = setup, .fini = teardown);

Test(a_resilient_call, passes_a_good_call_through_every_piece_once)
{
    struct fake f = {0, 0, 10 * MS, {0}};
    cr_assert_eq(resilient_call(&carrier, RETRY_IDEMPOTENT, NULL, book, &f), 0);
    cr_assert_eq(f.calls, 1);
    cr_assert_eq(breaker_now().successful_total, 1);
    struct bulkhead_metrics b;
    bulkhead_metrics(bulkhead, &b);
    cr_assert_eq(b.in_flight, 0);
    cr_assert_eq(b.admitted_total, 1);
}

Test(a_resilient_call, retries_inside_one_breaker_call)
{
    struct fake f = {2, 0, 10 * MS, {0}};
    cr_assert_eq(resilient_call(&carrier, RETRY_IDEMPOTENT, NULL, book, &f), 0);
    cr_assert_eq(f.calls, 3);
    struct breaker_metrics m = breaker_now();
    cr_assert_eq(m.successful_total, 1, "the breaker counts the logical call");
    cr_assert_eq(m.failed_total, 0);
}

Test(a_resilient_call, fails_fast_without_calling_while_the_breaker_is_open)
{
    struct fake f = {1000, 0, 10 * MS, {0}};
    for (int i = 0; i < 4; i++)
        cr_assert_eq(resilient_call(&carrier, RETRY_NOT_IDEMPOTENT, NULL, book, &f),
                     SHOP_EUNAVAILABLE);
    cr_assert_eq(breaker_now().state, BREAKER_OPEN);
    int before = f.calls;
    cr_assert_eq(resilient_call(&carrier, RETRY_IDEMPOTENT, NULL, book, &f), SHOP_EUNAVAILABLE);
    cr_assert_str_eq(shop_error_message(), "circuit breaker carrier is open");
    cr_assert_eq(f.calls, before, "the carrier was not called");
    struct bulkhead_metrics b;
    bulkhead_metrics(bulkhead, &b);
    cr_assert_eq(b.in_flight, 0, "the refused call gave its place back");
}

Test(a_resilient_call, is_refused_by_a_full_bulkhead_before_the_breaker_hears_of_it)
{
    cr_assert_eq(bulkhead_try_enter(bulkhead), 0);
    cr_assert_eq(bulkhead_try_enter(bulkhead), 0);
    struct fake f = {0, 0, 0, {0}};
    cr_assert_eq(resilient_call(&carrier, RETRY_IDEMPOTENT, NULL, book, &f), SHOP_EUNAVAILABLE);
    cr_assert_str_eq(shop_error_message(), "bulkhead carrier is full (2 calls in flight)");
    cr_assert_eq(f.calls, 0);
    struct breaker_metrics m = breaker_now();
    cr_assert_eq(m.successful_total + m.failed_total + m.not_permitted_total, 0);
    bulkhead_leave(bulkhead);
    bulkhead_leave(bulkhead);
}

Test(a_resilient_call, gives_each_attempt_the_time_left_of_the_earlier_deadline)
{
    struct fake f = {1, 0, 100 * MS, {0}};
    struct deadline saga = deadline_after(clock_, 60 * SEC);
    cr_assert_eq(resilient_call(&carrier, RETRY_IDEMPOTENT, &saga, book, &f), 0);
    cr_assert_eq(f.remaining[0], 5 * SEC, "the carrier's own 5 s, inside the saga's 60 s");
    cr_assert_lt(f.remaining[1], 5 * SEC - 100 * MS + 1);
    struct deadline soon = deadline_after(clock_, 1 * SEC);
    f = (struct fake){0, 0, 0, {0}};
    cr_assert_eq(resilient_call(&carrier, RETRY_IDEMPOTENT, &soon, book, &f), 0);
    cr_assert_eq(f.remaining[0], 1 * SEC, "the saga's 1 s left, inside the carrier's 5 s");
}

Test(a_resilient_call, does_not_count_a_deadline_passed_before_the_call_against_the_carrier)
{
    struct deadline passed = deadline_after(clock_, 0);
    struct fake f = {0, 0, 0, {0}};
    cr_assert_eq(resilient_call(&carrier, RETRY_IDEMPOTENT, &passed, book, &f), SHOP_EUNAVAILABLE);
    cr_assert_str_eq(shop_error_message(), "deadline passed before the call");
    cr_assert_eq(f.calls, 0);
    cr_assert_eq(breaker_now().failed_total, 0);
}

Test(a_resilient_call, reports_the_whole_time_of_its_attempts_to_the_breaker)
{
    struct fake f = {0, 0, 3 * SEC, {0}}; /* slower than the 2 s slow-call duration */
    cr_assert_eq(resilient_call(&carrier, RETRY_IDEMPOTENT, NULL, book, &f), 0);
    cr_assert_eq(breaker_now().slow_total, 1);
}

Test(a_resilient_call, works_without_any_of_the_optional_pieces)
{
    struct resilience bare = {NULL, NULL, NULL, clock_, 0};
    struct fake f = {1, 0, 0, {0}};
    cr_assert_eq(resilient_call(&bare, RETRY_IDEMPOTENT, NULL, book, &f), SHOP_EUNAVAILABLE);
    cr_assert_eq(f.calls, 1, "no retry without one");
    cr_assert_eq(resilient_call(&bare, RETRY_IDEMPOTENT, NULL, book, &f), 0);
}
