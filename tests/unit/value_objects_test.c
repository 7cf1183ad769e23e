/*
 * tests/unit/value_objects_test.c — the rules a user meets when typing an order
 * (docs/cli.md, "Domain rules a user meets"): quantity, SKU, customer id, ship-to, postcode.
 *
 * Pattern: shared kernel / value objects, tested as domain scenarios, each rule at both
 * sides of each boundary.  Long inputs are built by repeat(), so a test says "33
 * characters" rather than spelling them out.
 * Read next: tests/unit/uuid_test.c.
 */
#include "domain/shared/address.h"
#include "domain/shared/customer_id.h"
#include "domain/shared/error.h"
#include "domain/shared/quantity.h"
#include "domain/shared/sku.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

/* `piece` repeated `times` times into buf (which must be big enough). */
/* For messages whose start names the rule and whose end quotes the input. */
static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static const char *repeat(char *buf, const char *piece, size_t times)
{
    size_t n = strlen(piece);
    for (size_t i = 0; i < times; i++)
        memcpy(buf + i * n, piece, n);
    buf[times * n] = '\0';
    return buf;
}

static void assert_error(int rc, int code, const char *message)
{
    cr_assert_eq(rc, code, "expected %s, got %s (%s)", shop_error_name(code), shop_error_name(rc),
                 shop_error_message());
    cr_assert_eq(shop_error_code(), code);
    cr_assert_str_eq(shop_error_message(), message);
}

/* ------------------------------------------------------------------ quantity */

static int parsed_quantity(const char *text)
{
    quantity q;
    cr_assert_eq(quantity_parse(&q, text), 0, "\"%s\": %s", text, shop_error_message());
    return q.value;
}

Test(quantity, accepts_one_to_nine_hundred_ninety_nine)
{
    cr_assert_eq(parsed_quantity("1"), 1);
    cr_assert_eq(parsed_quantity("3"), 3);
    cr_assert_eq(parsed_quantity("999"), 999);
}

Test(quantity, reads_leading_zeros_as_decimal_not_octal)
{
    cr_assert_eq(parsed_quantity("010"), 10);
}

Test(quantity, refuses_zero)
{
    quantity q;
    assert_error(quantity_parse(&q, "0"), SHOP_EOVERFLOW,
                 "quantity must be an integer from 1 to 999, got \"0\"");
}

Test(quantity, refuses_a_thousand)
{
    quantity q;
    assert_error(quantity_parse(&q, "1000"), SHOP_EOVERFLOW,
                 "quantity must be an integer from 1 to 999, got \"1000\"");
}

Test(quantity, refuses_negative_quantities)
{
    quantity q;
    assert_error(quantity_parse(&q, "-1"), SHOP_EOVERFLOW,
                 "quantity must be an integer from 1 to 999, got \"-1\"");
}

Test(quantity, refuses_numbers_too_large_for_any_integer)
{
    quantity q;
    assert_error(quantity_parse(&q, "99999999999999999999"), SHOP_EOVERFLOW,
                 "quantity must be an integer from 1 to 999, got \"99999999999999999999\"");
}

Test(quantity, refuses_text_that_strtol_would_accept)
{
    static const char *const sloppy[] = {" 3",  "3 ", "+3", "3x",    "0x3", "3.0",
                                         "1e2", "",   "-",  "three", "3\n", "\t3"};
    for (size_t i = 0; i < sizeof sloppy / sizeof sloppy[0]; i++) {
        quantity q = {42};
        int rc = quantity_parse(&q, sloppy[i]);
        cr_assert_eq(rc, SHOP_EINVALID, "\"%s\": expected SHOP_EINVALID, got %s", sloppy[i],
                     shop_error_name(rc));
        cr_assert(starts_with(shop_error_message(), "quantity must be an integer from 1 to 999"),
                  "\"%s\": %s", sloppy[i], shop_error_message());
        cr_assert_eq(q.value, 0, "a refused quantity is not left half-made");
    }
}

Test(quantity, quotes_invisible_characters_in_the_message)
{
    quantity q;
    assert_error(quantity_parse(&q, "3\n"), SHOP_EINVALID,
                 "quantity must be an integer from 1 to 999, got \"3\\x0A\"");
}

