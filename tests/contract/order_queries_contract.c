/*
 * tests/contract/order_queries_contract.c — listing orders, against every adapter of the
 * order-queries port (built once per adapter, with tests/contract/order_queries_*_fixture.c).
 *
 * Pattern: contract tests.  Orders are placed and cancelled through the real command
 * handlers and order store on the fixture's event store; the adapter under test must then
 * name them as a user expects: newest first, no more than asked, only orders.  The query
 * handler order_queries_list() is run on each adapter too: filters by customer and status
 * see every order as it is now.
 * Read next: application/ordering/order_queries.h
 */
#include "tests/contract/order_queries_contract.h"
#include "application/ordering/order_queries.h"
#include "application/ordering/order_service.h"
#include "domain/shared/error.h"
#include "infrastructure/memory/clock_manual.h"
#include "infrastructure/memory/id_generator_sequence.h"
#include "infrastructure/memory/price_list_memory.h"
#include "infrastructure/ordering/order_store_es.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#define T0 1718000000000000

static struct event_store *events;
static struct order_queries *queries;
static struct order_store *orders;
static struct shop_clock *clock_;
static struct id_generator *ids;
static struct price_list *prices;
static struct order_service svc;

static void setup(void)
{
    sku s;
    money m;
    contract_oq_open(&events, &queries);
    cr_assert_eq(order_store_es_new(&orders, events, ORDER_SNAPSHOT_EVERY_DEFAULT), 0);
    cr_assert_eq(clock_manual_new(&clock_, T0), 0);
    cr_assert_eq(id_generator_sequence_new(&ids), 0);
    cr_assert_eq(price_list_memory_new(&prices), 0);
    cr_assert_eq(sku_parse(&s, "MUG-RED"), 0);
    cr_assert_eq(money_parse(&m, "12.50 EUR", NULL), 0);
    price_list_memory_set(prices, &s, m);
    svc = (struct order_service){.orders = orders, .prices = prices, .clock = clock_, .ids = ids};
}

static void teardown(void)
{
    order_store_free(orders);
    price_list_free(prices);
    id_generator_free(ids);
    shop_clock_free(clock_);
    contract_oq_close(events, queries);
}

/* Places an order of `qty` mugs for customer; returns its id. */
static order_id place(const char *customer, int qty)
{
    struct place_order_request *req = calloc(1, sizeof *req);
    order_id id;
    cr_assert_eq(customer_id_parse(&req->customer, customer), 0);
    cr_assert_eq(ship_to_parse(&req->address.ship_to, "1 Main Street"), 0);
    cr_assert_eq(postcode_parse(&req->address.postcode, "10115"), 0);
    req->line_count = 1;
    cr_assert_eq(sku_parse(&req->lines[0].sku, "MUG-RED"), 0);
    cr_assert_eq(quantity_make(&req->lines[0].quantity, qty), 0);
    cr_assert_eq(order_service_place(&id, &svc, req, NULL), 0, "%s", shop_error_message());
    free(req);
    clock_manual_advance(clock_, 1000000);
    return id;
}

static void assert_same(order_id a, order_id b, const char *what)
{
    cr_assert(uuid_equal(a.uuid, b.uuid), "%s", what);
}

TestSuite(listing_orders, .init = setup, .fini = teardown);

Test(listing_orders, names_no_order_before_one_is_placed)
{
    order_id out[4];
    size_t n = 99;
    cr_assert_eq(order_queries_newest(queries, out, 4, &n), 0, "%s", shop_error_message());
    cr_assert_eq(n, 0);
}

Test(listing_orders, names_orders_newest_first)
{
    order_id a = place("alice", 1), b = place("bob", 2), c = place("alice", 3);
    order_id out[10];
    size_t n;
    cr_assert_eq(order_queries_newest(queries, out, 10, &n), 0, "%s", shop_error_message());
    cr_assert_eq(n, 3);
    assert_same(out[0], c, "newest first");
    assert_same(out[1], b, "then the one before");
    assert_same(out[2], a, "oldest last");
}

Test(listing_orders, names_no_more_orders_than_asked)
{
    place("alice", 1);
    order_id b = place("bob", 2), c = place("carol", 3);
    order_id out[2];
    size_t n;
    cr_assert_eq(order_queries_newest(queries, out, 2, &n), 0, "%s", shop_error_message());
    cr_assert_eq(n, 2);
    assert_same(out[0], c, "the newest");
    assert_same(out[1], b, "the second newest");
}

Test(listing_orders, names_an_order_once_whatever_happened_to_it_since)
{
    order_id a = place("alice", 1);
    cr_assert_eq(order_service_cancel(&svc, &a, "changed my mind", NULL), 0);
    order_id out[4];
    size_t n;
    cr_assert_eq(order_queries_newest(queries, out, 4, &n), 0);
    cr_assert_eq(n, 1);
    assert_same(out[0], a, "the cancelled order");
}

