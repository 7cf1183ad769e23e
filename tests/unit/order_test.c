/*
 * tests/unit/order_test.c — every rule of the Order aggregate, as given / when / then.
 *
 * Pattern: testing a decider.  Because the aggregate is two pure functions, a scenario
 * needs no database and no mocks:
 *     given(an_order_placed(), an_order_confirmed());   the history, folded by order_evolve
 *     rc = when_cancelling(...);                        one decide call
 *     then_refused(rc, SHOP_EREFUSED, "order ... is confirmed and cannot be cancelled");
 * Every expected amount and message is written out by hand, never computed by the code
 * under test: 3 x 12.50 EUR + 1 x 0.99 EUR is 38.49 EUR because a person added it up.
 * The decide buffer is filled with a byte pattern before each decision, so a refusal that
 * scribbles on `out` fails then_refused.
 *
 * The fixtures are static: a place_order is about 11 KB, and Criterion runs each test in
 * a process of its own, so nothing leaks from one scenario into the next.
 * Read next: domain/ordering/order.c, then application/ordering/order_service.c.
 */
#include "domain/ordering/order.h"
#include "domain/shared/error.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------- vocabulary */

#define ORDER_1   "0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90"
#define PLACED_AT INT64_C(1718000000000000) /* microseconds since the epoch */
#define CLOSED_AT INT64_C(1718000060000000) /* a minute later */
#define SCRIBBLE  0xA5                      /* what `out` holds before a decision */
#define UNTOUCHED ((size_t)0xA5A5A5)        /* what *out_count holds before a decision */

static order_id order_1(void)
{
    order_id id;
    cr_assert_eq(order_id_parse(&id, ORDER_1), 0, "%s", shop_error_message());
    return id;
}

/* "12.50 EUR" as Money; the currency code is required. */
static money price(const char *text)
{
    money m;
    cr_assert_eq(money_parse(&m, text, NULL), 0, "\"%s\": %s", text, shop_error_message());
    return m;
}

/* An amount in minor units, for the edges of int64_t that no one types. */
static money minor_units(const char *code, int64_t minor)
{
    const currency *c;
    cr_assert_eq(currency_find(&c, code), 0, "%s", shop_error_message());
    return money_make(c, minor);
}

static sku sku_of(const char *text)
{
    sku s;
    cr_assert_eq(sku_parse(&s, text), 0, "\"%s\": %s", text, shop_error_message());
    return s;
}

/* "SKU-07" for 7: many distinct SKUs without spelling them out. */
static const char *numbered_sku(char buf[16], size_t n)
{
    snprintf(buf, 16, "SKU-%02zu", n);
    return buf;
}

static void assert_money(money m, const char *expected)
{
    char text[MONEY_FORMAT_MAX];
    cr_assert_eq(money_format(text, sizeof text, m), 0, "%s", shop_error_message());
    cr_assert_str_eq(text, expected);
}

/* ---------------------------------------------------------------- commands */

static place_order placing;

/* PlaceOrder for ORDER_1 by customer cust-42 to Berlin, with no lines yet. */
static place_order *an_order_to_place(void)
{
    memset(&placing, 0, sizeof placing);
    placing.id = order_1();
    cr_assert_eq(customer_id_parse(&placing.customer, "cust-42"), 0);
    cr_assert_eq(ship_to_parse(&placing.address.ship_to, "Müllerstraße 5, Berlin"), 0);
    cr_assert_eq(postcode_parse(&placing.address.postcode, "10115"), 0);
    placing.at_us = PLACED_AT;
    return &placing;
}

static void with_line(place_order *cmd, const char *sku_text, int count, money unit_price)
{
    cr_assert_lt(cmd->line_count, ORDER_MAX_REQUESTED_LINES, "the test asks for too many lines");
    struct order_priced_line *line = &cmd->lines[cmd->line_count++];
    line->sku = sku_of(sku_text);
    cr_assert_eq(quantity_make(&line->quantity, count), 0, "%s", shop_error_message());
    line->unit_price = unit_price;
}

static confirm_order a_confirmation(void)
{
    return (confirm_order){.id = order_1(), .at_us = CLOSED_AT};
}

static cancel_order a_cancellation(const char *reason)
{
    cancel_order cmd = {.id = order_1(), .at_us = CLOSED_AT};
    cr_assert_lt(strlen(reason), sizeof cmd.reason);
    strcpy(cmd.reason, reason);
    return cmd;
}

/* ---------------------------------------------------------------- events */

