/*
 * tests/integration/price_list_subscription_test.c — the subscription
 * "ordering.price-list" on a real connection: Catalog's messages handed to its handler
 * inside a transaction, as the consumer hands them, in a fresh, migrated database, as
 * the role shop_ordering.
 *
 * What Ordering relies on: a price change reaches the replica; an older catalog_version
 * that comes late never overwrites a newer price; a message handled twice changes
 * nothing; a payload that breaks the published language is SHOP_EINVALID (dead-lettered
 * at once) and writes nothing, while an unknown extra field is tolerated; a database
 * that is gone is a failure to retry, never SHOP_EINVALID.
 * Read next: infrastructure/ordering/price_list_subscription.c
 */
#include "infrastructure/ordering/price_list_replica_pg.h"
#include "infrastructure/ordering/price_list_subscription.h"
#include "tests/support/test_db.h"

#include "domain/shared/error.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char db_name[TEST_DB_NAME_MAX];
static PGconn *db;
static unsigned long messages;

static void setup(void)
{
    db = test_db_create(db_name);
    test_db_migrate(db);
    test_db_exec(db, "SET ROLE shop_ordering");
}

static void teardown(void)
{
    test_db_drop(db, db_name);
    db = NULL;
}

TestSuite(a_price_change, .init = setup, .fini = teardown, .timeout = 60);
TestSuite(a_catalog_message, .init = setup, .fini = teardown, .timeout = 60);

/* A message of type with payload, a new message id each time (or id_n if > 0). */
static struct message a_message(const char *type, const char *payload, unsigned long id_n)
{
    struct message m;
    char id[40];
    memset(&m, 0, sizeof m);
    snprintf(m.type, sizeof m.type, "%s", type);
    m.schema_version = 1;
    snprintf(m.source, sizeof m.source, "catalog");
    snprintf(m.stream, sizeof m.stream, "product-LAMP-1");
    m.payload = (char *)(uintptr_t)payload; /* borrowed: never freed here */
    snprintf(id, sizeof id, "0190a6f4-0000-7000-8000-%012lu", id_n ? id_n : ++messages);
    cr_assert_eq(uuid_parse(&m.meta.message_id, id), 0);
    return m;
}

/* Handles m in a transaction of its own, as the consumer does; returns the handler's code
 * (and rolls back when it failed). */
static int handle(const struct message *m)
{
    test_db_exec(db, "BEGIN");
    int rc = price_list_subscription_handle(db, m);
    test_db_exec(db, rc == 0 ? "COMMIT" : "ROLLBACK");
    return rc;
}

static void added(const char *code, const char *price)
{
    char payload[256];
    snprintf(payload, sizeof payload,
             "{\"sku\":\"%s\",\"name\":\"Lamp\",\"price\":\"%s\",\"catalog_version\":1,"
             "\"added_at\":\"2024-06-10T06:13:20.000000Z\"}",
             code, price);
    struct message m = a_message("catalog.ProductAdded", payload, 0);
    cr_assert_eq(handle(&m), 0, "%s", shop_error_message());
}

static char *changed_payload(const char *code, const char *price, int version)
{
    static char payload[256];
    snprintf(payload, sizeof payload,
             "{\"sku\":\"%s\",\"price\":\"%s\",\"catalog_version\":%d,"
             "\"changed_at\":\"2024-06-10T06:13:20.000000Z\"}",
             code, price, version);
    return payload;
}

static void changed(const char *code, const char *price, int version)
{
    struct message m = a_message("catalog.PriceChanged", changed_payload(code, price, version), 0);
    cr_assert_eq(handle(&m), 0, "%s", shop_error_message());
}

/* The replica's row as "price|version|message_id", or "none". */
static char *row_of(const char *code)
{
    struct price_list *list;
    sku s;
    money price;
    int64_t version;
    static char text[160];
    char amount[MONEY_FORMAT_MAX];

    cr_assert_eq(sku_parse(&s, code), 0);
    cr_assert_eq(price_list_replica_pg_new(&list, db), 0);
    int rc = price_list_replica_pg_lookup(list, &price, &version, &s);
    price_list_free(list);
    if (rc == SHOP_ENOTFOUND)
        return strcpy(text, "none");
    cr_assert_eq(rc, 0, "%s", shop_error_message());
    money_format(amount, sizeof amount, price);
    PGresult *res = PQexecParams(db, "SELECT message_id FROM ordering.prices WHERE sku = $1", 1,
                                 NULL, (const char *[]){code}, NULL, NULL, 0);
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQerrorMessage(db));
    snprintf(text, sizeof text, "%s|%lld|%s", amount, (long long)version, PQgetvalue(res, 0, 0));
    PQclear(res);
    return text;
}

static long rows(void)
{
    PGresult *res = PQexec(db, "SELECT count(*) FROM ordering.prices");
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQerrorMessage(db));
    long n = atol(PQgetvalue(res, 0, 0));
    PQclear(res);
    return n;
}

/* ------------------------------------------------------------------ the happy path */

