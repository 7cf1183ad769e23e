/*
 * tests/contract/shipment_store_contract.c — the shipment store on an event store,
 * against every event-store adapter (shipping_es_memory_fixture.c, and
 * shipping_es_pg_fixture.c: PostgreSQL's "shipping" schema as shop_shipping).
 *
 * What Shipping relies on: a shipment loads as the fold of its events; one never
 * scheduled loads as nothing at version 0; a stale version is a conflict that records
 * nothing; an event of another shipment is refused; stored events that cannot be read
 * fail the load instead of being skipped.
 * Read next: infrastructure/shipping/shipment_store_es.c
 */
#include "domain/shared/error.h"
#include "infrastructure/shipping/shipment_codec.h"
#include "infrastructure/shipping/shipment_store_es.h"
#include "tests/contract/shipping_es_fixture.h"

#include <criterion/criterion.h>
#include <string.h>

#define T0 1718000000000000

static struct event_store *es;
static struct shipment_store *store;
static shipment_id id;
static char stream[SHIPMENT_STREAM_ID_SIZE];

static void setup(void)
{
    es = shipping_es_new();
    cr_assert_eq(shipment_store_es_new(&store, es), 0, "%s", shop_error_message());
    cr_assert_eq(shipment_id_parse(&id, "0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90"), 0);
    shipment_stream_id(stream, id);
}

static void teardown(void)
{
    shipment_store_free(store);
    shipping_es_free(es);
}

static shipment_event scheduled(void)
{
    shipment_event e = {.type = SHIPMENT_SCHEDULED, .id = id, .at_us = T0};
    cr_assert_eq(ship_to_parse(&e.ship_to, "Müllerstraße 5, Berlin"), 0);
    cr_assert_eq(postcode_parse(&e.postcode, "13353"), 0);
    strcpy(e.carrier_id, "shp_0123456789abcdef");
    strcpy(e.tracking, "TRK123456000001");
    return e;
}

TestSuite(keeping_shipments, .init = setup, .fini = teardown);

Test(keeping_shipments, one_never_scheduled_loads_as_nothing_at_version_0)
{
    shipment s;
    int64_t v = 99;
    cr_assert_eq(shipment_store_load(store, &s, &v, &id), 0, "%s", shop_error_message());
    cr_expect_eq(s.status, SHIPMENT_STATUS_NONE);
    cr_expect_eq(v, 0);
}

Test(keeping_shipments, a_shipment_loads_as_the_fold_of_its_events)
{
    shipment_event first = scheduled();
    shipment_event cancelled = {.type = SHIPMENT_CANCELLED, .id = id, .at_us = T0 + 7};
    cr_assert_eq(shipment_store_append(store, &id, 0, &first, 1, NULL), 0, "%s",
                 shop_error_message());
    cr_assert_eq(shipment_store_append(store, &id, 1, &cancelled, 1, NULL), 0, "%s",
                 shop_error_message());
    shipment s;
    int64_t v;
    cr_assert_eq(shipment_store_load(store, &s, &v, &id), 0, "%s", shop_error_message());
    cr_expect_eq(v, 2);
    cr_expect_eq(s.status, SHIPMENT_STATUS_CANCELLED);
    cr_expect_str_eq(s.ship_to.text, "Müllerstraße 5, Berlin");
    cr_expect_str_eq(s.postcode.code, "13353");
    cr_expect_str_eq(s.carrier_id, "shp_0123456789abcdef");
    cr_expect_str_eq(s.tracking, "TRK123456000001");
    cr_expect_eq(s.scheduled_at_us, T0);
    cr_expect_eq(s.cancelled_at_us, T0 + 7);
}

Test(keeping_shipments, a_rejection_keeps_its_reason)
{
    shipment_event e = {.type = SHIPMENT_REJECTED, .id = id, .at_us = T0};
    cr_assert_eq(ship_to_parse(&e.ship_to, "Nowhere 1"), 0);
    cr_assert_eq(postcode_parse(&e.postcode, "00000"), 0);
    strcpy(e.reason, "undeliverable");
    cr_assert_eq(shipment_store_append(store, &id, 0, &e, 1, NULL), 0, "%s", shop_error_message());
    shipment s;
    int64_t v;
    cr_assert_eq(shipment_store_load(store, &s, &v, &id), 0, "%s", shop_error_message());
    cr_expect_eq(s.status, SHIPMENT_STATUS_REJECTED);
    cr_expect_str_eq(s.reason, "undeliverable");
}

Test(keeping_shipments, an_append_at_a_stale_version_is_a_conflict_and_records_nothing)
{
    shipment_event e = scheduled();
    cr_assert_eq(shipment_store_append(store, &id, 0, &e, 1, NULL), 0);
    cr_expect_eq(shipment_store_append(store, &id, 0, &e, 1, NULL), SHOP_ECONFLICT);
    struct es_event_list all;
    cr_assert_eq(es_read_stream(es, &all, stream, ES_WHOLE_STREAM), 0);
    cr_expect_eq(all.count, 1);
    cr_expect_str_eq(all.items[0].type, "ShipmentScheduled");
    es_event_list_dispose(&all);
}

Test(keeping_shipments, an_event_of_another_shipment_is_refused)
{
    shipment_event e = scheduled();
    cr_assert_eq(uuid_parse(&e.id.order_id, "0190a6f4-8d1e-7c3a-9b2f-000000000000"), 0);
    cr_expect_eq(shipment_store_append(store, &id, 0, &e, 1, NULL), SHOP_EINVALID);
    shipment s;
    int64_t v;
    cr_assert_eq(shipment_store_load(store, &s, &v, &id), 0);
    cr_expect_eq(v, 0);
}

Test(keeping_shipments, an_event_that_cannot_be_read_fails_the_load)
{
    struct es_new_event bad = {.type = "ShipmentScheduled",
                               .schema_version = 1,
                               .data = "{\"order_id\":\"0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90\"}"};
    cr_assert_eq(es_append(es, NULL, stream, 0, &bad, 1, NULL), 0, "%s", shop_error_message());
    shipment s;
    int64_t v;
    cr_expect_eq(shipment_store_load(store, &s, &v, &id), SHOP_EINTERNAL);
    cr_expect(strstr(shop_error_message(), "version 1"), "%s", shop_error_message());
    cr_expect_eq(s.status, SHIPMENT_STATUS_NONE);
}
