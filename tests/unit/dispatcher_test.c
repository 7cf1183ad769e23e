/*
 * tests/unit/dispatcher_test.c — the in-process observer of domain events
 * (application/messaging/dispatcher.c).
 *
 * Pattern: observer.  What an application service and its observers rely on: every
 * observer of an event's type is called once, in the order they subscribed; "*" observes
 * every type; an observer that fails is reported with its name and its message, the
 * observers after it still run, and the dispatcher returns how many failed (it never
 * passes a failure on as an error, so it cannot undo the change that happened); the table
 * has a fixed size and a subscription beyond it is refused.
 * Read next: infrastructure/messaging/observers.c (the observers the services subscribe),
 * tests/unit/order_observers_test.c (Ordering dispatching after the commit).
 */
#include "application/messaging/dispatcher.h"
#include "domain/shared/error.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

/* What the observers saw, in order: "name:type" entries. */
static char calls[64][64];
static size_t call_count;

/* What the dispatcher reported: one "observer|type|rc|message" entry per failure. */
static char reports[8][SHOP_ERROR_MESSAGE_MAX + 96];
static size_t report_count;

static void record(const char *name, const struct domain_event *e)
{
    cr_assert_lt(call_count, 64);
    snprintf(calls[call_count++], sizeof calls[0], "%s:%s", name, e->type);
}

static int price_log(void *ctx, const struct domain_event *e)
{
    (void)ctx;
    record("price log", e);
    return 0;
}

static int price_cache(void *ctx, const struct domain_event *e)
{
    (void)ctx;
    record("price cache", e);
    return 0;
}

static int audit(void *ctx, const struct domain_event *e)
{
    (void)ctx;
    record("audit", e);
    return 0;
}

static int broken_counter(void *ctx, const struct domain_event *e)
{
    (void)ctx;
    record("broken counter", e);
    return shop_error_set(SHOP_EUNAVAILABLE, "metrics sink is down");
}

/* An observer that counts into the int its ctx points at. */
static int counter(void *ctx, const struct domain_event *e)
{
    (void)e;
    ++*(int *)ctx;
    return 0;
}

static void report(void *log_ctx, const char *observer, const struct domain_event *e, int rc,
                   const char *message)
{
    int *seen = log_ctx;
    ++*seen;
    cr_assert_lt(report_count, 8);
    snprintf(reports[report_count++], sizeof reports[0], "%s|%s|%d|%s", observer, e->type, rc,
             message);
}

static void reset(void)
{
    call_count = 0;
    report_count = 0;
}

TestSuite(dispatching_a_domain_event, .init = reset);

static const struct domain_event price_changed = {.context = "catalog", .type = "PriceChanged"};
static const struct domain_event product_added = {.context = "catalog", .type = "ProductAdded"};

Test(dispatching_a_domain_event, calls_each_observer_of_its_type_once_in_subscription_order)
{
    struct dispatcher d;
    dispatcher_init(&d, NULL, NULL);
    cr_assert_eq(dispatcher_subscribe(&d, "PriceChanged", "price log", price_log, NULL), 0);
    cr_assert_eq(dispatcher_subscribe(&d, "ProductAdded", "audit", audit, NULL), 0);
    cr_assert_eq(dispatcher_subscribe(&d, "PriceChanged", "price cache", price_cache, NULL), 0);

    cr_assert_eq(dispatcher_dispatch(&d, &price_changed), 0);

    cr_assert_eq(call_count, 2);
    cr_assert_str_eq(calls[0], "price log:PriceChanged");
    cr_assert_str_eq(calls[1], "price cache:PriceChanged");
}

Test(dispatching_a_domain_event, reaches_no_observer_of_another_type)
{
    struct dispatcher d;
    dispatcher_init(&d, NULL, NULL);
    cr_assert_eq(dispatcher_subscribe(&d, "PriceChanged", "price log", price_log, NULL), 0);
    cr_assert_eq(dispatcher_subscribe(&d, "PriceChange", "price cache", price_cache, NULL), 0);

    cr_assert_eq(dispatcher_dispatch(&d, &product_added), 0);

    cr_assert_eq(call_count, 0, "an observer of another type (or a prefix of it) was called");
}

Test(dispatching_a_domain_event, reaches_an_observer_of_every_type_with_each_event)
{
    struct dispatcher d;
    dispatcher_init(&d, NULL, NULL);
    cr_assert_eq(dispatcher_subscribe(&d, "*", "audit", audit, NULL), 0);
    cr_assert_eq(dispatcher_subscribe(&d, "PriceChanged", "price log", price_log, NULL), 0);

    dispatcher_dispatch(&d, &product_added);
    dispatcher_dispatch(&d, &price_changed);

    cr_assert_eq(call_count, 3);
    cr_assert_str_eq(calls[0], "audit:ProductAdded");
    cr_assert_str_eq(calls[1], "audit:PriceChanged");
    cr_assert_str_eq(calls[2], "price log:PriceChanged");
}

