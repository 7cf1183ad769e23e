/*
 * tests/contract/product_repository_contract.c — the promises of the product-repository
 * port, kept by every adapter.
 *
 * Pattern: contract tests.  This suite is compiled once per adapter and linked with that
 * adapter's fixture (tests/contract/product_repository_*_fixture.c: a new, empty
 * repository per test), so Catalog's products behave the same in PostgreSQL as in memory,
 * and the command handlers' tests on the in-memory twin say something about production.
 *
 * What a user relies on: a saved product loads as it was saved, at the next version; an
 * unknown SKU loads as "no such product" at version 0; the list is sorted by SKU; and a
 * save decided on a stale version — a second add of the same SKU, or two changes made on
 * the same version — is SHOP_ECONFLICT and changes nothing.  The transactional outbox:
 * every saved event is one outbox message (type, stream, payload of the published
 * language, the command's ids) written with the state, a save that conflicts writes no
 * message either, and a decision with no events writes nothing at all.
 * Read next: infrastructure/catalog/product_repository_pg.c,
 * infrastructure/memory/product_repository_memory.c
 */
#include "tests/contract/product_repository_contract.h"

#include "domain/shared/error.h"
#include "infrastructure/memory/id_generator_sequence.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <string.h>

/* When the events of this suite happen, and as the payloads show it. */
#define AT_US INT64_C(1717999000000000)
#define AT    "2024-06-10T05:56:40.000000Z"

static struct product_repository *products;
static uint64_t messages_made; /* for a new message id per save */

static void setup(void)
{
    messages_made = 0;
    products = contract_products_new();
}

static void teardown(void)
{
    contract_products_free(products);
}

static product a_product(const char *code, const char *name, const char *price)
{
    product p;
    product_init(&p);
    p.exists = true;
    cr_assert_eq(sku_parse(&p.sku, code), 0, "%s", shop_error_message());
    cr_assert_eq(product_name_parse(&p.name, name), 0, "%s", shop_error_message());
    cr_assert_eq(money_parse(&p.price, price, NULL), 0, "%s", shop_error_message());
    return p;
}

static sku sku_of(const char *code)
{
    sku s;
    cr_assert_eq(sku_parse(&s, code), 0);
    return s;
}

/* Loads code and asserts it is `expected` at `version`. */
static void expect_loaded(const char *code, const product *expected, int64_t version)
{
    product got;
    int64_t got_version = -1;
    sku s = sku_of(code);
    cr_assert_eq(product_repository_load(products, &got, &got_version, &s), 0, "%s",
                 shop_error_message());
    cr_expect(got.exists, "%s exists", code);
    cr_expect_str_eq(got.sku.code, expected->sku.code);
    cr_expect_str_eq(got.name.text, expected->name.text);
    cr_expect(money_equal(got.price, expected->price), "price of %s: %lld %s", code,
              (long long)got.price.minor, got.price.currency ? got.price.currency->code : "-");
    cr_expect_eq(got_version, version, "version of %s: %lld", code, (long long)got_version);
}

