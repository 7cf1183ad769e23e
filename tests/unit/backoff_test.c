/*
 * tests/unit/backoff_test.c — exponential backoff with full jitter (application/shared/backoff.h).
 *
 * What the consumer's retries rely on: each attempt may wait longer than the one before,
 * never longer than the cap; the wait is spread over the whole range (so consumers that
 * failed together do not come back together); the same seed gives the same schedule.
 * Read next: application/shared/backoff.c
 */
#include "application/shared/backoff.h"

#include <criterion/criterion.h>

static const struct backoff retry = {.base = 100, .cap = 30000};

Test(a_retry_schedule, doubles_its_bound_with_each_attempt_from_the_base)
{
    cr_assert_eq(backoff_bound(&retry, 1), 100);
    cr_assert_eq(backoff_bound(&retry, 2), 200);
    cr_assert_eq(backoff_bound(&retry, 3), 400);
    cr_assert_eq(backoff_bound(&retry, 9), 25600);
}

Test(a_retry_schedule, never_waits_longer_than_the_cap)
{
    cr_assert_eq(backoff_bound(&retry, 10), 30000);
    cr_assert_eq(backoff_bound(&retry, 64), 30000);
    cr_assert_eq(backoff_bound(&retry, 1000000), 30000, "a huge attempt must not overflow");
    struct backoff huge = {.base = INT64_MAX / 3, .cap = INT64_MAX};
    cr_assert_geq(backoff_bound(&huge, 40), INT64_MAX / 3);
}

Test(a_retry_schedule, counts_an_attempt_below_one_as_the_first)
{
    cr_assert_eq(backoff_bound(&retry, 0), 100);
    cr_assert_eq(backoff_bound(&retry, -5), 100);
}

Test(a_retry_delay, stays_between_zero_and_the_bound_of_its_attempt)
{
    uint64_t seed = 42;
    for (int attempt = 1; attempt <= 12; attempt++)
        for (int i = 0; i < 1000; i++) {
            int64_t d = backoff_delay(&retry, attempt, &seed);
            cr_assert(d >= 0 && d <= backoff_bound(&retry, attempt), "attempt %d waited %lld ms",
                      attempt, (long long)d);
        }
}

Test(a_retry_delay, is_spread_over_the_whole_range_full_jitter)
{
    /* Consumers failing at once must not come back at once: the draws cover both ends of
     * the range and are not all the same. */
    uint64_t seed = 7;
    int low = 0, high = 0;
    int64_t first = backoff_delay(&retry, 5, &seed), distinct = 0;
    for (int i = 0; i < 2000; i++) {
        int64_t d = backoff_delay(&retry, 5, &seed); /* bound 1600 */
        low += d < 400;
        high += d > 1200;
        distinct += d != first;
    }
    cr_assert_gt(low, 300, "only %d of 2000 waits in the lowest quarter", low);
    cr_assert_gt(high, 300, "only %d of 2000 waits in the highest quarter", high);
    cr_assert_gt(distinct, 1900);
}

Test(a_retry_delay, repeats_exactly_for_the_same_seed)
{
    uint64_t a = 1234, b = 1234, c = 1235;
    int differs_from_other_seed = 0;
    for (int attempt = 1; attempt <= 20; attempt++) {
        int64_t da = backoff_delay(&retry, attempt, &a);
        cr_assert_eq(da, backoff_delay(&retry, attempt, &b));
        differs_from_other_seed += da != backoff_delay(&retry, attempt, &c);
    }
    cr_assert_gt(differs_from_other_seed, 10);
}

Test(a_retry_delay, works_from_a_zero_seed)
{
    uint64_t seed = 0;
    int64_t sum = 0;
    for (int i = 0; i < 100; i++)
        sum += backoff_delay(&retry, 3, &seed);
    cr_assert_gt(sum, 0);
}

Test(a_retry_delay, spreads_its_waits_evenly_from_zero_to_the_bound)
{
    const struct backoff micro = {.base = 1000, .cap = 100000}; /* microseconds: any unit */
    uint64_t seed = 7;
    int64_t lo = INT64_MAX, hi = 0;
    int tenths[10] = {0};
    for (int i = 0; i < 10000; i++) {
        int64_t d = backoff_delay(&micro, 3, &seed); /* bound 4,000 */
        cr_assert(d >= 0 && d <= 4000, "drew %lld", (long long)d);
        lo = d < lo ? d : lo;
        hi = d > hi ? d : hi;
        tenths[d * 10 / 4001]++;
    }
    cr_assert_lt(lo, 40, "full jitter reaches down to 0");
    cr_assert_gt(hi, 3960, "and up to the bound");
    for (int i = 0; i < 10; i++) /* 1,000 expected in each tenth */
        cr_assert(tenths[i] > 850 && tenths[i] < 1150, "tenth %d holds %d", i, tenths[i]);
}