Test(a_price_change, reaches_the_replica)
{
    added("LAMP-1", "24.90 EUR");
    cr_expect_str_eq(row_of("LAMP-1"), "24.90 EUR|1|0190a6f4-0000-7000-8000-000000000001");
    changed("LAMP-1", "19.99 EUR", 2);
    cr_expect_str_eq(row_of("LAMP-1"), "19.99 EUR|2|0190a6f4-0000-7000-8000-000000000002");
    changed("LAMP-1", "3.10 USD", 3);
    cr_expect_str_eq(row_of("LAMP-1"), "3.10 USD|3|0190a6f4-0000-7000-8000-000000000003");
}

Test(a_price_change, does_not_overwrite_a_newer_one_when_it_comes_late)
{
    added("LAMP-1", "24.90 EUR");
    changed("LAMP-1", "21.00 EUR", 3);
    changed("LAMP-1", "19.99 EUR", 2); /* older: a replay, a re-published message */
    cr_expect_str_eq(row_of("LAMP-1"), "21.00 EUR|3|0190a6f4-0000-7000-8000-000000000002");
    added("LAMP-1", "1.00 EUR"); /* the add again, version 1 */
    cr_expect_str_eq(row_of("LAMP-1"), "21.00 EUR|3|0190a6f4-0000-7000-8000-000000000002");
}

Test(a_price_change, that_comes_before_the_add_is_kept_and_the_add_ignored)
{
    changed("LAMP-1", "19.99 EUR", 2);
    added("LAMP-1", "24.90 EUR");
    cr_expect_str_eq(row_of("LAMP-1"), "19.99 EUR|2|0190a6f4-0000-7000-8000-000000000001");
}

Test(a_price_change, reaches_the_replica_once_when_delivered_twice)
{
    added("LAMP-1", "24.90 EUR");
    struct message m =
        a_message("catalog.PriceChanged", changed_payload("LAMP-1", "19.99 EUR", 2), 77);
    cr_assert_eq(handle(&m), 0, "%s", shop_error_message());
    char first[160];
    snprintf(first, sizeof first, "%s", row_of("LAMP-1"));
    PGresult *res = PQexec(db, "SELECT updated_at FROM ordering.prices");
    char *updated = strdup(PQgetvalue(res, 0, 0));
    PQclear(res);

    cr_assert_eq(handle(&m), 0, "a duplicate is handled (as nothing): %s", shop_error_message());
    cr_expect_str_eq(row_of("LAMP-1"), first);
    res = PQexec(db, "SELECT updated_at FROM ordering.prices");
    cr_expect_str_eq(PQgetvalue(res, 0, 0), updated, "the row was not even rewritten");
    PQclear(res);
    free(updated);
    cr_expect_eq(rows(), 1);
}

Test(a_price_change, keeps_products_apart)
{
    added("LAMP-1", "24.90 EUR");
    added("LAMP-10", "1.00 EUR");
    changed("LAMP-10", "2.00 EUR", 2);
    cr_expect(strncmp(row_of("LAMP-1"), "24.90 EUR|1|", 12) == 0, "%s", row_of("LAMP-1"));
    cr_expect(strncmp(row_of("LAMP-10"), "2.00 EUR|2|", 11) == 0, "%s", row_of("LAMP-10"));
    cr_expect_str_eq(row_of("NOPE-1"), "none");
}

Test(a_catalog_message, with_an_unknown_extra_field_is_read)
{
    struct message m = a_message("catalog.PriceChanged",
                                 "{\"sku\":\"LAMP-1\",\"price\":\"9.99 EUR\",\"catalog_version\":2,"
                                 "\"changed_at\":\"2024-06-10T06:13:20.000000Z\","
                                 "\"reason\":\"summer sale\"}",
                                 0);
    cr_expect_eq(handle(&m), 0, "%s", shop_error_message());
    cr_expect(strncmp(row_of("LAMP-1"), "9.99 EUR|2|", 11) == 0, "%s", row_of("LAMP-1"));
}

/* ------------------------------------------------------------------ poison messages */

