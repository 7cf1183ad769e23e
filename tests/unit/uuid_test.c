/*
 * tests/unit/uuid_test.c — the identifiers every order, payment and message carries.
 *
 * Pattern: shared kernel / value objects, tested as domain scenarios.  The pure builders
 * are checked against hand-computed ids and RFC 9562's own examples (Appendix A); the
 * system generators against the properties users rely on: version, variant, and v7 ids
 * that sort in creation order.
 * Read next: tests/unit/error_test.c.
 */
#include "domain/shared/error.h"
#include "domain/shared/uuid.h"

#include <criterion/criterion.h>
#include <string.h>
#include <time.h>

static const char CANONICAL[] = "0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90";

static shop_uuid parsed(const char *text)
{
    shop_uuid id;
    cr_assert_eq(uuid_parse(&id, text), 0, "\"%s\": %s", text, shop_error_message());
    return id;
}

static void assert_formats_as(shop_uuid id, const char *expected)
{
    char text[UUID_STRING_SIZE];
    cr_assert_str_eq(uuid_format(text, id), expected);
}

static void assert_refused(const char *text, const char *message_part)
{
    shop_uuid id;
    memset(&id, 0xAA, sizeof id);
    cr_assert_eq(uuid_parse(&id, text), SHOP_EINVALID, "\"%s\" should be refused", text);
    cr_assert(strstr(shop_error_message(), message_part) != NULL,
              "\"%s\": message \"%s\" should say \"%s\"", text, shop_error_message(), message_part);
    cr_assert(uuid_is_nil(id), "a refused UUID is left nil");
}

static void assert_variant_is_rfc9562(shop_uuid id)
{
    cr_assert_eq(id.bytes[8] & 0xC0, 0x80, "variant bits must be 10, byte 8 is 0x%02x",
                 id.bytes[8]);
}

/* ---- text ---- */

Test(uuid, reads_the_canonical_form_byte_by_byte)
{
    static const uint8_t expected[16] = {0x01, 0x90, 0xa6, 0xf4, 0x8d, 0x1e, 0x7c, 0x3a,
                                         0x9b, 0x2f, 0x4e, 0x5d, 0x6c, 0x7b, 0x8a, 0x90};
    shop_uuid id = parsed(CANONICAL);
    cr_assert_arr_eq(id.bytes, expected, 16);
}

Test(uuid, reads_upper_case_and_writes_lower_case)
{
    shop_uuid upper = parsed("0190A6F4-8D1E-7C3A-9B2F-4E5D6C7B8A90");
    cr_assert(uuid_equal(upper, parsed(CANONICAL)));
    assert_formats_as(upper, CANONICAL);
}

Test(uuid, writes_back_what_it_reads)
{
    assert_formats_as(parsed(CANONICAL), CANONICAL);
    assert_formats_as(parsed("ffffffff-ffff-ffff-ffff-ffffffffffff"),
                      "ffffffff-ffff-ffff-ffff-ffffffffffff");
    char text[UUID_STRING_SIZE];
    cr_assert_eq(strlen(uuid_format(text, parsed(CANONICAL))), 36);
}

Test(uuid, refuses_braces)
{
    assert_refused("{0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90}", "without braces");
}

Test(uuid, refuses_the_form_without_dashes)
{
    shop_uuid id;
    cr_assert_eq(uuid_parse(&id, "0190a6f48d1e7c3a9b2f4e5d6c7b8a90"), SHOP_EINVALID);
    cr_assert_str_eq(shop_error_message(),
                     "UUID must have its dashes (8-4-4-4-12 hex digits), got 32 hex digits "
                     "without them in \"0190a6f48d1e7c3a9b2f4e5d6c7b8a90\"");
}

Test(uuid, refuses_a_missing_dash)
{
    assert_refused("0190a6f48d1e-7c3a-9b2f-4e5d6c7b8a90", "must be 36 characters");
    shop_uuid id;
    cr_assert_eq(uuid_parse(&id, "0190a6f48d1e-7c3a-9b2f-4e5d6c7b8a90"), SHOP_EINVALID);
    cr_assert_str_eq(shop_error_message(),
                     "UUID must be 36 characters (8-4-4-4-12 hex digits), got 35 in "
                     "\"0190a6f48d1e-7c3a-9b2f-4e5d6c7b8a90\"");
}

