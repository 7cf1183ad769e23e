/*
 * tests/contract/notification_log_contract.h — what each adapter's fixture supplies to
 * the notification-log contract suite (tests/contract/notification_log_contract.c).
 */
#ifndef SHOP_TESTS_CONTRACT_NOTIFICATION_LOG_CONTRACT_H
#define SHOP_TESTS_CONTRACT_NOTIFICATION_LOG_CONTRACT_H

#include "application/notifications/notification_log.h"

/* A new, empty log (each test gets its own). */
struct notification_log *contract_log_new(void);
void contract_log_free(struct notification_log *log);

#endif
