/*
 * tests/contract/saga_store_contract.c — the promises of the saga-store port, kept by
 * every adapter.
 *
 * Pattern: contract tests.  Compiled once per adapter and linked with that adapter's
 * fixture (tests/contract/saga_store_*_fixture.c), so the in-memory twin the saga's
 * service tests use behaves as PostgreSQL does.
 *
 * What the saga relies on: an order without a saga reads as SAGA_NONE at version 0; a
 * saga reads back exactly as it was saved, every field; a save at a version that moved
 * on is refused (SHOP_ECONFLICT) and queues nothing, so two handlers of one order never
 * both send their commands; a save queues its commands, in order, with the derived
 * message ids and the ids of the message that caused them; the deadline timer sees only
 * the sagas whose deadline has passed, oldest first, never an ended one; `shop saga list`
 * sees them newest first, in one state or all.
 * Read next: application/ordering/saga_store.h, infrastructure/memory/saga_store_memory.c,
 * infrastructure/ordering/saga_store_pg.c
 */
#include "tests/contract/saga_store_contract.h"

#include "domain/shared/error.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ORDER_A "0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90"
#define ORDER_B "0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a91"
#define ORDER_C "0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a92"
#define ORDER_D "0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a93"
#define CAUSE   "0190b000-0000-7000-8000-00000000c0de"
#define TRACE   "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

/* 2024-06-10T06:13:20Z, and so on: times of this century, whole microseconds. */
#define T0 INT64_C(1718000000000000)

static struct saga_store *sagas;

static void setup(void)
{
    sagas = contract_sagas_new();
}

static void teardown(void)
{
    contract_sagas_free(sagas);
}

TestSuite(saga_store, .init = setup, .fini = teardown);

static order_id id(const char *text)
{
    order_id o;
    cr_assert_eq(order_id_parse(&o, text), 0, "%s", shop_error_message());
    return o;
}

static shop_uuid uuid(const char *text)
{
    shop_uuid u;
    cr_assert_eq(uuid_parse(&u, text), 0, "%s", shop_error_message());
    return u;
}

static money eur(int64_t minor)
{
    money m;
    char text[32];
    snprintf(text, sizeof text, "%lld.%02lld EUR", (long long)(minor / 100),
             (long long)(minor % 100));
    cr_assert_eq(money_parse(&m, text, NULL), 0, "%s", shop_error_message());
    return m;
}

static void step(fulfilment_saga *s, const char *name, int64_t at_us)
{
    struct saga_step *st = &s->steps[s->step_count++];
    snprintf(st->name, sizeof st->name, "%s", name);
    st->at_us = at_us;
}

/* A saga as the decider leaves it after a few steps: every field set to something. */
static fulfilment_saga a_saga(const char *order_text, enum saga_state state, int64_t deadline_us)
{
    fulfilment_saga s;
    memset(&s, 0, sizeof s);
    s.order = id(order_text);
    s.state = state;
    cr_assert_eq(customer_id_parse(&s.customer, "c-42"), 0);
    cr_assert_eq(ship_to_parse(&s.address.ship_to, "Zoë Müller, Hauptstraße 1, Köln"), 0);
    cr_assert_eq(postcode_parse(&s.address.postcode, "50667"), 0);
    s.line_count = 2;
    cr_assert_eq(sku_parse(&s.lines[0].sku, "LAMP-1"), 0);
    cr_assert_eq(quantity_make(&s.lines[0].quantity, 2), 0);
    cr_assert_eq(sku_parse(&s.lines[1].sku, "BULB-7"), 0);
    cr_assert_eq(quantity_make(&s.lines[1].quantity, 999), 0);
    s.total = eur(2490);
    snprintf(s.card, sizeof s.card, "tok_chargeDeclined");
    s.stock_reserved = true;
    s.payment_authorized = false;
    s.shipment_scheduled = true;
    snprintf(s.reason, sizeof s.reason, "out of stock: LAMP-1");
    s.attempt = 3;
    s.deadline_us = deadline_us;
    s.started_at_us = T0 + 1;
    s.updated_at_us = T0 + 987654;
    step(&s, "order placed", T0 + 1);
    step(&s, "stock reserved", T0 + 250001);
    step(&s, "releasing stock (attempt 3)", T0 + 987654);
    return s;
}

