/*
 * tests/contract/carrier_contract.c — the carrier port's promises, against every adapter:
 * the in-memory twin (carrier_memory_fixture.c) and the HTTP adapter on the real
 * simulator (carrier_http_fixture.c).  If the twin passes and the simulator fails (or the
 * other way round), the twin is lying to the tests that use it.
 *
 * What Shipping relies on (docs/contracts/carrier.md): a booking has an id and a
 * tracking number; 00000 is an undeliverable answer, not an error; a call repeated under
 * its key gets the first answer; a key reused for another call is a conflict; cancelling
 * is idempotent; a carrier that does not answer is SHOP_EUNAVAILABLE.
 * Read next: application/shipping/carrier.h
 */
#include "tests/contract/carrier_contract.h"
#include "domain/shared/error.h"

#include <criterion/criterion.h>
#include <string.h>

static struct carrier_port *carrier;
static ship_to berlin_street, hamburg_street;
static postcode berlin, hamburg, nowhere;

static void setup(void)
{
    carrier = contract_carrier_new();
    cr_assert_eq(ship_to_parse(&berlin_street, "Invalidenstr. 1, Berlin"), 0);
    cr_assert_eq(ship_to_parse(&hamburg_street, "Jungfernstieg 1, Hamburg"), 0);
    cr_assert_eq(postcode_parse(&berlin, "10115"), 0);
    cr_assert_eq(postcode_parse(&hamburg, "20095"), 0);
    cr_assert_eq(postcode_parse(&nowhere, "00000"), 0);
}

static void teardown(void)
{
    contract_carrier_free(carrier);
}

static struct carrier_booking book(const char *key, const char *reference, const ship_to *to,
                                   const postcode *code)
{
    struct carrier_booking b;
    struct carrier_booking_request req = {reference, to, code};
    cr_assert_eq(carrier_book(carrier, &b, key, &req), 0, "%s", shop_error_message());
    return b;
}

TestSuite(the_carrier, .init = setup, .fini = teardown);

Test(the_carrier, books_a_shipment_with_an_id_and_a_tracking_number)
{
    struct carrier_booking b = book("k-1", "order-1", &berlin_street, &berlin);
    cr_expect_eq(b.verdict, CARRIER_BOOKED);
    cr_expect(strncmp(b.id, "shp_", 4) == 0 && strlen(b.id) > 4, "id %s", b.id);
    cr_expect(strncmp(b.tracking, "TRK", 3) == 0 && strlen(b.tracking) > 3, "tracking %s",
              b.tracking);
}

Test(the_carrier, answers_undeliverable_for_postcode_00000)
{
    struct carrier_booking b = book("k-1", "order-1", &berlin_street, &nowhere);
    cr_expect_eq(b.verdict, CARRIER_UNDELIVERABLE);
    cr_expect_str_eq(b.id, "");
}

Test(the_carrier, answers_a_call_repeated_under_its_key_with_the_first_answer)
{
    struct carrier_booking first = book("k-1", "order-1", &berlin_street, &berlin);
    struct carrier_booking again = book("k-1", "order-1", &berlin_street, &berlin);
    cr_expect_str_eq(again.id, first.id);
    cr_expect_str_eq(again.tracking, first.tracking);
    struct carrier_booking other = book("k-2", "order-1", &berlin_street, &berlin);
    cr_expect_str_neq(other.id, first.id, "another key is another booking");
}

Test(the_carrier, refuses_a_key_reused_for_another_call)
{
    book("k-1", "order-1", &berlin_street, &berlin);
    struct carrier_booking b;
    struct carrier_booking_request req = {"order-1", &hamburg_street, &hamburg};
    cr_expect_eq(carrier_book(carrier, &b, "k-1", &req), SHOP_ECONFLICT);
}

Test(the_carrier, cancels_a_booking_and_cancelling_again_is_fine)
{
    struct carrier_booking b = book("k-1", "order-1", &berlin_street, &berlin);
    cr_expect_eq(carrier_cancel(carrier, "k-cancel", b.id), 0, "%s", shop_error_message());
    cr_expect_eq(carrier_cancel(carrier, "k-cancel", b.id), 0, "%s", shop_error_message());
    cr_expect_eq(carrier_cancel(carrier, "k-cancel-2", b.id), 0, "%s", shop_error_message());
}

Test(the_carrier, does_not_know_a_booking_it_never_made)
{
    cr_expect_eq(carrier_cancel(carrier, "k-1", "shp_00000000deadbeef"), SHOP_ENOTFOUND);
}

Test(the_carrier, refuses_an_empty_key)
{
    struct carrier_booking b;
    struct carrier_booking_request req = {"order-1", &berlin_street, &berlin};
    cr_expect_eq(carrier_book(carrier, &b, "", &req), SHOP_EINVALID);
}

Test(the_carrier, that_does_not_answer_is_unavailable)
{
    contract_carrier_go_down();
    struct carrier_booking b;
    struct carrier_booking_request req = {"order-1", &berlin_street, &berlin};
    cr_expect_eq(carrier_book(carrier, &b, "k-1", &req), SHOP_EUNAVAILABLE);
    cr_expect(strstr(shop_error_message(), "carrier"), "%s", shop_error_message());
    cr_expect_eq(carrier_cancel(carrier, "k-2", "shp_1"), SHOP_EUNAVAILABLE);
}
