/*
 * infrastructure/notifications/notification_log_pg.h — the Notifications context's log in
 * PostgreSQL: notifications.notifications and notifications.order_customers (migration
 * 0007).
 *
 * Pattern: an adapter (hexagonal architecture) of application/notifications/
 * notification_log.h whose write is idempotent in ONE statement: notifications.message_id
 * is unique, and record() is INSERT ... ON CONFLICT (message_id) DO NOTHING, so a second
 * record of the same message inserts no row (and, unlike a unique violation, does not
 * abort the caller's transaction: the consumer's handler runs inside the transaction
 * that also writes its inbox and checkpoint).
 * Read next: notification_log_pg.c, tests/contract/notification_log_contract.c
 */
#ifndef SHOP_INFRASTRUCTURE_NOTIFICATIONS_NOTIFICATION_LOG_PG_H
#define SHOP_INFRASTRUCTURE_NOTIFICATIONS_NOTIFICATION_LOG_PG_H

#include "application/notifications/notification_log.h"

#include <libpq-fe.h>

/*
 * A log on conn (borrowed: it must outlive the log), which runs as shop_notifications or
 * a role that may do what it may.  Prepares its statements on conn once:
 * SHOP_EUNAVAILABLE if the database is unreachable or not migrated.
 */
int notification_log_pg_new(struct notification_log **out, PGconn *conn);

#endif