Test(uuid, refuses_an_extra_dash)
{
    assert_refused("0190a6f4-8d1e-7c3a-9b2f-4e5d-6c7b8a90", "got 37");
}

Test(uuid, refuses_a_hex_digit_where_a_dash_belongs)
{
    shop_uuid id;
    cr_assert_eq(uuid_parse(&id, "0190a6f4a8d1e-7c3a-9b2f-4e5d6c7b8a90"), SHOP_EINVALID);
    cr_assert_str_eq(shop_error_message(),
                     "UUID must have a '-' at character 9 (8-4-4-4-12 hex digits), got 'a' in "
                     "\"0190a6f4a8d1e-7c3a-9b2f-4e5d6c7b8a90\"");
}

Test(uuid, refuses_a_dash_where_a_hex_digit_belongs)
{
    /* The first group is 7 digits and the second 5: the length is still 36. */
    assert_refused("0190a6f-48d1e-7c3a-9b2f-4e5d6c7b8a90",
                   "a '-' at character 8 where a hex digit belongs");
}

Test(uuid, refuses_characters_that_are_not_hex_digits)
{
    shop_uuid id;
    cr_assert_eq(uuid_parse(&id, "g190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90"), SHOP_EINVALID);
    cr_assert_str_eq(shop_error_message(),
                     "UUID must contain only hex digits 0-9, a-f and A-F between its dashes, "
                     "got 'g' at character 1 in \"g190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90\"");
    assert_refused("0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a9 ", "got ' ' at character 36");
    assert_refused("0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a9\x01", "got '\\x01' at character 36");
}

Test(uuid, refuses_the_wrong_length)
{
    assert_refused("", "got 0 in");
    assert_refused(NULL, "got 0 in");
    assert_refused("0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a9", "got 35");
    assert_refused("0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a900", "got 37");
    assert_refused(" 0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90", "got 37");
    assert_refused("0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90\n", "got 37");
    assert_refused("urn:uuid:0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90", "got 45");
}

/* ---- reading ---- */

Test(uuid, knows_the_nil_uuid)
{
    shop_uuid nil = parsed("00000000-0000-0000-0000-000000000000");
    cr_assert(uuid_is_nil(nil));
    cr_assert_eq(uuid_version(nil), 0);
    cr_assert_not(uuid_is_nil(parsed("00000000-0000-0000-0000-000000000001")));
}

Test(uuid, reads_the_version_nibble)
{
    cr_assert_eq(uuid_version(parsed(CANONICAL)), 7);
    cr_assert_eq(uuid_version(parsed("919108f7-52d1-4320-9bac-f847db4148a8")), 4);
}

Test(uuid, compares_in_byte_order)
{
    shop_uuid low = parsed("00000000-0000-7000-8000-000000000001");
    shop_uuid high = parsed("00000000-0000-7000-8000-000000000100");
    cr_assert_eq(uuid_compare(low, high), -1);
    cr_assert_eq(uuid_compare(high, low), 1);
    cr_assert_eq(uuid_compare(low, low), 0);
    cr_assert(uuid_equal(low, parsed("00000000-0000-7000-8000-000000000001")));
    cr_assert_not(uuid_equal(low, high));
}

/* ---- pure builders ---- */

Test(uuid, v4_keeps_every_random_bit_but_version_and_variant)
{
    static const uint8_t ones[16] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    static const uint8_t zeros[16] = {0};
    shop_uuid id;
    uuid_v4_from_bytes(&id, ones);
    assert_formats_as(id, "ffffffff-ffff-4fff-bfff-ffffffffffff");
    uuid_v4_from_bytes(&id, zeros);
    assert_formats_as(id, "00000000-0000-4000-8000-000000000000");
}

Test(uuid, v4_matches_the_example_of_rfc_9562)
{
    /* RFC 9562 A.3's id with its version nibble set to f and its variant bits to 00:
     * the builder must put 4 and 10 back. */
    static const uint8_t random[16] = {0x91, 0x91, 0x08, 0xf7, 0x52, 0xd1, 0xf3, 0x20,
                                       0x1b, 0xac, 0xf8, 0x47, 0xdb, 0x41, 0x48, 0xa8};
    shop_uuid id;
    uuid_v4_from_bytes(&id, random);
    assert_formats_as(id, "919108f7-52d1-4320-9bac-f847db4148a8");
}

