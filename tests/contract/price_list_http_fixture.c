/*
 * tests/contract/price_list_http_fixture.c — the price-list contract on the HTTP adapter
 * (infrastructure/ordering/price_list_http.c), asking the real Catalog service: started
 * in this process on a fresh, migrated database, its prices set through its own API as
 * its owner would.
 */
#include "infrastructure/ordering/price_list_http.h"
#include "tests/contract/price_list_contract.h"
#include "tests/support/test_db.h"
#include "tests/support/test_service.h"

#include "domain/shared/error.h"

#include <criterion/criterion.h>
#include <stdio.h>

static char db_name[TEST_DB_NAME_MAX];
static PGconn *db;
static struct test_service catalog;

struct price_list *contract_prices_new(void)
{
    struct price_list *p;
    db = test_db_create(db_name);
    test_db_migrate(db);
    test_service_start(&catalog, "catalog", db_name, NULL);
    cr_assert_eq(price_list_http_new(&p, catalog.url, PRICE_LIST_HTTP_TIMEOUT_MS), 0, "%s",
                 shop_error_message());
    return p;
}

void contract_prices_set(const char *code, const char *price)
{
    char body[256], path[128];
    struct test_reply r;
    snprintf(body, sizeof body, "{\"sku\":\"%s\",\"name\":\"Product %s\",\"price\":\"%s\"}", code,
             code, price);
    test_http(&r, catalog.url, "POST", "/products", body);
    int status = r.status;
    test_reply_dispose(&r);
    if (status == 422) { /* already sold: change its price instead */
        snprintf(body, sizeof body, "{\"price\":\"%s\"}", price);
        snprintf(path, sizeof path, "/products/%s/price", code);
        test_http(&r, catalog.url, "PUT", path, body);
        status = r.status;
        test_reply_dispose(&r);
    }
    cr_assert(status == 200 || status == 201, "setting %s to %s: %d", code, price, status);
}

void contract_prices_free(struct price_list *prices)
{
    price_list_free(prices);
    test_service_stop(&catalog);
    test_db_drop(db, db_name);
    db = NULL;
}