Test(quantity, is_made_from_integers_within_the_same_bounds)
{
    quantity q;
    cr_assert_eq(quantity_make(&q, 1), 0);
    cr_assert_eq(q.value, 1);
    cr_assert_eq(quantity_make(&q, 999), 0);
    cr_assert_eq(q.value, 999);
    assert_error(quantity_make(&q, 0), SHOP_EOVERFLOW,
                 "quantity must be an integer from 1 to 999, got 0");
    assert_error(quantity_make(&q, 1000), SHOP_EOVERFLOW,
                 "quantity must be an integer from 1 to 999, got 1000");
    cr_assert_eq(quantity_make(&q, INT64_MIN), SHOP_EOVERFLOW);
    cr_assert_eq(quantity_make(&q, INT64_C(4294967297)), SHOP_EOVERFLOW); /* 2^32 + 1 */
}

/* ----------------------------------------------------------------------- SKU */

static const char *parsed_sku(sku *out, const char *text)
{
    cr_assert_eq(sku_parse(out, text), 0, "\"%s\": %s", text, shop_error_message());
    return out->code;
}

Test(sku, accepts_letters_digits_and_dashes)
{
    sku s;
    cr_assert_str_eq(parsed_sku(&s, "ABC-1"), "ABC-1");
    cr_assert_str_eq(parsed_sku(&s, "0"), "0");
    cr_assert_str_eq(parsed_sku(&s, "-"), "-");
}

Test(sku, is_upper_cased_on_input)
{
    sku s;
    cr_assert_str_eq(parsed_sku(&s, "abc-1"), "ABC-1");
    cr_assert_str_eq(parsed_sku(&s, "tShIrT-xl"), "TSHIRT-XL");
}

Test(sku, is_the_same_product_whatever_the_case_typed)
{
    sku lower, upper, other;
    parsed_sku(&lower, "abc-1");
    parsed_sku(&upper, "ABC-1");
    parsed_sku(&other, "ABC-2");
    cr_assert(sku_equal(&lower, &upper));
    cr_assert_not(sku_equal(&lower, &other));
    cr_assert_lt(sku_compare(&upper, &other), 0);
    cr_assert_eq(sku_compare(&lower, &upper), 0);
}

Test(sku, accepts_thirty_two_characters)
{
    char text[64];
    sku s;
    cr_assert_str_eq(parsed_sku(&s, repeat(text, "a", 32)), "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
}

Test(sku, refuses_thirty_three_characters)
{
    char text[64];
    sku s;
    assert_error(sku_parse(&s, repeat(text, "A", 33)), SHOP_EINVALID,
                 "SKU must be 1-32 characters of A-Z, 0-9 and '-', got 33 characters");
}

Test(sku, refuses_an_empty_sku)
{
    sku s;
    assert_error(sku_parse(&s, ""), SHOP_EINVALID,
                 "SKU must be 1-32 characters of A-Z, 0-9 and '-', got \"\"");
    cr_assert_eq(sku_parse(&s, NULL), SHOP_EINVALID);
}

Test(sku, refuses_a_space)
{
    sku s;
    assert_error(sku_parse(&s, "ab c"), SHOP_EINVALID,
                 "SKU must be 1-32 characters of A-Z, 0-9 and '-', got \"ab c\"");
}

Test(sku, refuses_other_characters)
{
    static const char *const bad[] = {"AB_C",  "AB.C", "AB/C", "ÄBC",
                                      "AB\tC", "AB\n", " ABC", "ABC "};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sku s;
        cr_assert_eq(sku_parse(&s, bad[i]), SHOP_EINVALID, "\"%s\" should be refused", bad[i]);
        cr_assert_str_eq(s.code, "", "a refused SKU is left empty");
    }
}

Test(sku, escapes_quotes_and_backslashes_in_the_message)
{
    sku s;
    /* So that the quoted input cannot end the quotation early or look like an escape. */
    assert_error(sku_parse(&s, "A\"B\\C"), SHOP_EINVALID,
                 "SKU must be 1-32 characters of A-Z, 0-9 and '-', got \"A\\\"B\\\\C\"");
}

Test(sku, quotes_a_non_ascii_sku_byte_by_byte)
{
    sku s;
    /* "ÄBC" is C3 84 42 43 in UTF-8: valid text, quoted as it is. */
    assert_error(sku_parse(&s, "\xC3\x84"
                               "BC"),
                 SHOP_EINVALID,
                 "SKU must be 1-32 characters of A-Z, 0-9 and '-', got \"\xC3\x84"
                 "BC\"");
    /* A lone 0xFF is not text at all: shown as \xFF. */
    assert_error(sku_parse(&s, "A\xFF"), SHOP_EINVALID,
                 "SKU must be 1-32 characters of A-Z, 0-9 and '-', got \"A\\xFF\"");
}

/* --------------------------------------------------------------- customer id */