Test(listing_orders, ignores_streams_that_are_not_orders)
{
    struct es_new_event other = {.type = "PaymentAuthorized", .schema_version = 1, .data = "{}"};
    struct es_new_event fake = {.type = "OrderPlaced", .schema_version = 2, .data = "{}"};
    cr_assert_eq(es_append(events, NULL, "payment-1", ES_EXPECT_NO_STREAM, &other, 1, NULL), 0);
    cr_assert_eq(es_append(events, NULL, "order-not-a-uuid", ES_EXPECT_NO_STREAM, &fake, 1, NULL),
                 0);
    order_id a = place("alice", 1);
    order_id out[4];
    size_t n;
    cr_assert_eq(order_queries_newest(queries, out, 4, &n), 0, "%s", shop_error_message());
    cr_assert_eq(n, 1);
    assert_same(out[0], a, "the only order");
}

Test(listing_orders, filters_by_customer_and_by_status_as_orders_are_now)
{
    order_id a1 = place("alice", 1);
    order_id b1 = place("bob", 2);
    order_id a2 = place("alice", 3);
    cr_assert_eq(order_service_cancel(&svc, &a1, "changed my mind", NULL), 0);
    cr_assert_eq(order_service_confirm(&svc, &b1, NULL), 0);

    struct order_summary *list;
    size_t n, looked;
    customer_id alice;
    cr_assert_eq(customer_id_parse(&alice, "alice"), 0);

    struct order_filter by_alice = {.customer = &alice};
    cr_assert_eq(order_queries_list(&list, &n, &looked, queries, orders, &by_alice, 0), 0, "%s",
                 shop_error_message());
    cr_assert_eq(n, 2);
    cr_assert_eq(looked, 3);
    assert_same(list[0].id, a2, "alice's newest");
    cr_assert_eq(list[0].status, ORDER_STATUS_PLACED);
    cr_assert_eq(list[0].total.minor, 3750);
    cr_assert_eq(list[0].placed_at_us, T0 + 2000000);
    assert_same(list[1].id, a1, "alice's first");
    cr_assert_eq(list[1].status, ORDER_STATUS_CANCELLED);
    free(list);

    struct order_filter cancelled = {.status = ORDER_STATUS_CANCELLED};
    cr_assert_eq(order_queries_list(&list, &n, NULL, queries, orders, &cancelled, 0), 0);
    cr_assert_eq(n, 1);
    assert_same(list[0].id, a1, "the cancelled one");
    free(list);

    struct order_filter bobs_placed = {.customer = NULL, .status = ORDER_STATUS_PLACED};
    cr_assert_eq(order_queries_list(&list, &n, NULL, queries, orders, &bobs_placed, 0), 0);
    cr_assert_eq(n, 1, "bob's order is confirmed, only alice's second is placed");
    assert_same(list[0].id, a2, "placed");
    free(list);

    customer_id nobody;
    cr_assert_eq(customer_id_parse(&nobody, "nobody"), 0);
    struct order_filter none = {.customer = &nobody};
    cr_assert_eq(order_queries_list(&list, &n, NULL, queries, orders, &none, 0), 0);
    cr_assert_eq(n, 0);
    cr_assert_null(list);
}

Test(listing_orders, looks_at_no_more_orders_than_its_bound)
{
    place("alice", 1);
    place("alice", 2);
    order_id newest = place("alice", 3);
    struct order_summary *list;
    size_t n, looked;
    cr_assert_eq(order_queries_list(&list, &n, &looked, queries, orders, NULL, 1), 0);
    cr_assert_eq(looked, 1);
    cr_assert_eq(n, 1);
    assert_same(list[0].id, newest, "the newest");
    free(list);
}

Test(listing_orders, shows_an_order_as_it_was_at_an_earlier_version)
{
    order_id a = place("alice", 2);
    cr_assert_eq(order_service_cancel(&svc, &a, "changed my mind", NULL), 0);
    order state;
    int64_t version;

    cr_assert_eq(order_store_es_load_as_of(orders, &state, &version, &a, 1), 0, "%s",
                 shop_error_message());
    cr_assert_eq(version, 1);
    cr_assert_eq(state.status, ORDER_STATUS_PLACED);
    cr_assert_str_eq(state.reason, "");

    cr_assert_eq(order_store_es_load_as_of(orders, &state, &version, &a, 99), 0);
    cr_assert_eq(version, 2, "a version past the end is the order now");
    cr_assert_eq(state.status, ORDER_STATUS_CANCELLED);
    cr_assert_str_eq(state.reason, "changed my mind");

    order_id unknown;
    cr_assert_eq(order_id_parse(&unknown, "0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90"), 0);
    cr_assert_eq(order_store_es_load_as_of(orders, &state, &version, &unknown, 1), 0);
    cr_assert_eq(version, 0);
    cr_assert_eq(state.status, ORDER_STATUS_NONE);

    cr_assert_eq(order_store_es_load_as_of(orders, &state, &version, &a, 0), SHOP_EINVALID);
}
