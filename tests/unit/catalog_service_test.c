/*
 * tests/unit/catalog_service_test.c — Catalog's command handlers on in-memory adapters.
 *
 * The aggregate's rules are tested in product_test.c; here what the handlers add: the
 * state is saved at the version it was decided on, with its events (the repository's
 * outbox gets one message each, with the command's ids), a no-op saves nothing, and a
 * save that loses a race is decided again on the winner's state — at most max_attempts
 * times.  After a save the events go to the observers, whose failures change nothing.
 * The race is staged by a repository that wraps the in-memory one and lets "another
 * writer" save just before the handler's save (racing_repository below).
 * Read next: application/catalog/catalog_service.c
 */
#include "application/catalog/catalog_service.h"
#include "domain/shared/error.h"
#include "infrastructure/memory/clock_manual.h"
#include "infrastructure/memory/id_generator_sequence.h"
#include "infrastructure/memory/product_repository_memory.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#define NOW INT64_C(1718000000000000)

/* A repository that, before each of the next `races` saves, saves `rival` first. */
struct racing_repository {
    struct product_repository base;
    struct product_repository *inner;
    int races;
    int saves; /* saves the handler attempted */
    product rival;
};

static int racing_load(struct product_repository *self, product *out, int64_t *v, const sku *s)
{
    struct racing_repository *r = (struct racing_repository *)self;
    return product_repository_load(r->inner, out, v, s);
}

static int racing_list(struct product_repository *self, struct product_list *out)
{
    struct racing_repository *r = (struct racing_repository *)self;
    return product_repository_list(r->inner, out);
}

static int racing_save(struct product_repository *self, const product *state, int64_t expected,
                       const product_event *events, size_t n, const struct message_meta *meta)
{
    struct racing_repository *r = (struct racing_repository *)self;
    r->saves++;
    if (r->races > 0) {
        product current;
        int64_t version;
        product_event rival_event = {.sku = r->rival.sku, .at_us = NOW};
        struct message_meta rival_meta = {.message_id = id_generator_sequence_nth(900 + r->races)};
        r->races--;
        cr_assert_eq(product_repository_load(r->inner, &current, &version, &r->rival.sku), 0);
        if (version == 0) {
            rival_event.type = PRODUCT_ADDED;
            rival_event.as.added.name = r->rival.name;
            rival_event.as.added.price = r->rival.price;
        } else {
            rival_event.type = PRODUCT_PRICE_CHANGED;
            rival_event.as.price_changed.old_price = current.price;
            rival_event.as.price_changed.new_price = r->rival.price;
        }
        cr_assert_eq(
            product_repository_save(r->inner, &r->rival, version, &rival_event, 1, &rival_meta), 0,
            "%s", shop_error_message());
    }
    return product_repository_save(r->inner, state, expected, events, n, meta);
}

static void racing_free(struct product_repository *self)
{
    (void)self;
}

static struct product_repository *memory;
static struct racing_repository racing;
static struct shop_clock *clock_;
static struct id_generator *ids;
static struct catalog_service svc;

static void setup(void)
{
    cr_assert_eq(product_repository_memory_new(&memory), 0);
    cr_assert_eq(clock_manual_new(&clock_, NOW), 0);
    cr_assert_eq(id_generator_sequence_new(&ids), 0);
    racing = (struct racing_repository){
        {PRODUCT_REPOSITORY_VERSION, racing_load, racing_list, racing_save, racing_free},
        .inner = memory};
    svc = (struct catalog_service){.products = &racing.base, .clock = clock_, .ids = ids};
}

static void teardown(void)
{
    product_repository_free(memory);
    shop_clock_free(clock_);
    id_generator_free(ids);
}

TestSuite(catalog_service, .init = setup, .fini = teardown);

static sku sku_of(const char *code)
{
    sku s;
    cr_assert_eq(sku_parse(&s, code), 0);
    return s;
}

static product_name name_of(const char *text)
{
    product_name n;
    cr_assert_eq(product_name_parse(&n, text), 0);
    return n;
}

static money price(const char *text)
{
    money m;
    cr_assert_eq(money_parse(&m, text, NULL), 0, "%s", shop_error_message());
    return m;
}

static int add(const char *code, const char *name, const char *amount)
{
    product out;
    sku s = sku_of(code);
    product_name n = name_of(name);
    return catalog_service_add(&out, &svc, &s, &n, price(amount), NULL);
}

static int64_t stored_version(const char *code)
{
    product p;
    int64_t v;
    sku s = sku_of(code);
    cr_assert_eq(product_repository_load(memory, &p, &v, &s), 0);
    return v;
}