static void expect_same_saga(const fulfilment_saga *got, const fulfilment_saga *want)
{
    char a[UUID_STRING_SIZE], b[UUID_STRING_SIZE];
    cr_expect_str_eq(uuid_format(a, got->order.uuid), uuid_format(b, want->order.uuid));
    cr_expect_eq(got->state, want->state, "state %s, not %s", saga_state_name(got->state),
                 saga_state_name(want->state));
    cr_expect_str_eq(got->customer.text, want->customer.text);
    cr_expect_str_eq(got->address.ship_to.text, want->address.ship_to.text);
    cr_expect_str_eq(got->address.postcode.code, want->address.postcode.code);
    cr_assert_eq(got->line_count, want->line_count);
    for (size_t i = 0; i < want->line_count; i++) {
        cr_expect_str_eq(got->lines[i].sku.code, want->lines[i].sku.code, "line %zu", i);
        cr_expect_eq(got->lines[i].quantity.value, want->lines[i].quantity.value, "line %zu", i);
    }
    cr_expect(money_equal(got->total, want->total), "total %lld", (long long)got->total.minor);
    cr_expect_str_eq(got->card, want->card);
    cr_expect_eq(got->stock_reserved, want->stock_reserved);
    cr_expect_eq(got->payment_authorized, want->payment_authorized);
    cr_expect_eq(got->shipment_scheduled, want->shipment_scheduled);
    cr_expect_str_eq(got->reason, want->reason);
    cr_expect_eq(got->attempt, want->attempt);
    cr_expect_eq(got->deadline_us, want->deadline_us, "deadline %lld, not %lld",
                 (long long)got->deadline_us, (long long)want->deadline_us);
    cr_expect_eq(got->started_at_us, want->started_at_us);
    cr_expect_eq(got->updated_at_us, want->updated_at_us);
    cr_assert_eq(got->step_count, want->step_count);
    for (size_t i = 0; i < want->step_count; i++) {
        cr_expect_str_eq(got->steps[i].name, want->steps[i].name, "step %zu", i);
        cr_expect_eq(got->steps[i].at_us, want->steps[i].at_us, "step %zu", i);
    }
}

static struct message_meta a_cause(void)
{
    struct message_meta m = {
        .message_id = uuid(CAUSE),
        .correlation_id = uuid(ORDER_A),
        .causation_id = uuid("0190b000-0000-7000-8000-000000000001"),
    };
    snprintf(m.traceparent, sizeof m.traceparent, "%s", TRACE);
    return m;
}

static void save(const fulfilment_saga *s, int64_t expected, const struct saga_command *cmds,
                 size_t n)
{
    struct message_meta cause = a_cause();
    cause.correlation_id = s->order.uuid;
    cr_assert_eq(saga_store_save(sagas, s, expected, cmds, n, &cause), 0, "%s",
                 shop_error_message());
}

static size_t queued_count(void)
{
    struct contract_saga_command none[1];
    size_t n = 0;
    contract_sagas_queued(none, 0, &n);
    return n;
}

Test(saga_store, has_no_saga_for_an_order_never_seen)
{
    fulfilment_saga got;
    int64_t version = 99;
    cr_assert_eq(saga_store_load(sagas, &got, &version, &(order_id){uuid(ORDER_A)}), 0, "%s",
                 shop_error_message());
    cr_expect_eq(got.state, SAGA_NONE);
    cr_expect_eq(version, 0);
}

Test(saga_store, loads_a_new_saga_back_exactly_as_it_was_saved)
{
    fulfilment_saga s = a_saga(ORDER_A, SAGA_RELEASING_STOCK, T0 + 20987654);
    save(&s, 0, NULL, 0);

    fulfilment_saga got;
    int64_t version = 0;
    cr_assert_eq(saga_store_load(sagas, &got, &version, &s.order), 0, "%s", shop_error_message());
    cr_expect_eq(version, 1, "a new saga is at version 1, not %lld", (long long)version);
    expect_same_saga(&got, &s);
}

Test(saga_store, keeps_a_full_history_and_the_longest_names)
{
    fulfilment_saga s = a_saga(ORDER_A, SAGA_STUCK, 0);
    s.step_count = 0;
    for (int i = 0; i < SAGA_MAX_STEPS; i++) {
        char name[SAGA_STEP_NAME_MAX + 1];
        snprintf(name, sizeof name, "step %02d %.*s", i, SAGA_STEP_NAME_MAX - 8,
                 "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz");
        step(&s, name, T0 + i);
    }
    memset(s.reason, 'r', ORDER_REASON_MAX);
    s.reason[ORDER_REASON_MAX] = '\0';
    memset(s.card, 'k', SAGA_CARD_MAX);
    s.card[SAGA_CARD_MAX] = '\0';
    s.line_count = ORDER_MAX_LINES;
    for (int i = 0; i < ORDER_MAX_LINES; i++) {
        char code[16];
        snprintf(code, sizeof code, "SKU-%02d", i);
        cr_assert_eq(sku_parse(&s.lines[i].sku, code), 0);
        cr_assert_eq(quantity_make(&s.lines[i].quantity, i + 1), 0);
    }
    s.stock_reserved = false;
    s.payment_authorized = true;
    s.shipment_scheduled = false;
    save(&s, 0, NULL, 0);

    fulfilment_saga got;
    int64_t version;
    cr_assert_eq(saga_store_load(sagas, &got, &version, &s.order), 0, "%s", shop_error_message());
    expect_same_saga(&got, &s);
}