/* OrderPlaced of ORDER_1: 3 x APPLE at 12.50 EUR, 37.50 EUR in all. */
static const order_event *an_order_placed(void)
{
    static order_event e;
    memset(&e, 0, sizeof e);
    e.type = ORDER_PLACED;
    e.order_id = order_1();
    e.at_us = PLACED_AT;
    cr_assert_eq(customer_id_parse(&e.as.placed.customer, "cust-42"), 0);
    cr_assert_eq(ship_to_parse(&e.as.placed.address.ship_to, "Müllerstraße 5, Berlin"), 0);
    cr_assert_eq(postcode_parse(&e.as.placed.address.postcode, "10115"), 0);
    e.as.placed.line_count = 1;
    e.as.placed.lines[0].sku = sku_of("APPLE");
    e.as.placed.lines[0].quantity.value = 3;
    e.as.placed.lines[0].unit_price = price("12.50 EUR");
    e.as.placed.lines[0].line_total = price("37.50 EUR");
    e.as.placed.total = price("37.50 EUR");
    return &e;
}

static const order_event *an_order_confirmed(void)
{
    static order_event e;
    e = (order_event){.type = ORDER_CONFIRMED, .order_id = order_1(), .at_us = CLOSED_AT};
    return &e;
}

static const order_event *an_order_cancelled(const char *reason)
{
    static order_event e;
    e = (order_event){.type = ORDER_CANCELLED, .order_id = order_1(), .at_us = CLOSED_AT};
    strcpy(e.as.cancelled.reason, reason);
    return &e;
}

/* ---------------------------------------------------------------- given / when / then */

static order state;

static void given_events(const order_event *const *events, size_t count)
{
    order_init(&state);
    for (size_t i = 0; i < count; i++)
        order_evolve(&state, events[i]);
}

/* given(e1, e2, ...) folds the events into `state`; given() is an order never placed. */
#define EVENT_LIST(...) ((const order_event *const[]){NULL, __VA_ARGS__})
#define given(...)                                                                                 \
    given_events(EVENT_LIST(__VA_ARGS__) + 1,                                                      \
                 sizeof EVENT_LIST(__VA_ARGS__) / sizeof(const order_event *) - 1)

static order_event produced[ORDER_MAX_DECIDED_EVENTS];
static size_t produced_count;

static void scribble(void)
{
    memset(produced, SCRIBBLE, sizeof produced);
    produced_count = UNTOUCHED;
}

static int when_placing(const place_order *cmd)
{
    scribble();
    shop_error_clear();
    return order_decide_place(produced, &produced_count, &state, cmd);
}

static int when_confirming(const confirm_order *cmd)
{
    scribble();
    shop_error_clear();
    return order_decide_confirm(produced, &produced_count, &state, cmd);
}

static int when_cancelling(const cancel_order *cmd)
{
    scribble();
    shop_error_clear();
    return order_decide_cancel(produced, &produced_count, &state, cmd);
}

static bool out_is_untouched(void)
{
    const unsigned char *p = (const unsigned char *)produced;
    for (size_t i = 0; i < sizeof produced; i++)
        if (p[i] != SCRIBBLE)
            return false;
    return true;
}

/* The decision was a refusal with this code and exactly this message, and wrote no event. */
static void then_refused(int rc, int code, const char *message)
{
    cr_assert_eq(rc, code, "expected %s, got %s (%s)", shop_error_name(code), shop_error_name(rc),
                 shop_error_message());
    cr_assert_eq(shop_error_code(), code);
    cr_assert_str_eq(shop_error_message(), message);
    cr_assert_eq(produced_count, 0, "a refusal decides no events");
    cr_assert(out_is_untouched(), "a refusal must not write to out");
}

/* The decision succeeded and changed nothing. */
static void then_nothing_happens(int rc)
{
    cr_assert_eq(rc, 0, "%s", shop_error_message());
    cr_assert_eq(produced_count, 0);
}

/* The decision succeeded with one event of this type, for ORDER_1; returns it. */
static const order_event *then_one_event(int rc, enum order_event_type type)
{
    cr_assert_eq(rc, 0, "refused: %s", shop_error_message());
    cr_assert_eq(produced_count, 1);
    cr_assert_eq(produced[0].type, type, "expected %s, got %s", order_event_type_name(type),
                 order_event_type_name(produced[0].type));
    cr_assert(uuid_equal(produced[0].order_id.uuid, order_1().uuid));
    return &produced[0];
}

static void assert_line(const order_line *line, const char *sku_text, int count,
                        const char *unit_price, const char *line_total)
{
    cr_assert_str_eq(line->sku.code, sku_text);
    cr_assert_eq(line->quantity.value, count, "quantity of %s", sku_text);
    assert_money(line->unit_price, unit_price);
    assert_money(line->line_total, line_total);
}