Test(catalog_service, adds_a_product_and_returns_it_as_saved)
{
    product out;
    sku s = sku_of("ABC-1");
    product_name n = name_of("Mug");
    cr_assert_eq(catalog_service_add(&out, &svc, &s, &n, price("12.50 EUR"), NULL), 0, "%s",
                 shop_error_message());
    cr_expect(out.exists);
    cr_expect_str_eq(out.sku.code, "ABC-1");
    cr_expect_str_eq(out.name.text, "Mug");
    cr_expect(money_equal(out.price, price("12.50 EUR")));
    cr_expect_eq(stored_version("ABC-1"), 1);
}

Test(catalog_service, refuses_adding_a_sku_twice_and_keeps_the_first)
{
    cr_assert_eq(add("ABC-1", "Mug", "12.50 EUR"), 0);
    cr_expect_eq(add("ABC-1", "Other", "1.00 EUR"), SHOP_EREFUSED);
    cr_expect_str_eq(shop_error_message(), "product ABC-1 already exists");
    product p;
    sku s = sku_of("ABC-1");
    cr_assert_eq(catalog_service_get(&p, &svc, &s), 0);
    cr_expect_str_eq(p.name.text, "Mug");
}

Test(catalog_service, changes_a_price_at_the_next_version)
{
    product out;
    sku s = sku_of("ABC-1");
    cr_assert_eq(add("ABC-1", "Mug", "12.50 EUR"), 0);
    cr_assert_eq(catalog_service_change_price(&out, &svc, &s, price("13.00 EUR"), NULL), 0, "%s",
                 shop_error_message());
    cr_expect(money_equal(out.price, price("13.00 EUR")));
    cr_expect_str_eq(out.name.text, "Mug");
    cr_expect_eq(stored_version("ABC-1"), 2);
}

Test(catalog_service, saves_nothing_when_the_price_is_the_one_it_has)
{
    product out;
    sku s = sku_of("ABC-1");
    cr_assert_eq(add("ABC-1", "Mug", "12.50 EUR"), 0);
    int saves = racing.saves;
    cr_assert_eq(catalog_service_change_price(&out, &svc, &s, price("12.50 EUR"), NULL), 0);
    cr_expect_eq(racing.saves, saves, "no save for a no-op");
    cr_expect_eq(stored_version("ABC-1"), 1);
    cr_expect(money_equal(out.price, price("12.50 EUR")), "the product is returned as it is");
}

Test(catalog_service, says_unknown_sku_for_a_price_change_of_a_product_it_does_not_have)
{
    product out;
    sku s = sku_of("ABC-1");
    cr_expect_eq(catalog_service_change_price(&out, &svc, &s, price("1.00 EUR"), NULL),
                 SHOP_ENOTFOUND);
    cr_expect_str_eq(shop_error_message(), "unknown SKU ABC-1");
    cr_expect_eq(catalog_service_get(&out, &svc, &s), SHOP_ENOTFOUND);
    cr_expect_str_eq(shop_error_message(), "unknown SKU ABC-1");
}

Test(catalog_service, refuses_a_bad_price_and_saves_nothing)
{
    cr_expect_eq(add("ABC-1", "Mug", "0.00 EUR"), SHOP_EINVALID);
    cr_expect_eq(racing.saves, 0);
    cr_expect_eq(stored_version("ABC-1"), 0);
}

Test(catalog_service, decides_again_on_the_winners_state_after_losing_a_race)
{
    product out;
    sku s = sku_of("ABC-1");
    cr_assert_eq(add("ABC-1", "Mug", "12.50 EUR"), 0);
    racing.rival = (product){.exists = true, .sku = s, .name = name_of("Mug")};
    racing.rival.price = price("20.00 EUR");
    racing.races = 1;
    racing.saves = 0;
    cr_assert_eq(catalog_service_change_price(&out, &svc, &s, price("13.00 EUR"), NULL), 0, "%s",
                 shop_error_message());
    cr_expect_eq(racing.saves, 2, "one lost race, one save that won");
    cr_expect(money_equal(out.price, price("13.00 EUR")));
    cr_expect_eq(stored_version("ABC-1"), 3, "the rival's save and ours");
}

Test(catalog_service, refuses_an_add_that_lost_the_race_to_the_same_sku)
{
    sku s = sku_of("ABC-1");
    racing.rival = (product){.exists = true, .sku = s, .name = name_of("First")};
    racing.rival.price = price("1.00 EUR");
    racing.races = 1;
    cr_expect_eq(add("ABC-1", "Second", "2.00 EUR"), SHOP_EREFUSED);
    cr_expect_str_eq(shop_error_message(), "product ABC-1 already exists");
    cr_expect_eq(racing.saves, 1, "decided again on the winner's product, and refused");
}