Test(customer_id, is_kept_exactly_as_given)
{
    customer_id id;
    cr_assert_eq(customer_id_parse(&id, "Cust-42"), 0);
    cr_assert_str_eq(id.text, "Cust-42");
}

Test(customer_id, accepts_any_printable_ascii_including_spaces)
{
    /* All 95 printable characters, 0x20 to 0x7E, in three ids of at most 64. */
    static const char *const printable[] = {
        " !\"#$%&'()*+,-./0123456789:;<=>?",
        "@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_",
        "`abcdefghijklmnopqrstuvwxyz{|}~",
    };
    for (size_t i = 0; i < 3; i++) {
        customer_id id;
        cr_assert_eq(customer_id_parse(&id, printable[i]), 0, "%s", shop_error_message());
        cr_assert_str_eq(id.text, printable[i]);
    }
}

Test(customer_id, accepts_one_and_sixty_four_characters)
{
    char text[128];
    customer_id id;
    cr_assert_eq(customer_id_parse(&id, "x"), 0);
    cr_assert_str_eq(id.text, "x");
    cr_assert_eq(customer_id_parse(&id, repeat(text, "c", 64)), 0);
    cr_assert_eq(strlen(id.text), 64);
}

Test(customer_id, refuses_sixty_five_characters)
{
    char text[128];
    customer_id id;
    assert_error(customer_id_parse(&id, repeat(text, "c", 65)), SHOP_EINVALID,
                 "customer id must be 1-64 printable ASCII characters, got 65 characters");
}

Test(customer_id, refuses_an_empty_id)
{
    customer_id id;
    assert_error(customer_id_parse(&id, ""), SHOP_EINVALID,
                 "customer id must be 1-64 printable ASCII characters, got \"\"");
}

Test(customer_id, refuses_an_id_of_only_spaces)
{
    customer_id id;
    assert_error(customer_id_parse(&id, "   "), SHOP_EINVALID, "customer id must not be blank");
    cr_assert_eq(customer_id_parse(&id, " x "), 0, "spaces around a character are kept");
    cr_assert_str_eq(id.text, " x ");
}

Test(customer_id, refuses_control_characters)
{
    customer_id id;
    assert_error(customer_id_parse(&id, "a\tb"), SHOP_EINVALID,
                 "customer id must be 1-64 printable ASCII characters, got \"a\\x09b\"");
    cr_assert_eq(customer_id_parse(&id, "ab\n"), SHOP_EINVALID);
    cr_assert_eq(customer_id_parse(&id, "\x1b[31mred"), SHOP_EINVALID);
    cr_assert_eq(customer_id_parse(&id, "del\x7f"), SHOP_EINVALID);
    cr_assert_eq(customer_id_parse(&id, "us\x1f"), SHOP_EINVALID); /* 0x1F, just below ' ' */
    cr_assert_str_eq(id.text, "");
}

Test(customer_id, refuses_non_ascii_characters)
{
    customer_id id;
    assert_error(customer_id_parse(&id, "Jos\xC3\xA9"), SHOP_EINVALID,
                 "customer id must be 1-64 printable ASCII characters, got \"Jos\xC3\xA9\"");
}

Test(customer_id, quotes_at_most_forty_characters_of_a_refused_id)
{
    char text[128], b38[64], expected[256];
    /* 'a', a control character and 60 'b's: the message shows the first 40 characters. */
    strcpy(text, "a\x01");
    strcat(text, repeat(b38, "b", 60));
    snprintf(expected, sizeof expected,
             "customer id must be 1-64 printable ASCII characters, got \"a\\x01%s...\"",
             repeat(b38, "b", 38));
    customer_id id;
    assert_error(customer_id_parse(&id, text), SHOP_EINVALID, expected);
}

Test(customer_id, compares_case_sensitively)
{
    customer_id a, b, c;
    cr_assert_eq(customer_id_parse(&a, "alice"), 0);
    cr_assert_eq(customer_id_parse(&b, "alice"), 0);
    cr_assert_eq(customer_id_parse(&c, "Alice"), 0);
    cr_assert(customer_id_equal(&a, &b));
    cr_assert_not(customer_id_equal(&a, &c));
}

/* ------------------------------------------------------------------- ship-to */

static void assert_ship_to_accepted(const char *text)
{
    ship_to to;
    cr_assert_eq(ship_to_parse(&to, text), 0, "%s", shop_error_message());
    cr_assert_str_eq(to.text, text, "a ship-to is kept as written");
}

Test(ship_to, is_kept_as_written)
{
    assert_ship_to_accepted("1 Main St, Springfield");
    assert_ship_to_accepted("Müllerstraße 5, 80331 München");
    assert_ship_to_accepted("東京都千代田区1-1");
}