/* ================================================================ placing an order */

Test(placing_an_order, records_the_customer_the_address_and_the_time)
{
    place_order *cmd = an_order_to_place();
    with_line(cmd, "APPLE", 1, price("0.99 EUR"));
    given();

    const order_event *e = then_one_event(when_placing(cmd), ORDER_PLACED);

    cr_assert_eq(e->at_us, PLACED_AT);
    cr_assert_str_eq(e->as.placed.customer.text, "cust-42");
    cr_assert_str_eq(e->as.placed.address.ship_to.text, "Müllerstraße 5, Berlin");
    cr_assert_str_eq(e->as.placed.address.postcode.code, "10115");
}

Test(placing_an_order, totals_every_line_exactly)
{
    place_order *cmd = an_order_to_place();
    with_line(cmd, "APPLE", 3, price("12.50 EUR"));
    with_line(cmd, "PEAR", 1, price("0.99 EUR"));
    given();

    const order_event *e = then_one_event(when_placing(cmd), ORDER_PLACED);

    cr_assert_eq(e->as.placed.line_count, 2);
    assert_line(&e->as.placed.lines[0], "APPLE", 3, "12.50 EUR", "37.50 EUR");
    assert_line(&e->as.placed.lines[1], "PEAR", 1, "0.99 EUR", "0.99 EUR");
    assert_money(e->as.placed.total, "38.49 EUR");
    cr_assert_eq(e->as.placed.total.minor, 3849);
}

Test(placing_an_order, totals_in_a_currency_without_decimals)
{
    place_order *cmd = an_order_to_place();
    with_line(cmd, "TEA", 7, price("1200 JPY"));
    given();

    const order_event *e = then_one_event(when_placing(cmd), ORDER_PLACED);

    assert_money(e->as.placed.total, "8400 JPY");
}

Test(placing_an_order, merges_lines_of_the_same_sku_in_the_order_first_named)
{
    place_order *cmd = an_order_to_place();
    with_line(cmd, "PEAR", 2, price("0.99 EUR"));
    with_line(cmd, "APPLE", 1, price("12.50 EUR"));
    with_line(cmd, "PEAR", 3, price("0.99 EUR"));
    with_line(cmd, "FIG", 4, price("2.00 EUR"));
    with_line(cmd, "APPLE", 2, price("12.50 EUR"));
    given();

    const order_event *e = then_one_event(when_placing(cmd), ORDER_PLACED);

    cr_assert_eq(e->as.placed.line_count, 3);
    assert_line(&e->as.placed.lines[0], "PEAR", 5, "0.99 EUR", "4.95 EUR");
    assert_line(&e->as.placed.lines[1], "APPLE", 3, "12.50 EUR", "37.50 EUR");
    assert_line(&e->as.placed.lines[2], "FIG", 4, "2.00 EUR", "8.00 EUR");
    assert_money(e->as.placed.total, "50.45 EUR");
}

Test(placing_an_order, is_refused_without_lines)
{
    given();
    then_refused(when_placing(an_order_to_place()), SHOP_EINVALID,
                 "an order needs at least one line");
}

Test(placing_an_order, accepts_fifty_distinct_lines)
{
    place_order *cmd = an_order_to_place();
    char name[16];
    for (size_t i = 1; i <= 50; i++)
        with_line(cmd, numbered_sku(name, i), 1, price("1.00 EUR"));
    given();

    const order_event *e = then_one_event(when_placing(cmd), ORDER_PLACED);

    cr_assert_eq(e->as.placed.line_count, 50);
    assert_line(&e->as.placed.lines[49], "SKU-50", 1, "1.00 EUR", "1.00 EUR");
    assert_money(e->as.placed.total, "50.00 EUR");
}

Test(placing_an_order, is_refused_with_fifty_one_distinct_lines)
{
    place_order *cmd = an_order_to_place();
    char name[16];
    for (size_t i = 1; i <= 51; i++)
        with_line(cmd, numbered_sku(name, i), 1, price("1.00 EUR"));
    given();

    then_refused(when_placing(cmd), SHOP_EINVALID,
                 "an order has at most 50 lines, this one has 51");
}

Test(placing_an_order, counts_its_lines_after_merging_them)
{
    /* 51 requested lines, but SKU-01 twice: 50 lines once merged. */
    place_order *cmd = an_order_to_place();
    char name[16];
    for (size_t i = 1; i <= 50; i++)
        with_line(cmd, numbered_sku(name, i), 1, price("1.00 EUR"));
    with_line(cmd, "SKU-01", 1, price("1.00 EUR"));
    given();

    const order_event *e = then_one_event(when_placing(cmd), ORDER_PLACED);

    cr_assert_eq(e->as.placed.line_count, 50);
    assert_line(&e->as.placed.lines[0], "SKU-01", 2, "1.00 EUR", "2.00 EUR");
}

