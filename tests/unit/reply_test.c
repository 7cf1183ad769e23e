/*
 * tests/unit/reply_test.c — the ids of a reply (application/messaging/reply.h): the same
 * command and reply type always give the same id, which is what lets the bus keep a
 * reply once when its command is handled again; another command or another type gives
 * another id; the id is a well-formed version 8 UUID; and the SHA-256 it is made with
 * gives the FIPS 180-4 test vectors.
 * Read next: application/messaging/reply.c
 */
#include "application/messaging/reply.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

static const char *hex(const uint8_t *bytes, size_t n)
{
    static char text[129];
    for (size_t i = 0; i < n; i++)
        snprintf(text + 2 * i, 3, "%02x", bytes[i]);
    return text;
}

static const char *sha256_of(const char *text)
{
    uint8_t digest[32];
    message_sha256(digest, text, strlen(text));
    return hex(digest, 32);
}

Test(sha256, gives_the_fips_180_4_test_vectors)
{
    cr_expect_str_eq(sha256_of(""),
                     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    cr_expect_str_eq(sha256_of("abc"),
                     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    /* 56 bytes: the padding needs a second block */
    cr_expect_str_eq(sha256_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
                     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    char million[1000001];
    memset(million, 'a', 1000000);
    million[1000000] = '\0';
    cr_expect_str_eq(sha256_of(million),
                     "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static shop_uuid id_of(const char *text)
{
    shop_uuid id;
    cr_assert_eq(uuid_parse(&id, text), 0);
    return id;
}

Test(a_reply_id, is_the_same_for_the_same_command_and_type)
{
    shop_uuid command = id_of("0190c000-0000-7000-8000-000000000001");
    shop_uuid a = message_reply_id(command, "inventory.StockReserved");
    shop_uuid b = message_reply_id(command, "inventory.StockReserved");
    cr_expect(uuid_equal(a, b));
    cr_expect_eq(uuid_version(a), 8);
    cr_expect_eq(a.bytes[8] & 0xc0, 0x80, "the RFC 9562 variant");
}

Test(a_reply_id, differs_for_another_command_or_another_type)
{
    shop_uuid one = id_of("0190c000-0000-7000-8000-000000000001");
    shop_uuid two = id_of("0190c000-0000-7000-8000-000000000002");
    shop_uuid a = message_reply_id(one, "inventory.StockReserved");
    cr_expect(!uuid_equal(a, message_reply_id(two, "inventory.StockReserved")));
    cr_expect(!uuid_equal(a, message_reply_id(one, "inventory.StockReservationRejected")));
    cr_expect(!uuid_equal(a, one));
}

Test(a_reply, carries_the_commands_correlation_cause_and_trace)
{
    struct message command = {.schema_version = 1};
    struct message_meta meta;
    command.meta.message_id = id_of("0190c000-0000-7000-8000-000000000001");
    command.meta.correlation_id = id_of("0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90");
    strcpy(command.meta.traceparent, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    message_reply_meta(&meta, &command, "payments.PaymentAuthorized");
    cr_expect(uuid_equal(meta.message_id,
                         message_reply_id(command.meta.message_id, "payments.PaymentAuthorized")));
    cr_expect(uuid_equal(meta.correlation_id, command.meta.correlation_id));
    cr_expect(uuid_equal(meta.causation_id, command.meta.message_id));
    cr_expect_str_eq(meta.traceparent, command.meta.traceparent);
}
