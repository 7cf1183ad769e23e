/*
 * tests/integration/service_test.c — what every service gets from
 * infrastructure/service/serve.c, checked on every context: it runs as its own
 * context's database role (the grants of migration 0001 hold at run time), and its
 * GET /health tells the truth when the database goes away.
 */
#include "tests/support/test_db.h"
#include "tests/support/test_service.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char db_name[TEST_DB_NAME_MAX];
static PGconn *db;

static void setup(void)
{
    db = test_db_create(db_name);
    test_db_migrate(db);
}

static void teardown(void) { test_db_drop(db, db_name); }

TestSuite(a_context_service, .init = setup, .fini = teardown, .timeout = 60);

static const char *const contexts[] = {"catalog",  "ordering", "inventory",
                                       "payments", "shipping", "notifications"};

Test(a_context_service, runs_as_its_own_contexts_role)
{
    for (size_t i = 0; i < sizeof contexts / sizeof contexts[0]; i++) {
        struct test_service svc = {0};
        struct test_reply r;
        char role[64];
        test_service_start(&svc, contexts[i], db_name, NULL);
        test_http(&r, svc.url, "GET", "/health", NULL);
        snprintf(role, sizeof role, "shop_%s", contexts[i]);
        cr_expect_eq(r.status, 200, "%s: %d %s", contexts[i], r.status, r.body);
        cr_expect_str_eq(test_reply_string(&r, "db_role"), role);
        cr_expect_str_eq(test_reply_string(&r, "database"), "up");
        cr_expect_str_eq(test_reply_string(&r, "service"), contexts[i]);
        test_reply_dispose(&r);
        test_service_stop(&svc);
    }
}

Test(a_context_service, says_it_is_down_when_its_database_connection_is_lost_and_comes_back)
{
    struct test_service svc = {0};
    struct test_reply r;
    test_service_start(&svc, "catalog", db_name, NULL);
    test_http(&r, svc.url, "GET", "/health", NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    test_reply_dispose(&r);

    /* this test's database only: other tests run their own services at the same time */
    test_db_exec(db, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     "WHERE application_name = 'shop catalog' AND datname = current_database() "
                     "AND pid <> pg_backend_pid()");
    test_http(&r, svc.url, "GET", "/health", NULL);
    cr_expect_eq(r.status, 503, "%s", r.body);
    cr_expect_str_eq(test_reply_string(&r, "status"), "down");
    cr_expect_str_eq(test_reply_string(&r, "database"), "down");
    test_reply_dispose(&r);

    /* and a command answers 503 (retry later), not a crash */
    test_http(&r, svc.url, "GET", "/products", NULL);
    cr_expect_eq(r.status, 503, "%s", r.body);
    test_reply_dispose(&r);

    /* the database is still there: the service connects again by itself, and serves */
    int status = 0;
    for (int i = 0; i < 50 && status != 200; i++) {
        usleep(100 * 1000);
        test_http(&r, svc.url, "GET", "/health", NULL);
        status = r.status;
        test_reply_dispose(&r);
    }
    cr_expect_eq(status, 200, "the service did not connect again within 5 s");
    test_http(&r, svc.url, "POST", "/products",
              "{\"sku\":\"BACK-1\",\"name\":\"Back\",\"price\":\"1.00 EUR\"}");
    cr_expect_eq(r.status, 201, "%s", r.body);
    test_reply_dispose(&r);
    test_http(&r, svc.url, "GET", "/health", NULL);
    cr_expect_str_eq(test_reply_string(&r, "db_role"), "shop_catalog");
    test_reply_dispose(&r);
    test_service_stop(&svc);
}