Test(placing_an_order, accepts_two_hundred_requested_lines)
{
    /* SKU-01 .. SKU-50, four times over: 50 lines of quantity 4. */
    place_order *cmd = an_order_to_place();
    char name[16];
    for (size_t i = 0; i < 200; i++)
        with_line(cmd, numbered_sku(name, i % 50 + 1), 1, price("0.25 EUR"));
    given();

    const order_event *e = then_one_event(when_placing(cmd), ORDER_PLACED);

    cr_assert_eq(e->as.placed.line_count, 50);
    assert_line(&e->as.placed.lines[0], "SKU-01", 4, "0.25 EUR", "1.00 EUR");
    assert_line(&e->as.placed.lines[49], "SKU-50", 4, "0.25 EUR", "1.00 EUR");
    assert_money(e->as.placed.total, "50.00 EUR");
}

Test(placing_an_order, is_refused_when_it_names_two_hundred_and_one_lines)
{
    place_order *cmd = an_order_to_place();
    for (size_t i = 0; i < 200; i++)
        with_line(cmd, "APPLE", 1, price("0.25 EUR"));
    cmd->line_count = 201; /* one more than the command can hold */
    given();

    then_refused(when_placing(cmd), SHOP_EINVALID,
                 "an order may name at most 200 lines, this one names 201");
}

Test(placing_an_order, accepts_a_merged_quantity_of_999)
{
    place_order *cmd = an_order_to_place();
    with_line(cmd, "APPLE", 500, price("0.10 EUR"));
    with_line(cmd, "APPLE", 499, price("0.10 EUR"));
    given();

    const order_event *e = then_one_event(when_placing(cmd), ORDER_PLACED);

    cr_assert_eq(e->as.placed.line_count, 1);
    assert_line(&e->as.placed.lines[0], "APPLE", 999, "0.10 EUR", "99.90 EUR");
}

Test(placing_an_order, is_refused_when_a_merged_quantity_would_be_1000)
{
    place_order *cmd = an_order_to_place();
    with_line(cmd, "PEAR", 1, price("0.99 EUR"));
    with_line(cmd, "APPLE", 500, price("0.10 EUR"));
    with_line(cmd, "APPLE", 500, price("0.10 EUR"));
    given();

    then_refused(when_placing(cmd), SHOP_EINVALID,
                 "quantity of SKU APPLE would be 1000 after merging lines, at most 999");
}

Test(placing_an_order, names_the_whole_merged_quantity_when_refusing_it)
{
    place_order *cmd = an_order_to_place();
    with_line(cmd, "APPLE", 600, price("0.10 EUR"));
    with_line(cmd, "APPLE", 600, price("0.10 EUR"));
    with_line(cmd, "APPLE", 100, price("0.10 EUR"));
    given();

    then_refused(when_placing(cmd), SHOP_EINVALID,
                 "quantity of SKU APPLE would be 1300 after merging lines, at most 999");
}

Test(placing_an_order, is_refused_when_a_line_has_zero_quantity)
{
    /* quantity_make refuses 0, so only a command filled in by hand can carry one. */
    place_order *cmd = an_order_to_place();
    with_line(cmd, "APPLE", 2, price("12.50 EUR"));
    with_line(cmd, "APPLE", 1, price("12.50 EUR"));
    cmd->lines[1].quantity.value = 0;
    given();

    then_refused(when_placing(cmd), SHOP_EINVALID, "quantity of SKU APPLE must be 1-999, got 0");
}

Test(placing_an_order, is_refused_when_a_unit_price_is_zero)
{
    place_order *cmd = an_order_to_place();
    with_line(cmd, "APPLE", 1, price("12.50 EUR"));
    with_line(cmd, "FREEBIE", 1, price("0.00 EUR"));
    given();

    then_refused(when_placing(cmd), SHOP_EINVALID,
                 "unit price of SKU FREEBIE must be above zero, got 0.00 EUR");
}

Test(placing_an_order, is_refused_when_a_unit_price_is_negative)
{
    place_order *cmd = an_order_to_place();
    with_line(cmd, "REBATE", 1, price("-5.00 EUR"));
    given();

    then_refused(when_placing(cmd), SHOP_EINVALID,
                 "unit price of SKU REBATE must be above zero, got -5.00 EUR");
}

