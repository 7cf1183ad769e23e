/*
 * infrastructure/memory/notification_log_memory.h — the Notifications context's log
 * held in memory.
 *
 * Pattern: the in-memory twin of an adapter (hexagonal architecture).  It keeps the same
 * promises as the PostgreSQL log — one notification per message id, the first customer
 * of an order stays, newest first — because it runs the same contract suite
 * (tests/contract/notification_log_contract.c), so the application service's tests can
 * use it in place of a database.
 * Read next: infrastructure/notifications/notification_log_pg.c, the real one.
 */
#ifndef SHOP_INFRASTRUCTURE_MEMORY_NOTIFICATION_LOG_MEMORY_H
#define SHOP_INFRASTRUCTURE_MEMORY_NOTIFICATION_LOG_MEMORY_H

#include "application/notifications/notification_log.h"
#include "application/shared/clock.h"

/* An empty log; recorded_at comes from clock (borrowed, outlives the log).  Free it with
 * notification_log_free. */
int notification_log_memory_new(struct notification_log **out, struct shop_clock *clock);

#endif
