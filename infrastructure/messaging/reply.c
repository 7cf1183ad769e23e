/*
 * infrastructure/messaging/reply.c — the ids of a reply (see reply.h).  The SHA-256 is
 * OpenSSL's (libcrypto), as for every other digest the shop makes.
 * Read next: tests/unit/reply_test.c
 */
#include "infrastructure/messaging/reply.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

shop_uuid message_reply_id(shop_uuid command_id, const char *reply_type)
{
    uint8_t name[16 + MESSAGE_TYPE_MAX], digest[32];
    size_t type_len = strnlen(reply_type, MESSAGE_TYPE_MAX);
    shop_uuid id;

    memcpy(name, command_id.bytes, 16);
    memcpy(name + 16, reply_type, type_len);
    unsigned int digest_len = 0;
    if (EVP_Digest(name, 16 + type_len, digest, &digest_len, EVP_sha256(), NULL) != 1 ||
        digest_len != sizeof digest)
        abort(); /* no SHA-256 in libcrypto: nothing the shop could do without it */
    memcpy(id.bytes, digest, 16);
    id.bytes[6] = (uint8_t)((id.bytes[6] & 0x0f) | 0x80); /* version 8 */
    id.bytes[8] = (uint8_t)((id.bytes[8] & 0x3f) | 0x80); /* variant 10 (RFC 9562) */
    return id;
}

void message_reply_meta(struct message_meta *out, const struct message *command,
                        const char *reply_type)
{
    memset(out, 0, sizeof *out);
    out->message_id = message_reply_id(command->meta.message_id, reply_type);
    out->correlation_id = command->meta.correlation_id;
    out->causation_id = command->meta.message_id;
    snprintf(out->traceparent, sizeof out->traceparent, "%s", command->meta.traceparent);
}