Test(placing_an_order, is_refused_when_a_unit_price_has_no_currency)
{
    place_order *cmd = an_order_to_place();
    with_line(cmd, "APPLE", 1, (money){1250, NULL});
    given();

    then_refused(when_placing(cmd), SHOP_EINVALID, "unit price of SKU APPLE has no currency");
}

Test(placing_an_order, is_refused_when_its_lines_are_priced_in_two_currencies)
{
    place_order *cmd = an_order_to_place();
    with_line(cmd, "APPLE", 1, price("12.50 EUR"));
    with_line(cmd, "PEAR", 1, price("0.99 EUR"));
    with_line(cmd, "BAGEL", 2, price("1.10 USD"));
    given();

    then_refused(when_placing(cmd), SHOP_EINVALID,
                 "order lines must share one currency: SKU APPLE is in EUR, SKU BAGEL in USD");
}

Test(placing_an_order, is_refused_when_the_same_sku_has_two_prices)
{
    place_order *cmd = an_order_to_place();
    with_line(cmd, "APPLE", 1, price("12.50 EUR"));
    with_line(cmd, "APPLE", 1, price("13.00 EUR"));
    given();

    then_refused(when_placing(cmd), SHOP_EINVALID,
                 "SKU APPLE has two prices: 12.50 EUR and 13.00 EUR");
}

Test(placing_an_order, is_refused_when_a_line_total_overflows)
{
    /* 2^62 cents twice is 2^63, one more than INT64_MAX. */
    place_order *cmd = an_order_to_place();
    with_line(cmd, "GOLD", 2, minor_units("EUR", INT64_C(4611686018427387904)));
    given();

    then_refused(when_placing(cmd), SHOP_EINVALID,
                 "line total of SKU GOLD is out of range: 46116860184273879.04 EUR x 2 is out "
                 "of range for EUR");
}

Test(placing_an_order, is_refused_when_the_order_total_overflows)
{
    /* Each line fits; their sum, 2^63 cents, does not. */
    place_order *cmd = an_order_to_place();
    with_line(cmd, "GOLD", 1, minor_units("EUR", INT64_C(4611686018427387904)));
    with_line(cmd, "SILVER", 1, minor_units("EUR", INT64_C(4611686018427387904)));
    given();

    then_refused(when_placing(cmd), SHOP_EINVALID,
                 "order total is out of range: 46116860184273879.04 EUR + 46116860184273879.04 "
                 "EUR is out of range for EUR");
}

Test(placing_an_order, accepts_the_largest_total_there_is)
{
    /* INT64_MAX cents: 92233720368547758.07 EUR, to the cent. */
    place_order *cmd = an_order_to_place();
    with_line(cmd, "GOLD", 1, minor_units("EUR", INT64_C(4611686018427387904)));
    with_line(cmd, "SILVER", 1, minor_units("EUR", INT64_C(4611686018427387903)));
    given();

    const order_event *e = then_one_event(when_placing(cmd), ORDER_PLACED);

    assert_money(e->as.placed.total, "92233720368547758.07 EUR");
}

Test(placing_an_order, is_refused_when_the_order_already_exists)
{
    place_order *cmd = an_order_to_place();
    with_line(cmd, "APPLE", 1, price("12.50 EUR"));
    given(an_order_placed());

    then_refused(when_placing(cmd), SHOP_EREFUSED, "order " ORDER_1 " already exists");
}

Test(placing_an_order, is_refused_when_the_order_was_placed_and_cancelled_before)
{
    place_order *cmd = an_order_to_place();
    with_line(cmd, "APPLE", 1, price("12.50 EUR"));
    given(an_order_placed(), an_order_cancelled("out of stock: SKU APPLE"));

    then_refused(when_placing(cmd), SHOP_EREFUSED, "order " ORDER_1 " already exists");
}

Test(placing_an_order, writes_nothing_to_out_when_refused)
{
    /* A rule found only after merging and pricing began: the event was half built. */
    place_order *cmd = an_order_to_place();
    with_line(cmd, "APPLE", 3, price("12.50 EUR"));
    with_line(cmd, "PEAR", 1, price("0.99 EUR"));
    with_line(cmd, "PEAR", 999, price("0.99 EUR"));
    given();

    int rc = when_placing(cmd);

    cr_assert_eq(rc, SHOP_EINVALID);
    cr_assert_eq(produced_count, 0);
    cr_assert(out_is_untouched(), "the refused decision wrote to out");
}

/* ================================================================ confirming an order */

Test(confirming_an_order, records_that_a_placed_order_is_confirmed)
{
    confirm_order cmd = a_confirmation();
    given(an_order_placed());

    const order_event *e = then_one_event(when_confirming(&cmd), ORDER_CONFIRMED);

    cr_assert_eq(e->at_us, CLOSED_AT);
}