Test(catalog_service, gives_up_with_a_conflict_after_max_attempts)
{
    product out;
    sku s = sku_of("ABC-1");
    cr_assert_eq(add("ABC-1", "Mug", "12.50 EUR"), 0);
    racing.rival = (product){.exists = true, .sku = s, .name = name_of("Mug")};
    racing.rival.price = price("20.00 EUR");
    racing.races = 1000;
    racing.saves = 0;
    svc.max_attempts = 3;
    cr_expect_eq(catalog_service_change_price(&out, &svc, &s, price("13.00 EUR"), NULL),
                 SHOP_ECONFLICT);
    cr_expect_str_eq(shop_error_message(),
                     "product ABC-1 was changed by another writer on each of 3 attempts");
    cr_expect_eq(racing.saves, 3);
}

Test(catalog_service, lists_products_sorted_by_sku)
{
    cr_assert_eq(add("B-1", "Bowl", "3.00 EUR"), 0);
    cr_assert_eq(add("A-1", "Mug", "12.50 EUR"), 0);
    struct product_list list;
    cr_assert_eq(catalog_service_list(&list, &svc), 0);
    cr_assert_eq(list.count, 2);
    cr_expect_str_eq(list.items[0].sku.code, "A-1");
    cr_expect_str_eq(list.items[1].sku.code, "B-1");
    product_list_dispose(&list);
}

/* ------------------------------------------------------------------ publishing */

static void outbox(const struct outgoing_message **m, size_t *n)
{
    product_repository_memory_outbox(memory, m, n);
}