Test(dispatching_a_domain_event, hands_each_observer_its_own_context)
{
    struct dispatcher d;
    int first = 0, second = 0;
    dispatcher_init(&d, NULL, NULL);
    cr_assert_eq(dispatcher_subscribe(&d, "*", "first", counter, &first), 0);
    cr_assert_eq(dispatcher_subscribe(&d, "PriceChanged", "second", counter, &second), 0);

    dispatcher_dispatch(&d, &price_changed);
    dispatcher_dispatch(&d, &price_changed);
    dispatcher_dispatch(&d, &product_added);

    cr_assert_eq(first, 3);
    cr_assert_eq(second, 2);
}

Test(dispatching_a_domain_event, reports_a_failing_observer_by_name_and_still_runs_the_others)
{
    struct dispatcher d;
    int reported = 0;
    dispatcher_init(&d, report, &reported);
    cr_assert_eq(dispatcher_subscribe(&d, "*", "broken counter", broken_counter, NULL), 0);
    cr_assert_eq(dispatcher_subscribe(&d, "PriceChanged", "price log", price_log, NULL), 0);
    cr_assert_eq(dispatcher_subscribe(&d, "*", "audit", audit, NULL), 0);

    size_t failed = dispatcher_dispatch(&d, &price_changed);

    cr_assert_eq(failed, 1);
    cr_assert_eq(call_count, 3, "the observers after the failing one were not called");
    cr_assert_str_eq(calls[1], "price log:PriceChanged");
    cr_assert_str_eq(calls[2], "audit:PriceChanged");
    cr_assert_eq(reported, 1);
    char expected[128];
    snprintf(expected, sizeof expected, "broken counter|PriceChanged|%d|metrics sink is down",
             SHOP_EUNAVAILABLE);
    cr_assert_str_eq(reports[0], expected);
}

Test(dispatching_a_domain_event, returns_how_many_observers_failed)
{
    struct dispatcher d;
    int reported = 0;
    dispatcher_init(&d, report, &reported);
    cr_assert_eq(dispatcher_subscribe(&d, "*", "broken counter", broken_counter, NULL), 0);
    cr_assert_eq(dispatcher_subscribe(&d, "*", "audit", audit, NULL), 0);
    cr_assert_eq(dispatcher_subscribe(&d, "PriceChanged", "broken counter", broken_counter, NULL),
                 0);

    cr_assert_eq(dispatcher_dispatch(&d, &price_changed), 2);
    cr_assert_eq(dispatcher_dispatch(&d, &product_added), 1);
    cr_assert_eq(reported, 3);
}

Test(dispatching_a_domain_event, counts_failures_without_a_log_function)
{
    struct dispatcher d;
    dispatcher_init(&d, NULL, NULL);
    cr_assert_eq(dispatcher_subscribe(&d, "*", "broken counter", broken_counter, NULL), 0);
    cr_assert_eq(dispatcher_subscribe(&d, "*", "audit", audit, NULL), 0);

    cr_assert_eq(dispatcher_dispatch(&d, &price_changed), 1);
    cr_assert_eq(call_count, 2);
}

Test(dispatching_a_domain_event, does_nothing_without_a_dispatcher)
{
    cr_assert_eq(dispatcher_dispatch(NULL, &price_changed), 0);
}

Test(subscribing_an_observer, is_refused_when_the_table_is_full_and_the_others_still_run)
{
    struct dispatcher d;
    int seen = 0;
    dispatcher_init(&d, NULL, NULL);
    for (int i = 0; i < DISPATCHER_MAX_OBSERVERS; i++)
        cr_assert_eq(dispatcher_subscribe(&d, "*", "counter", counter, &seen), 0);

    shop_error_clear();
    int rc = dispatcher_subscribe(&d, "*", "one too many", counter, &seen);

    cr_assert_eq(rc, SHOP_EINVALID);
    char expected[64];
    snprintf(expected, sizeof expected, "at most %d observers", DISPATCHER_MAX_OBSERVERS);
    cr_assert_neq(strstr(shop_error_message(), expected), NULL, "%s", shop_error_message());
    cr_assert_eq(d.count, DISPATCHER_MAX_OBSERVERS);
    cr_assert_eq(dispatcher_dispatch(&d, &price_changed), 0);
    cr_assert_eq(seen, DISPATCHER_MAX_OBSERVERS,
                 "the refused observer was called, or one was lost");
}