Test(confirming_an_order, is_not_found_when_it_was_never_placed)
{
    confirm_order cmd = a_confirmation();
    given();

    then_refused(when_confirming(&cmd), SHOP_ENOTFOUND, "order " ORDER_1 " not found");
}

Test(confirming_an_order, is_refused_when_it_is_cancelled)
{
    confirm_order cmd = a_confirmation();
    given(an_order_placed(), an_order_cancelled("payment declined"));

    then_refused(when_confirming(&cmd), SHOP_EREFUSED,
                 "order " ORDER_1 " is cancelled and cannot be confirmed");
}

Test(confirming_an_order, changes_nothing_when_it_is_already_confirmed)
{
    confirm_order cmd = a_confirmation();
    given(an_order_placed(), an_order_confirmed());

    then_nothing_happens(when_confirming(&cmd));
}

Test(confirming_an_order, writes_nothing_to_out_when_refused)
{
    confirm_order cmd = a_confirmation();
    given(an_order_placed(), an_order_cancelled("payment declined"));

    int rc = when_confirming(&cmd);

    cr_assert_eq(rc, SHOP_EREFUSED);
    cr_assert_eq(produced_count, 0);
    cr_assert(out_is_untouched(), "the refused decision wrote to out");
}

/* ================================================================ cancelling an order */

Test(cancelling_an_order, records_the_reason_a_placed_order_is_cancelled)
{
    cancel_order cmd = a_cancellation("out of stock: SKU APPLE");
    given(an_order_placed());

    const order_event *e = then_one_event(when_cancelling(&cmd), ORDER_CANCELLED);

    cr_assert_eq(e->at_us, CLOSED_AT);
    cr_assert_str_eq(e->as.cancelled.reason, "out of stock: SKU APPLE");
}

Test(cancelling_an_order, accepts_a_reason_in_any_script)
{
    cancel_order cmd = a_cancellation("Kunde storniert — zu spät; 顧客都合");
    given(an_order_placed());

    const order_event *e = then_one_event(when_cancelling(&cmd), ORDER_CANCELLED);

    cr_assert_str_eq(e->as.cancelled.reason, "Kunde storniert — zu spät; 顧客都合");
}

Test(cancelling_an_order, accepts_a_reason_of_200_bytes)
{
    cancel_order cmd = a_cancellation("");
    memset(cmd.reason, 'x', 200);
    cmd.reason[200] = '\0';
    given(an_order_placed());

    const order_event *e = then_one_event(when_cancelling(&cmd), ORDER_CANCELLED);

    cr_assert_eq(strlen(e->as.cancelled.reason), 200);
}

Test(cancelling_an_order, is_refused_when_the_reason_is_longer_than_200_bytes)
{
    cancel_order cmd = a_cancellation("");
    memset(cmd.reason, 'x', sizeof cmd.reason); /* 201 bytes and no NUL */
    given(an_order_placed());

    then_refused(when_cancelling(&cmd), SHOP_EINVALID,
                 "cancellation reason must be 1-200 bytes, got more than 200");
}

Test(cancelling_an_order, is_refused_without_a_reason)
{
    cancel_order cmd = a_cancellation("");
    given(an_order_placed());

    then_refused(when_cancelling(&cmd), SHOP_EINVALID,
                 "cancellation reason must be 1-200 bytes, got 0");
}

Test(cancelling_an_order, is_refused_when_the_reason_is_only_spaces)
{
    cancel_order cmd = a_cancellation("   ");
    given(an_order_placed());

    then_refused(when_cancelling(&cmd), SHOP_EINVALID, "cancellation reason must not be blank");
}

Test(cancelling_an_order, is_refused_when_the_reason_has_a_control_character)
{
    cancel_order cmd = a_cancellation("payment\ndeclined");
    given(an_order_placed());

    then_refused(when_cancelling(&cmd), SHOP_EINVALID,
                 "cancellation reason must not contain control characters, got U+000A at "
                 "character 8");
}

Test(cancelling_an_order, counts_characters_not_bytes_when_naming_a_control_character)
{
    /* "spät" is 4 characters in 5 bytes; the C1 control U+0085 is the 5th character. */
    cancel_order cmd = a_cancellation("spät\xc2\x85");
    given(an_order_placed());

    then_refused(when_cancelling(&cmd), SHOP_EINVALID,
                 "cancellation reason must not contain control characters, got U+0085 at "
                 "character 5");
}