Test(ship_to, accepts_two_hundred_characters)
{
    char text[1024];
    assert_ship_to_accepted(repeat(text, "a", 200));
}

Test(ship_to, refuses_two_hundred_and_one_characters)
{
    char text[1024];
    ship_to to;
    assert_error(ship_to_parse(&to, repeat(text, "a", 201)), SHOP_EINVALID,
                 "ship-to must be 1-200 characters, got 201");
}

Test(ship_to, counts_characters_not_bytes)
{
    char text[1024];
    ship_to to;
    /* ü is 2 bytes, € 3, 😀 4: 200 of them are 400, 600 and 800 bytes. */
    assert_ship_to_accepted(repeat(text, "ü", 200));
    assert_ship_to_accepted(repeat(text, "€", 200));
    assert_ship_to_accepted(repeat(text, "😀", 200));
    assert_error(ship_to_parse(&to, repeat(text, "ü", 201)), SHOP_EINVALID,
                 "ship-to must be 1-200 characters, got 201");
    assert_error(ship_to_parse(&to, repeat(text, "😀", 201)), SHOP_EINVALID,
                 "ship-to must be 1-200 characters, got 201");
}

Test(ship_to, counts_mixed_widths_together)
{
    char text[1024];
    /* 199 ASCII characters and one 3-byte €: 200 characters, 202 bytes. */
    repeat(text, "a", 199);
    strcat(text, "€");
    assert_ship_to_accepted(text);
    strcat(text, "b");
    ship_to to;
    assert_error(ship_to_parse(&to, text), SHOP_EINVALID,
                 "ship-to must be 1-200 characters, got 201");
}

Test(ship_to, refuses_an_empty_address)
{
    ship_to to;
    assert_error(ship_to_parse(&to, ""), SHOP_EINVALID, "ship-to must be 1-200 characters, got 0");
}

Test(ship_to, refuses_an_address_of_only_spaces)
{
    ship_to to;
    assert_error(ship_to_parse(&to, "    "), SHOP_EINVALID, "ship-to must not be blank");
    cr_assert_eq(ship_to_parse(&to, " 1 Main St "), 0, "%s", shop_error_message());
}

Test(ship_to, refuses_a_line_break)
{
    ship_to to;
    assert_error(ship_to_parse(&to, "1 Main\nSt"), SHOP_EINVALID,
                 "ship-to must not contain control characters, got U+000A at character 7");
    cr_assert_str_eq(to.text, "");
}

Test(ship_to, refuses_every_kind_of_control_character)
{
    ship_to to;
    cr_assert_eq(ship_to_parse(&to, "a\tb"), SHOP_EINVALID);
    cr_assert_eq(ship_to_parse(&to, "a\rb"), SHOP_EINVALID);
    cr_assert_eq(ship_to_parse(&to, "\x1b[2J"), SHOP_EINVALID);
    cr_assert_eq(ship_to_parse(&to, "del\x7f"), SHOP_EINVALID);
    cr_assert_eq(ship_to_parse(&to, "us\x1f"), SHOP_EINVALID);
    /* U+0085 NEXT LINE, a C1 control, is C2 85 in UTF-8. */
    assert_error(ship_to_parse(&to, "ü\xC2\x85"), SHOP_EINVALID,
                 "ship-to must not contain control characters, got U+0085 at character 2");
}

Test(ship_to, refuses_bytes_that_are_not_utf8)
{
    ship_to to;
    assert_error(ship_to_parse(&to, "ab\xFF"), SHOP_EINVALID,
                 "ship-to must be valid UTF-8, got byte 0xFF at byte 3");
    /* Latin-1 "é" alone, as a misconfigured terminal would send it. */
    assert_error(ship_to_parse(&to, "Caf\xE9"), SHOP_EINVALID,
                 "ship-to must be valid UTF-8, got byte 0xE9 at byte 4");
}