/* The ids of a command: a new message id each time, a fixed conversation. */
static struct message_meta a_meta(void)
{
    struct message_meta m = {0};
    m.message_id = id_generator_sequence_nth(++messages_made);
    m.correlation_id = id_generator_sequence_nth(1000);
    m.causation_id = id_generator_sequence_nth(2000);
    strcpy(m.traceparent, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    return m;
}

/* The event that leads to p from the version before: ProductAdded for a new product,
 * else PriceChanged to p's price. */
static product_event event_for(const product *p, int64_t expected_version)
{
    product_event e;
    memset(&e, 0, sizeof e);
    e.sku = p->sku;
    e.at_us = AT_US;
    if (expected_version == 0) {
        e.type = PRODUCT_ADDED;
        e.as.added.name = p->name;
        e.as.added.price = p->price;
    } else {
        e.type = PRODUCT_PRICE_CHANGED;
        e.as.price_changed.old_price = p->price;
        e.as.price_changed.new_price = p->price;
    }
    return e;
}

/* Saves p with its event through repository r, with a new message id. */
static int save_with(struct product_repository *r, const product *p, int64_t expected_version)
{
    product_event e = event_for(p, expected_version);
    struct message_meta meta = a_meta();
    return product_repository_save(r, p, expected_version, &e, 1, &meta);
}

static void save(const product *p, int64_t expected_version)
{
    cr_assert_eq(save_with(products, p, expected_version), 0, "%s", shop_error_message());
}

/* Asserts that message m carries payload_json (compared as JSON, whatever the key order
 * or spacing the adapter kept). */
static void expect_payload(const struct outgoing_message *m, const char *payload_json)
{
    cJSON *got = cJSON_Parse(m->payload), *want = cJSON_Parse(payload_json);
    cr_assert(want, "the test's JSON parses");
    cr_assert(got, "the payload is JSON: %s", m->payload);
    cr_expect(cJSON_Compare(got, want, 1), "payload %s, expected %s", m->payload, payload_json);
    cJSON_Delete(got);
    cJSON_Delete(want);
}

static size_t outbox_count(void)
{
    struct outgoing_message *m;
    size_t n;
    contract_products_outbox(&m, &n);
    contract_outbox_free(m, n);
    return n;
}

TestSuite(product_repository, .init = setup, .fini = teardown);

Test(product_repository, loads_an_unknown_sku_as_no_product_at_version_0)
{
    product got;
    int64_t version = -1;
    sku s = sku_of("NOPE-1");
    cr_assert_eq(product_repository_load(products, &got, &version, &s), 0, "%s",
                 shop_error_message());
    cr_expect_not(got.exists);
    cr_expect_eq(version, 0);
}

Test(product_repository, loads_a_new_product_as_saved_at_version_1)
{
    product mug = a_product("ABC-1", "Mug", "12.50 EUR");
    save(&mug, 0);
    expect_loaded("ABC-1", &mug, 1);
}

Test(product_repository, counts_every_save_in_the_version)
{
    product mug = a_product("ABC-1", "Mug", "12.50 EUR");
    save(&mug, 0);
    mug.price = a_product("ABC-1", "Mug", "13.00 EUR").price;
    save(&mug, 1);
    mug.price = a_product("ABC-1", "Mug", "14.00 USD").price;
    save(&mug, 2);
    expect_loaded("ABC-1", &mug, 3);
}

Test(product_repository, keeps_names_and_prices_exactly)
{
    char long_name[512] = "";
    for (int i = 0; i < 100; i++)
        strcat(long_name, "\xF0\x9F\x8D\xB5"); /* 100 characters of 4 bytes */
    product tea = a_product("TEA-1", long_name, "999999.99 EUR");
    product yen = a_product("JPY-1", "Caf\xC3\xA9 \"cr\xC3\xA8me\" 'x' \\", "1200 JPY");
    product fils = a_product("KWD-1", "  spaced  ", "0.001 KWD");
    save(&tea, 0);
    save(&yen, 0);
    save(&fils, 0);
    expect_loaded("TEA-1", &tea, 1);
    expect_loaded("JPY-1", &yen, 1);
    expect_loaded("KWD-1", &fils, 1);
}

Test(product_repository, refuses_adding_a_sku_twice_as_a_conflict)
{
    product mug = a_product("ABC-1", "Mug", "12.50 EUR");
    product other = a_product("ABC-1", "Another mug", "3.00 EUR");
    save(&mug, 0);
    cr_expect_eq(save_with(products, &other, 0), SHOP_ECONFLICT, "%s", shop_error_message());
    cr_expect(strstr(shop_error_message(), "ABC-1"), "the message names the SKU: %s",
              shop_error_message());
    expect_loaded("ABC-1", &mug, 1);
}

Test(product_repository, refuses_the_second_of_two_saves_from_the_same_version)
{
    product mug = a_product("ABC-1", "Mug", "12.50 EUR");
    save(&mug, 0);
    product first = mug, second = mug;
    first.price = a_product("ABC-1", "Mug", "13.00 EUR").price;
    second.price = a_product("ABC-1", "Mug", "14.00 EUR").price;
    save(&first, 1);
    cr_expect_eq(save_with(contract_products_other_writer(), &second, 1), SHOP_ECONFLICT, "%s",
                 shop_error_message());
    expect_loaded("ABC-1", &first, 2);
}

Test(product_repository, refuses_a_save_from_a_version_it_has_not_reached)
{
    product mug = a_product("ABC-1", "Mug", "12.50 EUR");
    save(&mug, 0);
    cr_expect_eq(save_with(products, &mug, 5), SHOP_ECONFLICT);
    product ghost = a_product("GHOST-1", "Ghost", "1.00 EUR");
    cr_expect_eq(save_with(products, &ghost, 1), SHOP_ECONFLICT,
                 "updating a product that was never added");
    product got;
    int64_t version;
    sku s = sku_of("GHOST-1");
    cr_assert_eq(product_repository_load(products, &got, &version, &s), 0);
    cr_expect_not(got.exists);
    expect_loaded("ABC-1", &mug, 1);
}

Test(product_repository, lists_nothing_when_empty)
{
    struct product_list list = {.count = 99};
    cr_assert_eq(product_repository_list(products, &list), 0, "%s", shop_error_message());
    cr_expect_eq(list.count, 0);
    product_list_dispose(&list);
}

Test(product_repository, lists_every_product_sorted_by_sku)
{
    const char *saved[] = {"B-2", "A-10", "A-1", "A", "9Z", "A-2", "ZZ"};
    const char *sorted[] = {"9Z", "A", "A-1", "A-10", "A-2", "B-2", "ZZ"};
    size_t n = sizeof saved / sizeof saved[0];
    for (size_t i = 0; i < n; i++) {
        product p = a_product(saved[i], saved[i], "1.00 EUR");
        save(&p, 0);
    }
    product changed = a_product("A-1", "Renamed", "2.00 EUR");
    save(&changed, 1);

    struct product_list list;
    cr_assert_eq(product_repository_list(products, &list), 0, "%s", shop_error_message());
    cr_assert_eq(list.count, n);
    for (size_t i = 0; i < n; i++) {
        cr_expect_str_eq(list.items[i].sku.code, sorted[i], "position %zu", i);
        cr_expect(list.items[i].exists);
    }
    cr_expect_str_eq(list.items[2].name.text, "Renamed", "the list shows the latest save");
    cr_expect(money_equal(list.items[2].price, changed.price));
    product_list_dispose(&list);
}

Test(product_repository, refuses_to_save_a_product_that_does_not_exist)
{
    product none;
    product_init(&none);
    none.sku = sku_of("ABC-1");
    cr_expect_eq(save_with(products, &none, 0), SHOP_EINVALID);
    struct product_list list;
    cr_assert_eq(product_repository_list(products, &list), 0);
    cr_expect_eq(list.count, 0);
    product_list_dispose(&list);
    cr_expect_eq(outbox_count(), 0);
}

/* ------------------------------------------------------------------ the outbox */

Test(product_repository, writes_one_outbox_message_per_saved_event)
{
    product mug = a_product("ABC-1", "Mug", "12.50 EUR");
    save(&mug, 0);
    mug.price = a_product("ABC-1", "Mug", "13.00 EUR").price;
    save(&mug, 1);

    struct outgoing_message *m;
    size_t n;
    contract_products_outbox(&m, &n);
    cr_assert_eq(n, 2, "one message per save, got %zu", n);
    cr_expect_str_eq(m[0].type, "catalog.ProductAdded");
    cr_expect_eq(m[0].schema_version, 1);
    cr_expect_str_eq(m[0].stream, "product-ABC-1");
    expect_payload(&m[0], "{\"sku\":\"ABC-1\",\"name\":\"Mug\",\"price\":\"12.50 EUR\","
                          "\"catalog_version\":1,\"added_at\":\"" AT "\"}");
    cr_expect_str_eq(m[1].type, "catalog.PriceChanged");
    cr_expect_eq(m[1].schema_version, 1);
    cr_expect_str_eq(m[1].stream, "product-ABC-1");
    expect_payload(&m[1], "{\"sku\":\"ABC-1\",\"price\":\"13.00 EUR\",\"catalog_version\":2,"
                          "\"changed_at\":\"" AT "\"}");
    contract_outbox_free(m, n);
}

Test(product_repository, gives_each_message_the_ids_of_its_command)
{
    product mug = a_product("ABC-1", "Mug", "12.50 EUR");
    save(&mug, 0);
    struct message_meta meta = a_meta(); /* what the next save will be given */
    messages_made--;
    mug.price = a_product("ABC-1", "Mug", "13.00 EUR").price;
    save(&mug, 1);

    struct outgoing_message *m;
    size_t n;
    contract_products_outbox(&m, &n);
    cr_assert_eq(n, 2);
    cr_expect(uuid_equal(m[1].meta.message_id, meta.message_id), "message id");
    cr_expect(uuid_equal(m[1].meta.correlation_id, meta.correlation_id), "correlation id");
    cr_expect(uuid_equal(m[1].meta.causation_id, meta.causation_id), "causation id");
    cr_expect_str_eq(m[1].meta.traceparent, meta.traceparent);
    cr_expect_not(uuid_equal(m[0].meta.message_id, m[1].meta.message_id),
                  "two events, two message ids");
    contract_outbox_free(m, n);
}

Test(product_repository, writes_neither_state_nor_message_when_a_save_conflicts)
{
    product mug = a_product("ABC-1", "Mug", "12.50 EUR");
    save(&mug, 0);
    product again = a_product("ABC-1", "Another mug", "3.00 EUR");
    cr_expect_eq(save_with(products, &again, 0), SHOP_ECONFLICT);
    product first = mug, second = mug;
    first.price = a_product("ABC-1", "Mug", "13.00 EUR").price;
    second.price = a_product("ABC-1", "Mug", "14.00 EUR").price;
    save(&first, 1);
    cr_expect_eq(save_with(contract_products_other_writer(), &second, 1), SHOP_ECONFLICT);

    expect_loaded("ABC-1", &first, 2);
    struct outgoing_message *m;
    size_t n;
    contract_products_outbox(&m, &n);
    cr_assert_eq(n, 2, "the add and the change that won; got %zu messages", n);
    expect_payload(&m[0], "{\"sku\":\"ABC-1\",\"name\":\"Mug\",\"price\":\"12.50 EUR\","
                          "\"catalog_version\":1,\"added_at\":\"" AT "\"}");
    expect_payload(&m[1], "{\"sku\":\"ABC-1\",\"price\":\"13.00 EUR\",\"catalog_version\":2,"
                          "\"changed_at\":\"" AT "\"}");
    contract_outbox_free(m, n);
}

Test(product_repository, writes_nothing_for_a_decision_without_events)
{
    product mug = a_product("ABC-1", "Mug", "12.50 EUR");
    struct message_meta meta = a_meta();
    cr_expect_eq(product_repository_save(products, &mug, 0, NULL, 0, &meta), 0, "%s",
                 shop_error_message());
    product got;
    int64_t version = -1;
    sku s = sku_of("ABC-1");
    cr_assert_eq(product_repository_load(products, &got, &version, &s), 0);
    cr_expect_not(got.exists, "no event, no change");
    cr_expect_eq(version, 0);
    cr_expect_eq(outbox_count(), 0);

    save(&mug, 0);
    cr_expect_eq(product_repository_save(products, &mug, 1, NULL, 0, &meta), 0);
    expect_loaded("ABC-1", &mug, 1);
    cr_expect_eq(outbox_count(), 1, "only the add's message");
}

Test(product_repository, refuses_events_without_a_message_id_and_writes_nothing)
{
    product mug = a_product("ABC-1", "Mug", "12.50 EUR");
    product_event e = event_for(&mug, 0);
    struct message_meta none = {0};
    cr_expect_eq(product_repository_save(products, &mug, 0, &e, 1, &none), SHOP_EINVALID);
    cr_expect_eq(product_repository_save(products, &mug, 0, &e, 1, NULL), SHOP_EINVALID);
    product got;
    int64_t version;
    sku s = sku_of("ABC-1");
    cr_assert_eq(product_repository_load(products, &got, &version, &s), 0);
    cr_expect_not(got.exists);
    cr_expect_eq(outbox_count(), 0);
}
