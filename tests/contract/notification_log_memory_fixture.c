/*
 * tests/contract/notification_log_memory_fixture.c — runs the notification-log contract
 * against the in-memory adapter, on a manual clock.
 */
#include "infrastructure/memory/clock_manual.h"
#include "infrastructure/memory/notification_log_memory.h"
#include "tests/contract/notification_log_contract.h"

#include <criterion/criterion.h>

static struct shop_clock *clock;

struct notification_log *contract_log_new(void)
{
    struct notification_log *log;
    cr_assert_eq(clock_manual_new(&clock, INT64_C(1718000000000000)), 0);
    cr_assert_eq(notification_log_memory_new(&log, clock), 0);
    return log;
}

void contract_log_free(struct notification_log *log)
{
    notification_log_free(log);
    shop_clock_free(clock);
    clock = NULL;
}