Test(saga_store, moves_a_saga_on_version_by_version)
{
    fulfilment_saga s = a_saga(ORDER_A, SAGA_RESERVING_STOCK, T0 + 30000000);
    save(&s, 0, NULL, 0);
    s.state = SAGA_AUTHORIZING_PAYMENT;
    s.updated_at_us += 1000;
    save(&s, 1, NULL, 0);
    s.state = SAGA_CONFIRMED;
    s.deadline_us = 0;
    save(&s, 2, NULL, 0);

    fulfilment_saga got;
    int64_t version;
    cr_assert_eq(saga_store_load(sagas, &got, &version, &s.order), 0, "%s", shop_error_message());
    cr_expect_eq(version, 3);
    expect_same_saga(&got, &s);
}

Test(saga_store, refuses_a_save_at_a_stale_version_and_queues_nothing)
{
    fulfilment_saga s = a_saga(ORDER_A, SAGA_RESERVING_STOCK, T0 + 30000000);
    struct saga_command reserve = {SAGA_CMD_RESERVE_STOCK, 1};
    save(&s, 0, &reserve, 1);
    size_t before = queued_count();

    fulfilment_saga other = s;
    other.state = SAGA_AUTHORIZING_PAYMENT;
    struct saga_command authorize = {SAGA_CMD_AUTHORIZE_PAYMENT, 1};
    struct message_meta cause = a_cause();
    cr_expect_eq(saga_store_save(sagas, &other, 0, &authorize, 1, &cause), SHOP_ECONFLICT,
                 "a second new saga for the same order");
    cr_expect_eq(saga_store_save(sagas, &other, 2, &authorize, 1, &cause), SHOP_ECONFLICT,
                 "a version the saga has not reached");
    cr_expect_eq(queued_count(), before, "a refused save queues nothing");

    fulfilment_saga got;
    int64_t version;
    cr_assert_eq(saga_store_load(sagas, &got, &version, &s.order), 0, "%s", shop_error_message());
    cr_expect_eq(version, 1);
    cr_expect_eq(got.state, SAGA_RESERVING_STOCK, "the saga is as the first save left it");
}

Test(saga_store, refuses_a_save_at_a_version_another_save_has_used)
{
    fulfilment_saga s = a_saga(ORDER_A, SAGA_RESERVING_STOCK, T0 + 30000000);
    save(&s, 0, NULL, 0);
    fulfilment_saga first = s, second = s;
    first.state = SAGA_AUTHORIZING_PAYMENT;
    second.state = SAGA_RELEASING_STOCK;
    struct saga_command authorize = {SAGA_CMD_AUTHORIZE_PAYMENT, 1};
    struct saga_command release = {SAGA_CMD_RELEASE_RESERVATION, 1};
    save(&first, 1, &authorize, 1);
    struct message_meta cause = a_cause();
    cr_expect_eq(saga_store_save(sagas, &second, 1, &release, 1, &cause), SHOP_ECONFLICT);

    struct contract_saga_command got[4];
    size_t n;
    contract_sagas_queued(got, 4, &n);
    cr_assert_eq(n, 1, "only the first handler's command, not %zu", n);
    cr_expect_str_eq(got[0].type, "ordering.AuthorizePayment");
}

