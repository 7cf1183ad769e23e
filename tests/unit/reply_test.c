/*
 * tests/unit/reply_test.c — the ids of a reply (infrastructure/messaging/reply.h): the same
 * command and reply type always give the same id, which is what lets the bus keep a
 * reply once when its command is handled again; another command or another type gives
 * another id; the id is a well-formed version 8 UUID, the first 128 bits of
 * SHA-256(command id ‖ reply type) with its version and variant bits set.
 * Read next: infrastructure/messaging/reply.c
 */
#include "infrastructure/messaging/reply.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

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

Test(a_reply_id, is_named_by_sha256_of_the_command_id_and_the_reply_type)
{
    /* python3: hashlib.sha256(UUID(command).bytes + b"inventory.StockReserved"), first 16
     * bytes, version 8 and variant bits set */
    shop_uuid id = message_reply_id(id_of("0190c000-0000-7000-8000-000000000001"),
                                    "inventory.StockReserved");
    char text[UUID_STRING_SIZE];
    cr_expect_str_eq(uuid_format(text, id), "cbb3a4aa-55b0-816f-bc0f-dec829ad49f3");
}