static const struct {
    const char *type;
    int schema_version;
    const char *payload;
    const char *names; /* what the message must name */
} poison[] = {
    {"catalog.PriceChanged", 1, "not json", "not one JSON object"},
    {"catalog.PriceChanged", 1, "[1,2]", "not one JSON object"},
    {"catalog.PriceChanged", 1,
     "{\"sku\":\"LAMP-1\",\"price\":\"9.99 EUR\",\"catalog_version\":2,"
     "\"changed_at\":\"2024-06-10T06:13:20.000000Z\"} trailing",
     "not one JSON object"},
    {"catalog.PriceChanged", 1,
     "{\"sku\":\"LAMP-1\",\"price\":\"9.99\",\"catalog_version\":2,"
     "\"changed_at\":\"2024-06-10T06:13:20.000000Z\"}",
     "\"price\""},
    {"catalog.PriceChanged", 1,
     "{\"sku\":\"LAMP-1\",\"price\":9.99,\"catalog_version\":2,"
     "\"changed_at\":\"2024-06-10T06:13:20.000000Z\"}",
     "\"price\": must be a string"},
    {"catalog.PriceChanged", 1,
     "{\"sku\":\"LAMP-1\",\"price\":\"0.00 EUR\",\"catalog_version\":2,"
     "\"changed_at\":\"2024-06-10T06:13:20.000000Z\"}",
     "\"price\": must be above 0"},
    {"catalog.PriceChanged", 1,
     "{\"sku\":\"LAMP-1\",\"price\":\"9.999 EUR\",\"catalog_version\":2,"
     "\"changed_at\":\"2024-06-10T06:13:20.000000Z\"}",
     "\"price\""},
    {"catalog.PriceChanged", 1,
     "{\"price\":\"9.99 EUR\",\"catalog_version\":2,"
     "\"changed_at\":\"2024-06-10T06:13:20.000000Z\"}",
     "\"sku\": missing"},
    {"catalog.PriceChanged", 1,
     "{\"sku\":\"lamp-1\",\"price\":\"9.99 EUR\",\"catalog_version\":2,"
     "\"changed_at\":\"2024-06-10T06:13:20.000000Z\"}",
     "\"sku\""},
    {"catalog.PriceChanged", 1,
     "{\"sku\":\"LAMP-1\",\"price\":\"9.99 EUR\",\"catalog_version\":\"2\","
     "\"changed_at\":\"2024-06-10T06:13:20.000000Z\"}",
     "\"catalog_version\""},
    {"catalog.PriceChanged", 1,
     "{\"sku\":\"LAMP-1\",\"price\":\"9.99 EUR\",\"catalog_version\":2.5,"
     "\"changed_at\":\"2024-06-10T06:13:20.000000Z\"}",
     "\"catalog_version\""},
    {"catalog.PriceChanged", 1,
     "{\"sku\":\"LAMP-1\",\"price\":\"9.99 EUR\",\"catalog_version\":1,"
     "\"changed_at\":\"2024-06-10T06:13:20.000000Z\"}",
     "\"catalog_version\""},
    {"catalog.PriceChanged", 1,
     "{\"sku\":\"LAMP-1\",\"price\":\"9.99 EUR\",\"catalog_version\":1e300,"
     "\"changed_at\":\"2024-06-10T06:13:20.000000Z\"}",
     "\"catalog_version\""},
    {"catalog.PriceChanged", 1, "{\"sku\":\"LAMP-1\",\"price\":\"9.99 EUR\",\"catalog_version\":2}",
     "\"changed_at\": missing"},
    {"catalog.PriceChanged", 1,
     "{\"sku\":\"LAMP-1\",\"price\":\"9.99 EUR\",\"catalog_version\":2,"
     "\"changed_at\":\"yesterday\"}",
     "\"changed_at\""},
    {"catalog.ProductAdded", 1,
     "{\"sku\":\"LAMP-1\",\"price\":\"9.99 EUR\",\"catalog_version\":1,"
     "\"added_at\":\"2024-06-10T06:13:20.000000Z\"}",
     "\"name\": missing"},
    {"catalog.ProductAdded", 1,
     "{\"sku\":\"LAMP-1\",\"name\":\"Lamp\",\"price\":\"9.99 EUR\",\"catalog_version\":2,"
     "\"added_at\":\"2024-06-10T06:13:20.000000Z\"}",
     "added at version 1"},
    {"catalog.PriceChanged", 2,
     "{\"sku\":\"LAMP-1\",\"price\":\"9.99 EUR\",\"catalog_version\":2,"
     "\"changed_at\":\"2024-06-10T06:13:20.000000Z\"}",
     "version 2 is not known"},
    {"catalog.ProductRenamed", 1, "{\"sku\":\"LAMP-1\",\"name\":\"Lamp\"}",
     "catalog.ProductRenamed"},
};

Test(a_catalog_message, that_breaks_its_schema_is_refused_for_good_and_writes_nothing)
{
    for (size_t i = 0; i < sizeof poison / sizeof poison[0]; i++) {
        struct message m = a_message(poison[i].type, poison[i].payload, 0);
        m.schema_version = poison[i].schema_version;
        cr_expect_eq(handle(&m), SHOP_EINVALID, "case %zu (%s): %s", i, poison[i].payload,
                     shop_error_message());
        cr_expect(strstr(shop_error_message(), poison[i].names), "case %zu names %s: %s", i,
                  poison[i].names, shop_error_message());
    }
    cr_expect_eq(rows(), 0);
}

Test(a_catalog_message, finds_the_database_gone_a_failure_to_retry_not_a_poison)
{
    added("LAMP-1", "24.90 EUR");
    PGconn *admin = test_db_connect(db_name, NULL);
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(%d)", PQbackendPID(db));
    test_db_exec(admin, sql);
    PQfinish(admin);
    struct message m =
        a_message("catalog.PriceChanged", changed_payload("LAMP-1", "1.00 EUR", 2), 0);
    int rc = price_list_subscription_handle(db, &m);
    cr_expect_eq(rc, SHOP_EUNAVAILABLE, "%d: %s", rc, shop_error_message());
    PQreset(db); /* for the teardown */
}