Test(saga_store, queues_the_commands_of_a_save_with_derived_ids_and_the_cause)
{
    fulfilment_saga s = a_saga(ORDER_A, SAGA_CANCELLING_SHIPMENT, T0 + 10000000);
    struct saga_command cmds[2] = {{SAGA_CMD_CANCEL_SHIPMENT, 2}, {SAGA_CMD_COMMIT_RESERVATION, 1}};
    save(&s, 0, cmds, 2);

    struct contract_saga_command got[4];
    size_t n;
    contract_sagas_queued(got, 4, &n);
    cr_assert_eq(n, 2, "%zu commands queued", n);
    char a[UUID_STRING_SIZE], b[UUID_STRING_SIZE];
    cr_expect_str_eq(got[0].type, "ordering.CancelShipment");
    cr_expect_str_eq(got[1].type, "ordering.CommitReservation");
    cr_expect_eq(got[0].attempt, 2);
    cr_expect_eq(got[1].attempt, 1);
    for (size_t i = 0; i < 2; i++) {
        cr_expect_str_eq(got[i].stream, "order-" ORDER_A, "command %zu", i);
        shop_uuid want = saga_command_message_id(s.order, cmds[i].type, cmds[i].attempt);
        cr_expect_str_eq(uuid_format(a, got[i].message_id), uuid_format(b, want), "command %zu", i);
        cr_expect_str_eq(uuid_format(a, got[i].correlation_id), ORDER_A, "command %zu", i);
        cr_expect_str_eq(uuid_format(a, got[i].causation_id), CAUSE,
                         "command %zu: caused by the message handled", i);
        cr_expect_str_eq(got[i].traceparent, TRACE, "command %zu", i);
    }
}

Test(saga_store, queues_the_commands_of_every_save_in_the_order_saved)
{
    fulfilment_saga s = a_saga(ORDER_A, SAGA_RESERVING_STOCK, T0 + 30000000);
    struct saga_command reserve = {SAGA_CMD_RESERVE_STOCK, 1};
    struct saga_command authorize = {SAGA_CMD_AUTHORIZE_PAYMENT, 1};
    struct saga_command schedule = {SAGA_CMD_SCHEDULE_SHIPMENT, 1};
    save(&s, 0, &reserve, 1);
    s.state = SAGA_AUTHORIZING_PAYMENT;
    save(&s, 1, &authorize, 1);
    s.state = SAGA_SCHEDULING_SHIPMENT;
    save(&s, 2, NULL, 0);
    save(&s, 3, &schedule, 1);

    struct contract_saga_command got[8];
    size_t n;
    contract_sagas_queued(got, 8, &n);
    cr_assert_eq(n, 3);
    cr_expect_str_eq(got[0].type, "ordering.ReserveStock");
    cr_expect_str_eq(got[1].type, "ordering.AuthorizePayment");
    cr_expect_str_eq(got[2].type, "ordering.ScheduleShipment");
}

Test(saga_store, stamps_a_command_without_a_trace_with_none)
{
    fulfilment_saga s = a_saga(ORDER_B, SAGA_VOIDING_PAYMENT, T0 + 10000000);
    struct saga_command void_payment = {SAGA_CMD_VOID_PAYMENT, 1};
    struct message_meta cause = a_cause();
    cause.correlation_id = uuid(ORDER_B);
    cause.traceparent[0] = '\0';
    cr_assert_eq(saga_store_save(sagas, &s, 0, &void_payment, 1, &cause), 0, "%s",
                 shop_error_message());

    struct contract_saga_command got[2];
    size_t n;
    contract_sagas_queued(got, 2, &n);
    cr_assert_eq(n, 1);
    cr_expect_str_eq(got[0].type, "ordering.VoidPayment");
    cr_expect_str_eq(got[0].stream, "order-" ORDER_B);
    cr_expect_str_eq(got[0].traceparent, "");
}

Test(saga_store, hands_the_timer_only_sagas_past_their_deadline_oldest_first)
{
    fulfilment_saga late = a_saga(ORDER_A, SAGA_AUTHORIZING_PAYMENT, T0 + 5000000);
    fulfilment_saga later = a_saga(ORDER_B, SAGA_VOIDING_PAYMENT, T0 + 7000000);
    fulfilment_saga not_yet = a_saga(ORDER_C, SAGA_RESERVING_STOCK, T0 + 9000001);
    fulfilment_saga ended = a_saga(ORDER_D, SAGA_CANCELLED, 0);
    save(&later, 0, NULL, 0);
    save(&not_yet, 0, NULL, 0);
    save(&ended, 0, NULL, 0);
    save(&late, 0, NULL, 0);

    order_id due[8];
    size_t n = 99;
    char text[UUID_STRING_SIZE];
    cr_assert_eq(saga_store_due(sagas, due, 8, &n, T0 + 9000000), 0, "%s", shop_error_message());
    cr_assert_eq(n, 2, "%zu sagas due", n);
    cr_expect_str_eq(uuid_format(text, due[0].uuid), ORDER_A, "the oldest deadline first");
    cr_expect_str_eq(uuid_format(text, due[1].uuid), ORDER_B);

    cr_assert_eq(saga_store_due(sagas, due, 1, &n, T0 + 9000000), 0, "%s", shop_error_message());
    cr_assert_eq(n, 1, "never more than asked");
    cr_expect_str_eq(uuid_format(text, due[0].uuid), ORDER_A);

    cr_assert_eq(saga_store_due(sagas, due, 8, &n, T0 + 9000001), 0, "%s", shop_error_message());
    cr_expect_eq(n, 3, "a deadline at now is due");

    cr_assert_eq(saga_store_due(sagas, due, 8, &n, T0), 0, "%s", shop_error_message());
    cr_expect_eq(n, 0, "nothing is due before its time");
}