Test(cancelling_an_order, is_refused_when_the_reason_is_not_utf8)
{
    cancel_order cmd = a_cancellation("caf\xe9 closed"); /* Latin-1 é */
    given(an_order_placed());

    then_refused(when_cancelling(&cmd), SHOP_EINVALID,
                 "cancellation reason must be valid UTF-8, got byte 0xE9 at byte 4");
}

Test(cancelling_an_order, is_not_found_when_it_was_never_placed)
{
    cancel_order cmd = a_cancellation("changed my mind");
    given();

    then_refused(when_cancelling(&cmd), SHOP_ENOTFOUND, "order " ORDER_1 " not found");
}

Test(cancelling_an_order, is_refused_when_it_is_confirmed)
{
    cancel_order cmd = a_cancellation("changed my mind");
    given(an_order_placed(), an_order_confirmed());

    then_refused(when_cancelling(&cmd), SHOP_EREFUSED,
                 "order " ORDER_1 " is confirmed and cannot be cancelled");
}

Test(cancelling_an_order, changes_nothing_when_it_is_already_cancelled)
{
    cancel_order cmd = a_cancellation("changed my mind");
    given(an_order_placed(), an_order_cancelled("payment declined"));

    then_nothing_happens(when_cancelling(&cmd));
}

Test(cancelling_an_order, writes_nothing_to_out_when_refused)
{
    cancel_order cmd = a_cancellation("payment\tdeclined");
    given(an_order_placed());

    int rc = when_cancelling(&cmd);

    cr_assert_eq(rc, SHOP_EINVALID);
    cr_assert_eq(produced_count, 0);
    cr_assert(out_is_untouched(), "the refused decision wrote to out");
}

/* ================================================================ an order's history */

Test(an_orders_history, starts_with_no_order)
{
    order o;
    memset(&o, SCRIBBLE, sizeof o);

    order_init(&o);

    cr_assert_eq(o.status, ORDER_STATUS_NONE);
    cr_assert_eq(o.line_count, 0);
    cr_assert_eq(o.closed_at_us, 0);
    cr_assert_str_eq(o.reason, "");
}

Test(an_orders_history, holds_everything_an_order_was_placed_with)
{
    given(an_order_placed());

    cr_assert_eq(state.status, ORDER_STATUS_PLACED);
    cr_assert(uuid_equal(state.id.uuid, order_1().uuid));
    cr_assert_str_eq(state.customer.text, "cust-42");
    cr_assert_str_eq(state.address.ship_to.text, "Müllerstraße 5, Berlin");
    cr_assert_str_eq(state.address.postcode.code, "10115");
    cr_assert_eq(state.line_count, 1);
    assert_line(&state.lines[0], "APPLE", 3, "12.50 EUR", "37.50 EUR");
    assert_money(state.total, "37.50 EUR");
    cr_assert_eq(state.placed_at_us, PLACED_AT);
    cr_assert_eq(state.closed_at_us, 0);
    cr_assert_str_eq(state.reason, "");
}

Test(an_orders_history, is_confirmed_with_the_time_after_placing_then_confirming)
{
    /* The round trip a command handler makes: decide, evolve, decide again. */
    place_order *cmd = an_order_to_place();
    with_line(cmd, "APPLE", 3, price("12.50 EUR"));
    with_line(cmd, "PEAR", 1, price("0.99 EUR"));
    confirm_order confirm = a_confirmation();
    given();

    order_evolve(&state, then_one_event(when_placing(cmd), ORDER_PLACED));
    order_evolve(&state, then_one_event(when_confirming(&confirm), ORDER_CONFIRMED));

    cr_assert_eq(state.status, ORDER_STATUS_CONFIRMED);
    cr_assert_eq(state.placed_at_us, PLACED_AT);
    cr_assert_eq(state.closed_at_us, CLOSED_AT);
    cr_assert_eq(state.line_count, 2);
    assert_money(state.total, "38.49 EUR");
    cr_assert_str_eq(state.reason, "");
}

Test(an_orders_history, keeps_the_reason_after_placing_then_cancelling)
{
    place_order *cmd = an_order_to_place();
    with_line(cmd, "APPLE", 1, price("12.50 EUR"));
    cancel_order cancel = a_cancellation("undeliverable");
    given();

    order_evolve(&state, then_one_event(when_placing(cmd), ORDER_PLACED));
    order_evolve(&state, then_one_event(when_cancelling(&cancel), ORDER_CANCELLED));

    cr_assert_eq(state.status, ORDER_STATUS_CANCELLED);
    cr_assert_eq(state.closed_at_us, CLOSED_AT);
    cr_assert_str_eq(state.reason, "undeliverable");
    assert_money(state.total, "12.50 EUR");
}

