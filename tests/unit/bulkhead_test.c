/*
 * tests/unit/bulkhead_test.c — the bulkhead: at most N calls in flight to a dependency,
 * the next refused at once, from one thread and from many.
 * Read next: infrastructure/resilience/bulkhead.h
 */
#include "infrastructure/resilience/bulkhead.h"

#include "domain/shared/error.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>

static struct bulkhead *carrier;

static void setup(void)
{
    cr_assert_eq(bulkhead_new(&carrier, "carrier", 8), 0);
}

static void teardown(void)
{
    bulkhead_free(carrier);
}

TestSuite(a_bulkhead, .init = setup, .fini = teardown);

Test(a_bulkhead, admits_up_to_its_bound_and_refuses_the_next_at_once)
{
    for (int i = 0; i < 8; i++)
        cr_assert_eq(bulkhead_try_enter(carrier), 0, "call %d", i + 1);
    cr_assert_eq(bulkhead_try_enter(carrier), SHOP_EUNAVAILABLE);
    cr_assert_str_eq(shop_error_message(), "bulkhead carrier is full (8 calls in flight)");
    struct bulkhead_metrics m;
    bulkhead_metrics(carrier, &m);
    cr_assert_eq(m.in_flight, 8);
    cr_assert_eq(m.admitted_total, 8);
    cr_assert_eq(m.refused_total, 1);
    for (int i = 0; i < 8; i++)
        bulkhead_leave(carrier);
}

Test(a_bulkhead, admits_again_when_a_call_leaves)
{
    for (int i = 0; i < 8; i++)
        cr_assert_eq(bulkhead_try_enter(carrier), 0);
    bulkhead_leave(carrier);
    cr_assert_eq(bulkhead_try_enter(carrier), 0);
    cr_assert_eq(bulkhead_try_enter(carrier), SHOP_EUNAVAILABLE);
    for (int i = 0; i < 8; i++)
        bulkhead_leave(carrier);
    struct bulkhead_metrics m;
    bulkhead_metrics(carrier, &m);
    cr_assert_eq(m.in_flight, 0);
}

Test(a_bulkhead, is_refused_without_room_for_a_call)
{
    struct bulkhead *none = NULL;
    cr_assert_eq(bulkhead_new(&none, "carrier", 0), SHOP_EINVALID);
    cr_assert_str_eq(shop_error_message(), "bulkhead carrier: max_calls must be at least 1");
    cr_assert_null(none);
}

/* 16 threads arrive together and hold what they got until all have tried. */
static pthread_barrier_t tried;
static atomic_int admitted;

static void *arrive(void *arg)
{
    (void)arg;
    int ok = bulkhead_try_enter(carrier) == 0;
    if (ok)
        atomic_fetch_add(&admitted, 1);
    pthread_barrier_wait(&tried);
    if (ok)
        bulkhead_leave(carrier);
    return NULL;
}

Test(a_bulkhead, admits_exactly_its_bound_of_threads_arriving_together)
{
    pthread_t t[16];
    pthread_barrier_init(&tried, NULL, 16);
    atomic_store(&admitted, 0);
    for (int i = 0; i < 16; i++)
        cr_assert_eq(pthread_create(&t[i], NULL, arrive, NULL), 0);
    for (int i = 0; i < 16; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&tried);
    cr_assert_eq(atomic_load(&admitted), 8);
    struct bulkhead_metrics m;
    bulkhead_metrics(carrier, &m);
    cr_assert_eq(m.refused_total, 8);
    cr_assert_eq(m.in_flight, 0);
}

/* Many threads enter and leave in a loop; inside, each counts the calls it sees. */
static atomic_int inside, most_inside;

static void *churn(void *arg)
{
    (void)arg;
    for (int i = 0; i < 50000; i++) {
        if (bulkhead_try_enter(carrier) < 0)
            continue;
        int now = atomic_fetch_add(&inside, 1) + 1;
        int seen = atomic_load(&most_inside);
        while (now > seen && !atomic_compare_exchange_weak(&most_inside, &seen, now))
            ;
        atomic_fetch_sub(&inside, 1);
        bulkhead_leave(carrier);
    }
    return NULL;
}

Test(a_bulkhead, never_has_more_calls_in_flight_than_its_bound_under_contention)
{
    bulkhead_free(carrier);
    cr_assert_eq(bulkhead_new(&carrier, "carrier", 3), 0);
    atomic_store(&inside, 0);
    atomic_store(&most_inside, 0);
    pthread_t t[12];
    for (int i = 0; i < 12; i++)
        cr_assert_eq(pthread_create(&t[i], NULL, churn, NULL), 0);
    for (int i = 0; i < 12; i++)
        pthread_join(t[i], NULL);
    cr_assert_leq(atomic_load(&most_inside), 3);
    struct bulkhead_metrics m;
    bulkhead_metrics(carrier, &m);
    cr_assert_eq(m.admitted_total + m.refused_total, 12 * 50000);
    cr_assert_eq(m.in_flight, 0);
}