Test(saga_store, never_hands_the_timer_an_ended_or_stuck_saga)
{
    fulfilment_saga confirmed = a_saga(ORDER_A, SAGA_CONFIRMED, 0);
    fulfilment_saga cancelled = a_saga(ORDER_B, SAGA_CANCELLED, 0);
    fulfilment_saga stuck = a_saga(ORDER_C, SAGA_STUCK, 0);
    fulfilment_saga waiting = a_saga(ORDER_D, SAGA_CAPTURING_PAYMENT, T0 + 1000);
    save(&confirmed, 0, NULL, 0);
    save(&cancelled, 0, NULL, 0);
    save(&stuck, 0, NULL, 0);
    save(&waiting, 0, NULL, 0);
    /* the one that was waiting ends too */
    waiting.state = SAGA_CONFIRMED;
    waiting.deadline_us = 0;
    save(&waiting, 1, NULL, 0);

    order_id due[8];
    size_t n = 99;
    cr_assert_eq(saga_store_due(sagas, due, 8, &n, T0 + 365 * 86400 * INT64_C(1000000)), 0, "%s",
                 shop_error_message());
    cr_expect_eq(n, 0, "%zu ended sagas handed to the timer", n);
}

Test(saga_store, lists_sagas_newest_first_in_one_state_or_all)
{
    fulfilment_saga a = a_saga(ORDER_A, SAGA_STUCK, 0);
    fulfilment_saga b = a_saga(ORDER_B, SAGA_RESERVING_STOCK, T0 + 30000000);
    fulfilment_saga c = a_saga(ORDER_C, SAGA_STUCK, 0);
    a.updated_at_us = T0 + 1000;
    b.updated_at_us = T0 + 2000;
    c.updated_at_us = T0 + 3000;
    snprintf(a.reason, sizeof a.reason, "voiding the payment got no reply after 5 attempts");
    save(&a, 0, NULL, 0);
    save(&b, 0, NULL, 0);
    save(&c, 0, NULL, 0);
    a.updated_at_us = T0 + 4000; /* a moves on: now the newest */
    save(&a, 1, NULL, 0);

    struct saga_summary *got = NULL;
    size_t n = 0;
    char text[UUID_STRING_SIZE];
    cr_assert_eq(saga_store_list(sagas, &got, &n, SAGA_NONE), 0, "%s", shop_error_message());
    cr_assert_eq(n, 3);
    cr_expect_str_eq(uuid_format(text, got[0].order.uuid), ORDER_A);
    cr_expect_str_eq(uuid_format(text, got[1].order.uuid), ORDER_C);
    cr_expect_str_eq(uuid_format(text, got[2].order.uuid), ORDER_B);
    cr_expect_eq(got[0].state, SAGA_STUCK);
    cr_expect_str_eq(got[0].reason, "voiding the payment got no reply after 5 attempts");
    cr_expect_eq(got[0].deadline_us, 0);
    cr_expect_eq(got[0].updated_at_us, T0 + 4000);
    cr_expect_eq(got[0].version, 2);
    cr_expect_eq(got[2].state, SAGA_RESERVING_STOCK);
    cr_expect_eq(got[2].deadline_us, T0 + 30000000);
    cr_expect_eq(got[2].version, 1);
    free(got);

    got = NULL;
    cr_assert_eq(saga_store_list(sagas, &got, &n, SAGA_STUCK), 0, "%s", shop_error_message());
    cr_assert_eq(n, 2);
    cr_expect_str_eq(uuid_format(text, got[0].order.uuid), ORDER_A);
    cr_expect_str_eq(uuid_format(text, got[1].order.uuid), ORDER_C);
    free(got);

    got = NULL;
    cr_assert_eq(saga_store_list(sagas, &got, &n, SAGA_CONFIRMED), 0, "%s", shop_error_message());
    cr_expect_eq(n, 0, "no saga is confirmed");
    free(got);
}