Test(uuid, v7_matches_the_example_of_rfc_9562)
{
    /* RFC 9562 A.6: unix_ts_ms 0x017F22E279B0, rand_a 0xCC3, rand_b 0x18C4DC0C0C07398F. */
    static const uint8_t random[10] = {0x0c, 0xc3, 0x18, 0xc4, 0xdc, 0x0c, 0x0c, 0x07, 0x39, 0x8f};
    shop_uuid id;
    cr_assert_eq(uuid_v7_from_parts(&id, UINT64_C(0x017F22E279B0), random), 0);
    assert_formats_as(id, "017f22e2-79b0-7cc3-98c4-dc0c0c07398f");
    cr_assert_eq(uuid_v7_unix_ms(id), UINT64_C(1645557742000)); /* 2022-02-22 19:22:22 UTC */
    cr_assert_eq(uuid_version(id), 7);
    assert_variant_is_rfc9562(id);
}

Test(uuid, v7_overwrites_only_the_version_and_variant_bits)
{
    static const uint8_t ones[10] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    shop_uuid id;
    cr_assert_eq(uuid_v7_from_parts(&id, 0, ones), 0);
    assert_formats_as(id, "00000000-0000-7fff-bfff-ffffffffffff");
}

Test(uuid, v7_holds_times_up_to_the_year_10889)
{
    static const uint8_t zeros[10] = {0};
    shop_uuid id;
    cr_assert_eq(uuid_v7_from_parts(&id, UINT64_C(0xFFFFFFFFFFFF), zeros), 0);
    assert_formats_as(id, "ffffffff-ffff-7000-8000-000000000000");
    cr_assert_eq(uuid_v7_from_parts(&id, UINT64_C(0x1000000000000), zeros), SHOP_EOVERFLOW);
    cr_assert(uuid_is_nil(id));
}

/* ---- the monotonic v7 sequence, with a clock the test controls ---- */

static const uint8_t ZEROS[10] = {0};

static shop_uuid next_v7(uuid_v7_generator *gen, uint64_t now_ms, const uint8_t random[10])
{
    shop_uuid id;
    cr_assert_eq(uuid_v7_next(&id, gen, now_ms, random), 0, "%s", shop_error_message());
    return id;
}

Test(uuid, v7_takes_fresh_random_bits_when_the_clock_moves_on)
{
    static const uint8_t random[10] = {0x0c, 0xc3, 0x18, 0xc4, 0xdc, 0x0c, 0x0c, 0x07, 0x39, 0x8f};
    uuid_v7_generator gen = {0};
    assert_formats_as(next_v7(&gen, 1000, ZEROS), "00000000-03e8-7000-8000-000000000000");
    assert_formats_as(next_v7(&gen, 1001, random), "00000000-03e9-7cc3-98c4-dc0c0c07398f");
}

Test(uuid, v7_counts_up_within_the_same_millisecond)
{
    static const uint8_t step_257[10] = {0x00, 0x00, 0x01, 0x00}; /* 1 + 0x00000100 */
    uuid_v7_generator gen = {0};
    assert_formats_as(next_v7(&gen, 1000, ZEROS), "00000000-03e8-7000-8000-000000000000");
    assert_formats_as(next_v7(&gen, 1000, ZEROS), "00000000-03e8-7000-8000-000000000001");
    assert_formats_as(next_v7(&gen, 1000, step_257), "00000000-03e8-7000-8000-000000000102");
}

Test(uuid, v7_stays_ahead_when_the_clock_steps_back)
{
    uuid_v7_generator gen = {0};
    shop_uuid first = next_v7(&gen, 5000, ZEROS);
    shop_uuid after_step_back = next_v7(&gen, 4000, ZEROS);
    cr_assert_eq(uuid_compare(first, after_step_back), -1);
    cr_assert_eq(uuid_v7_unix_ms(after_step_back), 5000, "keeps the last timestamp");
    assert_formats_as(after_step_back, "00000000-1388-7000-8000-000000000001");
}

Test(uuid, v7_carries_from_rand_b_into_rand_a)
{
    /* rand_a 0x000, rand_b at its largest value 2^62 - 1. */
    static const uint8_t top_of_rand_b[10] = {0x00, 0x00, 0x3f, 0xff, 0xff,
                                              0xff, 0xff, 0xff, 0xff, 0xff};
    uuid_v7_generator gen = {0};
    assert_formats_as(next_v7(&gen, 1000, top_of_rand_b), "00000000-03e8-7000-bfff-ffffffffffff");
    assert_formats_as(next_v7(&gen, 1000, ZEROS), "00000000-03e8-7001-8000-000000000000");
}

