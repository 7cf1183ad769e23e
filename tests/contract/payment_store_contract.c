/*
 * tests/contract/payment_store_contract.c — the payment store on an event store, against
 * every event-store adapter (in memory, PostgreSQL).
 *
 * Pattern: contract tests.  What a user relies on: a payment loads as the fold of its
 * events, with every field as it was decided; a payment never authorized loads as "none"
 * at version 0; a stale version is a conflict and writes nothing; stored data this code
 * cannot read is an error, never a half-read payment.
 * Read next: infrastructure/payments/payment_store_es.c
 */
#include "tests/contract/payment_store_contract.h"
#include "domain/shared/error.h"
#include "infrastructure/payments/payment_store_es.h"

#include <criterion/criterion.h>
#include <string.h>

#define T0 1718000000000000

static struct event_store *es;
static struct payment_store *payments;
static payment_id pid;

static void setup(void)
{
    es = contract_payment_events_new();
    cr_assert_eq(payment_store_es_new(&payments, es), 0);
    cr_assert_eq(payment_id_parse(&pid, "0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90"), 0);
}

static void teardown(void)
{
    payment_store_free(payments);
    contract_payment_events_free(es);
}

static money eur(const char *amount)
{
    money m;
    cr_assert_eq(money_parse(&m, amount, "EUR"), 0);
    return m;
}

static payment_event authorized(void)
{
    payment_event e = {.type = PAYMENT_AUTHORIZED, .payment_id = pid, .at_us = T0};
    cr_assert_eq(uuid_parse(&e.as.authorized.order_id, "0190a6f4-8d1e-7c3a-9b2f-000000000001"), 0);
    e.as.authorized.amount = eur("37.50");
    strcpy(e.as.authorized.charge_id, "ch_0123456789abcdef");
    return e;
}

static void append(int64_t expected, payment_event e)
{
    cr_assert_eq(payment_store_append(payments, &pid, expected, &e, 1, NULL), 0, "%s",
                 shop_error_message());
}

TestSuite(the_payment_store, .init = setup, .fini = teardown);

Test(the_payment_store, loads_a_payment_never_authorized_as_none_at_version_0)
{
    payment p;
    int64_t v = 99;
    cr_assert_eq(payment_store_load(payments, &p, &v, &pid), 0);
    cr_assert_eq(p.status, PAYMENT_STATUS_NONE);
    cr_assert_eq(v, 0);
}

Test(the_payment_store, loads_a_payment_as_the_fold_of_its_events)
{
    append(0, authorized());
    payment_event captured = {.type = PAYMENT_CAPTURED, .payment_id = pid, .at_us = T0 + 1};
    captured.as.captured.amount = eur("37.50");
    append(1, captured);
    payment_event refunded = {.type = PAYMENT_REFUNDED, .payment_id = pid, .at_us = T0 + 2};
    refunded.as.refunded.amount = eur("10.00");
    strcpy(refunded.as.refunded.refund_id, "re_1");
    append(2, refunded);

    payment p;
    int64_t v;
    cr_assert_eq(payment_store_load(payments, &p, &v, &pid), 0, "%s", shop_error_message());
    cr_assert_eq(v, 3);
    cr_assert_eq(p.status, PAYMENT_STATUS_CAPTURED);
    cr_assert(money_equal(p.amount, eur("37.50")));
    cr_assert(money_equal(p.captured, eur("37.50")));
    cr_assert(money_equal(p.refunded, eur("10.00")));
    cr_assert_eq(p.refund_count, 1);
    cr_assert_str_eq(p.charge_id, "ch_0123456789abcdef");
    cr_assert_eq(p.authorized_at_us, T0);
    cr_assert_eq(p.changed_at_us, T0 + 2);
    char order[UUID_STRING_SIZE];
    cr_assert_str_eq(uuid_format(order, p.order_id), "0190a6f4-8d1e-7c3a-9b2f-000000000001");
}

Test(the_payment_store, keeps_a_decline_and_its_reason)
{
    payment_event e = {.type = PAYMENT_DECLINED, .payment_id = pid, .at_us = T0};
    cr_assert_eq(uuid_parse(&e.as.declined.order_id, "0190a6f4-8d1e-7c3a-9b2f-000000000001"), 0);
    e.as.declined.amount = eur("37.50");
    strcpy(e.as.declined.reason, "card_declined");
    append(0, e);
    payment p;
    int64_t v;
    cr_assert_eq(payment_store_load(payments, &p, &v, &pid), 0);
    cr_assert_eq(p.status, PAYMENT_STATUS_DECLINED);
    cr_assert_str_eq(p.decline_reason, "card_declined");
}

Test(the_payment_store, refuses_a_stale_version_as_a_conflict_and_writes_nothing)
{
    append(0, authorized());
    payment_event voided = {.type = PAYMENT_VOIDED, .payment_id = pid, .at_us = T0 + 1};
    cr_assert_eq(payment_store_append(payments, &pid, 0, &voided, 1, NULL), SHOP_ECONFLICT);
    payment p;
    int64_t v;
    cr_assert_eq(payment_store_load(payments, &p, &v, &pid), 0);
    cr_assert_eq(v, 1);
    cr_assert_eq(p.status, PAYMENT_STATUS_AUTHORIZED);
}

Test(the_payment_store, refuses_an_event_of_another_payment)
{
    payment_event e = authorized();
    cr_assert_eq(payment_id_parse(&e.payment_id, "0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a91"), 0);
    cr_assert_eq(payment_store_append(payments, &pid, 0, &e, 1, NULL), SHOP_EINVALID);
}

Test(the_payment_store, reports_stored_data_it_cannot_read_instead_of_folding_it)
{
    char stream[PAYMENT_STREAM_ID_SIZE];
    struct es_new_event bad = {.type = "PaymentAuthorized",
                               .schema_version = 1,
                               .data = "{\"payment_id\": \"0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90\", "
                                       "\"amount\": \"-1.00 EUR\"}"};
    cr_assert_eq(es_append(es, NULL, payment_stream_id(stream, pid), 0, &bad, 1, NULL), 0, "%s",
                 shop_error_message());
    payment p;
    int64_t v;
    cr_assert_eq(payment_store_load(payments, &p, &v, &pid), SHOP_EINTERNAL);
    cr_assert(strstr(shop_error_message(), "payment-0190a6f4"), "%s", shop_error_message());
    cr_assert_eq(p.status, PAYMENT_STATUS_NONE);
}