Test(ship_to, refuses_malformed_utf8_sequences)
{
    static const char *const malformed[] = {
        "\x80",                 /* a continuation byte alone */
        "\xC3",                 /* a truncated 2-byte sequence */
        "\xE2\x82",             /* a truncated 3-byte sequence (€ is E2 82 AC) */
        "\xE2\x82z",            /* a sequence interrupted by ASCII */
        "\xC0\xAF",             /* overlong '/' */
        "\xE0\x80\xAF",         /* overlong '/' in 3 bytes */
        "\xF0\x82\x82\xAC",     /* overlong '€' in 4 bytes */
        "\xED\xA0\x80",         /* UTF-16 surrogate U+D800 */
        "\xED\xBF\xBF",         /* UTF-16 surrogate U+DFFF */
        "\xF4\x90\x80\x80",     /* U+110000, past the last code point */
        "\xF8\x88\x80\x80\x80", /* the old 5-byte form */
    };
    for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++) {
        ship_to to;
        cr_assert_eq(ship_to_parse(&to, malformed[i]), SHOP_EINVALID, "case %zu", i);
        cr_assert(starts_with(shop_error_message(), "ship-to must be valid UTF-8"), "case %zu: %s",
                  i, shop_error_message());
    }
}

Test(ship_to, accepts_the_edges_of_unicode)
{
    assert_ship_to_accepted("\xC2\xA0");         /* U+00A0, just past the C1 controls */
    assert_ship_to_accepted("\xED\x9F\xBF");     /* U+D7FF, just below the surrogates */
    assert_ship_to_accepted("\xEE\x80\x80");     /* U+E000, just above them */
    assert_ship_to_accepted("\xF4\x8F\xBF\xBF"); /* U+10FFFF, the last code point */
}

Test(ship_to, compares_exactly)
{
    ship_to a, b;
    cr_assert_eq(ship_to_parse(&a, "1 Main St"), 0);
    cr_assert_eq(ship_to_parse(&b, "1 main st"), 0);
    cr_assert_not(ship_to_equal(&a, &b));
    cr_assert(ship_to_equal(&a, &a));
}

/* ------------------------------------------------------------------ postcode */

static const char *parsed_postcode(postcode *out, const char *text)
{
    cr_assert_eq(postcode_parse(out, text), 0, "\"%s\": %s", text, shop_error_message());
    return out->code;
}

Test(postcode, accepts_digits_letters_dashes_and_spaces)
{
    postcode p;
    cr_assert_str_eq(parsed_postcode(&p, "80331"), "80331");
    cr_assert_str_eq(parsed_postcode(&p, "SW1A 1AA"), "SW1A 1AA");
    cr_assert_str_eq(parsed_postcode(&p, "1234-567"), "1234-567");
    cr_assert_str_eq(parsed_postcode(&p, "9"), "9");
}

Test(postcode, is_upper_cased_on_input)
{
    postcode p;
    cr_assert_str_eq(parsed_postcode(&p, "sw1a 1aa"), "SW1A 1AA");
}

Test(postcode, accepts_the_undeliverable_one_as_a_value)
{
    /* "00000" is a well-formed postcode; refusing to deliver there is Shipping's rule. */
    postcode p;
    cr_assert_str_eq(parsed_postcode(&p, "00000"), "00000");
}

Test(postcode, accepts_ten_characters)
{
    postcode p;
    cr_assert_str_eq(parsed_postcode(&p, "1234567890"), "1234567890");
}

Test(postcode, refuses_eleven_characters)
{
    postcode p;
    assert_error(postcode_parse(&p, "12345678901"), SHOP_EINVALID,
                 "postcode must be 1-10 characters of A-Z, 0-9, '-' and space, not all spaces, "
                 "got \"12345678901\"");
}

Test(postcode, refuses_an_empty_postcode)
{
    postcode p;
    assert_error(postcode_parse(&p, ""), SHOP_EINVALID,
                 "postcode must be 1-10 characters of A-Z, 0-9, '-' and space, not all spaces, "
                 "got \"\"");
}

Test(postcode, refuses_only_spaces)
{
    postcode p;
    cr_assert_eq(postcode_parse(&p, " "), SHOP_EINVALID);
    assert_error(postcode_parse(&p, "          "), SHOP_EINVALID,
                 "postcode must be 1-10 characters of A-Z, 0-9, '-' and space, not all spaces, "
                 "got \"          \"");
    cr_assert_str_eq(p.code, "");
}

Test(postcode, refuses_other_characters)
{
    static const char *const bad[] = {"AB_1", "12.345", "D-8033\t", "1234\n", "ÖSTER", "#1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        postcode p;
        cr_assert_eq(postcode_parse(&p, bad[i]), SHOP_EINVALID, "\"%s\" should be refused", bad[i]);
    }
}

Test(postcode, is_the_same_whatever_the_case_typed)
{
    postcode a, b, c;
    parsed_postcode(&a, "sw1a 1aa");
    parsed_postcode(&b, "SW1A 1AA");
    parsed_postcode(&c, "SW1A1AA");
    cr_assert(postcode_equal(&a, &b));
    cr_assert_not(postcode_equal(&a, &c));
}