Test(an_orders_history, ignores_an_event_it_does_not_know)
{
    order_event unknown = *an_order_confirmed();
    unknown.type = (enum order_event_type)99;
    given(an_order_placed());
    order before = state;

    order_evolve(&state, &unknown);

    cr_assert(memcmp(&before, &state, sizeof state) == 0, "an unknown event changed the order");
}

/* ================================================================ names */

Test(order_names, name_each_event_as_it_is_stored_and_back)
{
    cr_assert_str_eq(order_event_type_name(ORDER_PLACED), "OrderPlaced");
    cr_assert_str_eq(order_event_type_name(ORDER_CONFIRMED), "OrderConfirmed");
    cr_assert_str_eq(order_event_type_name(ORDER_CANCELLED), "OrderCancelled");
    cr_assert_eq(order_event_type_from_name("OrderPlaced"), ORDER_PLACED);
    cr_assert_eq(order_event_type_from_name("OrderConfirmed"), ORDER_CONFIRMED);
    cr_assert_eq(order_event_type_from_name("OrderCancelled"), ORDER_CANCELLED);
}

Test(order_names, know_no_event_of_another_context)
{
    cr_assert_eq(order_event_type_from_name("PaymentAuthorized"), 0);
    cr_assert_eq(order_event_type_from_name("orderplaced"), 0);
    cr_assert_eq(order_event_type_from_name(""), 0);
    cr_assert_eq(order_event_type_from_name(NULL), 0);
}

Test(order_names, name_each_status)
{
    cr_assert_str_eq(order_status_name(ORDER_STATUS_NONE), "none");
    cr_assert_str_eq(order_status_name(ORDER_STATUS_PLACED), "placed");
    cr_assert_str_eq(order_status_name(ORDER_STATUS_CONFIRMED), "confirmed");
    cr_assert_str_eq(order_status_name(ORDER_STATUS_CANCELLED), "cancelled");
}

/* ================================================================ order ids */

Test(an_order_id, names_its_stream_in_lower_case_whatever_case_was_typed)
{
    order_id id;
    char stream[ORDER_STREAM_ID_SIZE];

    cr_assert_eq(order_id_parse(&id, "0190A6F4-8D1E-7C3A-9B2F-4E5D6C7B8A90"), 0, "%s",
                 shop_error_message());

    cr_assert(uuid_equal(id.uuid, order_1().uuid));
    cr_assert_str_eq(order_stream_id(stream, id), "order-" ORDER_1);
}

Test(an_order_id, is_refused_when_it_is_not_a_uuid)
{
    order_id id;

    int rc = order_id_parse(&id, "order-42");

    cr_assert_eq(rc, SHOP_EINVALID);
    cr_assert_str_eq(shop_error_message(),
                     "order id \"order-42\" is not a UUID (8-4-4-4-12 hex digits)");
    cr_assert(uuid_is_nil(id.uuid), "a refused parse leaves no id behind");
}

Test(an_order_id, quotes_what_was_typed_safely_in_its_refusal)
{
    order_id id;

    cr_assert_eq(order_id_parse(&id, "\"\x01"), SHOP_EINVALID);
    cr_assert_str_eq(shop_error_message(),
                     "order id \"\\\"\\x01\" is not a UUID (8-4-4-4-12 hex digits)");
}

/* ================================================================ the card to pay with */

Test(placing_an_order, records_the_card_it_is_to_be_paid_with)
{
    place_order *cmd = an_order_to_place();
    with_line(cmd, "APPLE", 1, price("0.99 EUR"));
    snprintf(cmd->card, sizeof cmd->card, "tok_chargeDeclined");
    given();

    const order_event *e = then_one_event(when_placing(cmd), ORDER_PLACED);

    cr_assert_str_eq(e->as.placed.card, "tok_chargeDeclined");
}

Test(placing_an_order, without_a_card_is_paid_with_tok_visa)
{
    place_order *cmd = an_order_to_place();
    with_line(cmd, "APPLE", 1, price("0.99 EUR"));
    given();

    const order_event *e = then_one_event(when_placing(cmd), ORDER_PLACED);

    cr_assert_str_eq(e->as.placed.card, "tok_visa");
}

Test(placing_an_order, is_refused_when_its_card_is_not_a_token)
{
    place_order *cmd = an_order_to_place();
    with_line(cmd, "APPLE", 1, price("0.99 EUR"));
    snprintf(cmd->card, sizeof cmd->card, "tok visa");
    given();
    then_refused(when_placing(cmd), SHOP_EINVALID, "card: printable ASCII without spaces, like tok_visa");
}