Test(catalog_service, hands_the_decided_event_to_the_outbox_with_the_commands_ids)
{
    product out;
    sku s = sku_of("ABC-1");
    product_name n = name_of("Mug");
    struct message_meta meta = {.message_id = id_generator_sequence_nth(500),
                                .correlation_id = id_generator_sequence_nth(600),
                                .causation_id = id_generator_sequence_nth(700)};
    strcpy(meta.traceparent, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    cr_assert_eq(catalog_service_add(&out, &svc, &s, &n, price("12.50 EUR"), &meta), 0, "%s",
                 shop_error_message());

    const struct outgoing_message *m;
    size_t count;
    outbox(&m, &count);
    cr_assert_eq(count, 1);
    cr_expect_str_eq(m[0].type, "catalog.ProductAdded");
    cr_expect_str_eq(m[0].stream, "product-ABC-1");
    cr_expect(uuid_equal(m[0].meta.message_id, meta.message_id));
    cr_expect(uuid_equal(m[0].meta.correlation_id, meta.correlation_id));
    cr_expect(uuid_equal(m[0].meta.causation_id, meta.causation_id));
    cr_expect_str_eq(m[0].meta.traceparent, meta.traceparent);
}

Test(catalog_service, starts_a_conversation_for_a_command_without_ids)
{
    cr_assert_eq(add("ABC-1", "Mug", "12.50 EUR"), 0);
    const struct outgoing_message *m;
    size_t count;
    outbox(&m, &count);
    cr_assert_eq(count, 1);
    cr_expect(uuid_equal(m[0].meta.message_id, id_generator_sequence_nth(1)),
              "a new message id from the id generator");
    cr_expect(uuid_equal(m[0].meta.correlation_id, m[0].meta.message_id),
              "the conversation is named after its first message");
    cr_expect(uuid_is_nil(m[0].meta.causation_id), "a user's command has no cause");
}

Test(catalog_service, publishes_once_under_one_message_id_after_losing_a_race)
{
    product out;
    sku s = sku_of("ABC-1");
    cr_assert_eq(add("ABC-1", "Mug", "12.50 EUR"), 0);
    racing.rival = (product){.exists = true, .sku = s, .name = name_of("Mug")};
    racing.rival.price = price("20.00 EUR");
    racing.races = 1;
    cr_assert_eq(catalog_service_change_price(&out, &svc, &s, price("13.00 EUR"), NULL), 0);

    const struct outgoing_message *m;
    size_t count;
    outbox(&m, &count);
    cr_assert_eq(count, 3, "the add, the rival's change, ours: %zu", count);
    cr_expect(strstr(m[2].payload, "\"13.00 EUR\""), "%s", m[2].payload);
    cr_expect(strstr(m[2].payload, "\"catalog_version\":3"), "%s", m[2].payload);
    cr_expect(uuid_equal(m[2].meta.message_id, id_generator_sequence_nth(2)),
              "the second command's one id, kept across its attempts");
}

Test(catalog_service, publishes_nothing_for_a_price_it_has_or_a_refusal)
{
    product out;
    sku s = sku_of("ABC-1");
    cr_assert_eq(add("ABC-1", "Mug", "12.50 EUR"), 0);
    cr_assert_eq(catalog_service_change_price(&out, &svc, &s, price("12.50 EUR"), NULL), 0);
    cr_expect_eq(add("ABC-1", "Other", "1.00 EUR"), SHOP_EREFUSED);
    const struct outgoing_message *m;
    size_t count;
    outbox(&m, &count);
    cr_expect_eq(count, 1, "only the add");
}

/* ------------------------------------------------------------------ observers */

struct seen {
    int calls;
    char type[32];
    int64_t at_us;
    char price[MONEY_FORMAT_MAX];
    int64_t stored_version; /* the version saved when the observer ran */
};

static int record(void *ctx, const struct domain_event *e)
{
    struct seen *seen = ctx;
    const product_event *pe = e->event;
    seen->calls++;
    snprintf(seen->type, sizeof seen->type, "%s.%s", e->context, e->type);
    seen->at_us = pe->at_us;
    money_format(seen->price, sizeof seen->price,
                 pe->type == PRODUCT_PRICE_CHANGED ? pe->as.price_changed.new_price
                                                   : pe->as.added.price);
    product p;
    sku s = pe->sku;
    cr_assert_eq(product_repository_load(memory, &p, &seen->stored_version, &s), 0);
    return 0;
}

static int fail(void *ctx, const struct domain_event *e)
{
    (void)e;
    ++*(int *)ctx;
    return shop_error_set(SHOP_EUNAVAILABLE, "the price log is down");
}

Test(catalog_service, tells_observers_of_a_change_after_it_is_saved)
{
    struct dispatcher observers;
    struct seen seen = {0};
    dispatcher_init(&observers, NULL, NULL);
    cr_assert_eq(dispatcher_subscribe(&observers, "PriceChanged", "recorder", record, &seen), 0);
    svc.observers = &observers;

    product out;
    sku s = sku_of("ABC-1");
    cr_assert_eq(add("ABC-1", "Mug", "12.50 EUR"), 0);
    cr_expect_eq(seen.calls, 0, "ProductAdded is not what it observes");
    cr_assert_eq(catalog_service_change_price(&out, &svc, &s, price("13.00 EUR"), NULL), 0);
    cr_expect_eq(seen.calls, 1);
    cr_expect_str_eq(seen.type, "catalog.PriceChanged");
    cr_expect_str_eq(seen.price, "13.00 EUR");
    cr_expect_eq(seen.at_us, NOW);
    cr_expect_eq(seen.stored_version, 2, "the observer runs after the save");
}

Test(catalog_service, keeps_the_change_when_an_observer_fails)
{
    struct dispatcher observers;
    struct seen seen = {0};
    int failures = 0;
    dispatcher_init(&observers, NULL, NULL);
    cr_assert_eq(dispatcher_subscribe(&observers, "*", "failing", fail, &failures), 0);
    cr_assert_eq(dispatcher_subscribe(&observers, "*", "recorder", record, &seen), 0);
    svc.observers = &observers;

    product out;
    sku s = sku_of("ABC-1");
    product_name n = name_of("Mug");
    cr_expect_eq(catalog_service_add(&out, &svc, &s, &n, price("12.50 EUR"), NULL), 0,
                 "the command succeeds: %s", shop_error_message());
    cr_expect_eq(failures, 1);
    cr_expect_eq(seen.calls, 1, "the other observer still hears of it");
    cr_expect_eq(stored_version("ABC-1"), 1, "the product is saved");
    const struct outgoing_message *m;
    size_t count;
    outbox(&m, &count);
    cr_expect_eq(count, 1, "and its message is in the outbox");
}

Test(catalog_service, tells_observers_nothing_when_nothing_was_saved)
{
    struct dispatcher observers;
    struct seen seen = {0};
    dispatcher_init(&observers, NULL, NULL);
    cr_assert_eq(dispatcher_subscribe(&observers, "*", "recorder", record, &seen), 0);
    cr_assert_eq(add("ABC-1", "Mug", "12.50 EUR"), 0);
    svc.observers = &observers;

    product out;
    sku s = sku_of("ABC-1");
    cr_assert_eq(catalog_service_change_price(&out, &svc, &s, price("12.50 EUR"), NULL), 0);
    cr_expect_eq(add("ABC-1", "Other", "1.00 EUR"), SHOP_EREFUSED);
    racing.rival = (product){.exists = true, .sku = s, .name = name_of("Mug")};
    racing.rival.price = price("20.00 EUR");
    racing.races = 1000;
    svc.max_attempts = 2;
    cr_expect_eq(catalog_service_change_price(&out, &svc, &s, price("13.00 EUR"), NULL),
                 SHOP_ECONFLICT);
    cr_expect_eq(seen.calls, 0);
}