Test(uuid, v7_borrows_the_next_millisecond_when_its_random_bits_run_out)
{
    static const uint8_t all_74_bits_set[10] = {0x0f, 0xff, 0x3f, 0xff, 0xff,
                                                0xff, 0xff, 0xff, 0xff, 0xff};
    uuid_v7_generator gen = {0};
    shop_uuid last = next_v7(&gen, 1000, all_74_bits_set);
    assert_formats_as(last, "00000000-03e8-7fff-bfff-ffffffffffff");
    shop_uuid next = next_v7(&gen, 1000, ZEROS);
    assert_formats_as(next, "00000000-03e9-7000-8000-000000000000");
    cr_assert_eq(uuid_compare(last, next), -1);
    /* When the real clock reaches the borrowed millisecond, the sequence goes on from it. */
    assert_formats_as(next_v7(&gen, 1001, ZEROS), "00000000-03e9-7000-8000-000000000001");
}

Test(uuid, v7_refuses_to_run_past_the_last_millisecond)
{
    static const uint8_t all_74_bits_set[10] = {0x0f, 0xff, 0x3f, 0xff, 0xff,
                                                0xff, 0xff, 0xff, 0xff, 0xff};
    uuid_v7_generator gen = {0};
    shop_uuid id;
    next_v7(&gen, UINT64_C(0xFFFFFFFFFFFF), all_74_bits_set);
    cr_assert_eq(uuid_v7_next(&id, &gen, UINT64_C(0xFFFFFFFFFFFF), ZEROS), SHOP_EOVERFLOW);
    cr_assert(uuid_is_nil(id));
    /* The refusal does not advance the sequence. */
    cr_assert_eq(gen.last_ms, UINT64_C(0xFFFFFFFFFFFF));
    cr_assert_eq(gen.rand_a, 0xFFF);
    cr_assert_eq(gen.rand_b, UINT64_C(0x3FFFFFFFFFFFFFFF));
    uuid_v7_generator fresh = {0};
    cr_assert_eq(uuid_v7_next(&id, &fresh, UINT64_C(0x1000000000000), ZEROS), SHOP_EOVERFLOW);
}

/* ---- generation from the system ---- */

static uint64_t now_ms(void)
{
    struct timespec t;
    cr_assert_eq(clock_gettime(CLOCK_REALTIME, &t), 0);
    return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

Test(uuid, new_v4_ids_have_version_4_and_the_rfc_variant)
{
    shop_uuid a, b;
    cr_assert_eq(uuid_new_v4(&a), 0);
    cr_assert_eq(uuid_new_v4(&b), 0);
    cr_assert_eq(uuid_version(a), 4);
    assert_variant_is_rfc9562(a);
    cr_assert_not(uuid_equal(a, b), "122 random bits do not repeat");
}

Test(uuid, new_v7_ids_have_version_7_the_rfc_variant_and_the_current_time)
{
    uint64_t before = now_ms();
    shop_uuid id;
    cr_assert_eq(uuid_new_v7(&id), 0);
    uint64_t after = now_ms();
    cr_assert_eq(uuid_version(id), 7);
    assert_variant_is_rfc9562(id);
    cr_assert_geq(uuid_v7_unix_ms(id), before);
    cr_assert_leq(uuid_v7_unix_ms(id), after);
}

Test(uuid, v7_ids_sort_in_creation_order)
{
    enum { COUNT = 100000 };
    shop_uuid previous, current;
    char previous_text[UUID_STRING_SIZE], current_text[UUID_STRING_SIZE];

    cr_assert_eq(uuid_new_v7(&previous), 0);
    uuid_format(previous_text, previous);
    /* Far more ids than milliseconds pass: most share a timestamp with the one before. */
    for (int i = 0; i < COUNT; i++) {
        cr_assert_eq(uuid_new_v7(&current), 0);
        cr_assert_eq(uuid_version(current), 7);
        assert_variant_is_rfc9562(current);
        cr_assert_eq(uuid_compare(previous, current), -1, "id %d is not after the one before", i);
        /* What users see: the text forms sort the same way. */
        uuid_format(current_text, current);
        cr_assert_lt(strcmp(previous_text, current_text), 0, "%s then %s", previous_text,
                     current_text);
        previous = current;
        memcpy(previous_text, current_text, sizeof previous_text);
    }
}
