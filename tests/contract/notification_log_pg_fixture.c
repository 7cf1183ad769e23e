/*
 * tests/contract/notification_log_pg_fixture.c — runs the notification-log contract
 * against the PostgreSQL adapter, each test in a fresh, migrated database, connected as
 * the Notifications context's role (SET ROLE shop_notifications, as the service and its
 * consumer do), so the suite also proves that the role's grants are enough.
 */
#include "infrastructure/notifications/notification_log_pg.h"
#include "tests/contract/notification_log_contract.h"
#include "tests/support/test_db.h"

#include "domain/shared/error.h"

#include <criterion/criterion.h>

static char db_name[TEST_DB_NAME_MAX];
static PGconn *db;

struct notification_log *contract_log_new(void)
{
    struct notification_log *log;
    db = test_db_create(db_name);
    test_db_migrate(db);
    test_db_exec(db, "SET ROLE shop_notifications");
    cr_assert_eq(notification_log_pg_new(&log, db), 0, "%s", shop_error_message());
    return log;
}

void contract_log_free(struct notification_log *log)
{
    notification_log_free(log);
    test_db_drop(db, db_name);
    db = NULL;
}
