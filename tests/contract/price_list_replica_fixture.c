/*
 * tests/contract/price_list_replica_fixture.c — the price-list contract on Ordering's
 * replica (infrastructure/ordering/price_list_replica_pg.c), in a fresh, migrated
 * database, as the role shop_ordering.  The catalogue's owner sets a price the way
 * Catalog does it in production: by publishing catalog.ProductAdded (version 1) or
 * catalog.PriceChanged (the next version), which this fixture hands to the subscription's
 * handler in a transaction of its own, as the consumer would.
 */
#include "infrastructure/ordering/price_list_replica_pg.h"
#include "infrastructure/ordering/price_list_subscription.h"
#include "tests/contract/price_list_contract.h"
#include "tests/support/test_db.h"

#include "domain/shared/error.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

static char db_name[TEST_DB_NAME_MAX];
static PGconn *db;
static struct {
    char sku[40];
    int64_t version;
} published[16];
static size_t published_count;
static unsigned long messages;

struct price_list *contract_prices_new(void)
{
    struct price_list *p;
    db = test_db_create(db_name);
    test_db_migrate(db);
    test_db_exec(db, "SET ROLE shop_ordering");
    published_count = 0;
    cr_assert_eq(price_list_replica_pg_new(&p, db), 0, "%s", shop_error_message());
    return p;
}

void contract_prices_set(const char *code, const char *price)
{
    struct message m;
    size_t i = 0;
    char id[40];

    while (i < published_count && strcmp(published[i].sku, code) != 0)
        i++;
    if (i == published_count) {
        cr_assert(published_count < sizeof published / sizeof published[0]);
        snprintf(published[published_count].sku, sizeof published[0].sku, "%s", code);
        published[published_count++].version = 0;
    }
    int64_t version = ++published[i].version;
    char payload[512];
    memset(&m, 0, sizeof m);
    if (version == 1) {
        snprintf(m.type, sizeof m.type, "catalog.ProductAdded");
        snprintf(payload, sizeof payload,
                 "{\"sku\":\"%s\",\"name\":\"Product %s\",\"price\":\"%s\",\"catalog_version\":1,"
                 "\"added_at\":\"2024-06-10T06:13:20.000000Z\"}",
                 code, code, price);
    } else {
        snprintf(m.type, sizeof m.type, "catalog.PriceChanged");
        snprintf(payload, sizeof payload,
                 "{\"sku\":\"%s\",\"price\":\"%s\",\"catalog_version\":%lld,"
                 "\"changed_at\":\"2024-06-10T06:13:20.000000Z\"}",
                 code, price, (long long)version);
    }
    m.schema_version = 1;
    snprintf(m.source, sizeof m.source, "catalog");
    snprintf(m.stream, sizeof m.stream, "product-%s", code);
    m.payload = payload;
    snprintf(id, sizeof id, "0190a6f4-0000-7000-8000-%012lu", ++messages);
    cr_assert_eq(uuid_parse(&m.meta.message_id, id), 0);

    test_db_exec(db, "BEGIN");
    int rc = price_list_subscription_handle(db, &m);
    cr_assert_eq(rc, 0, "handling %s %s: %s", m.type, payload, shop_error_message());
    test_db_exec(db, "COMMIT");
}

void contract_prices_free(struct price_list *prices)
{
    price_list_free(prices);
    test_db_exec(db, "RESET ROLE");
    test_db_drop(db, db_name);
    db = NULL;
}
