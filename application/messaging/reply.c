/*
 * application/messaging/reply.c — the ids of a reply (see reply.h), and the SHA-256 they
 * are made with.
 *
 * SHA-256 is written out here (FIPS 180-4, about sixty lines) because application/ may
 * use only the C library (docs/architecture.md §4): a reply's id is an application rule,
 * not an adapter's.  It hashes a few dozen bytes per reply; speed does not matter.
 * Read next: tests/unit/reply_test.c
 */
#include "application/messaging/reply.h"

#include <stdio.h>
#include <string.h>

static const uint32_t k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static uint32_t rotr(uint32_t x, int n)
{
    return (x >> n) | (x << (32 - n));
}

/* One 64-byte block into the state h. */
static void compress(uint32_t h[8], const uint8_t block[64])
{
    uint32_t w[64], v[8];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)block[4 * i] << 24 | (uint32_t)block[4 * i + 1] << 16 |
               (uint32_t)block[4 * i + 2] << 8 | (uint32_t)block[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    memcpy(v, h, sizeof v);
    for (int i = 0; i < 64; i++) {
        uint32_t s1 = rotr(v[4], 6) ^ rotr(v[4], 11) ^ rotr(v[4], 25);
        uint32_t ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
        uint32_t t1 = v[7] + s1 + ch + k[i] + w[i];
        uint32_t s0 = rotr(v[0], 2) ^ rotr(v[0], 13) ^ rotr(v[0], 22);
        uint32_t maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
        uint32_t t2 = s0 + maj;
        memmove(&v[1], &v[0], 7 * sizeof v[0]);
        v[4] += t1;
        v[0] = t1 + t2;
    }
    for (int i = 0; i < 8; i++)
        h[i] += v[i];
}

void message_sha256(uint8_t out[32], const void *data, size_t size)
{
    uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                     0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    const uint8_t *p = data;
    uint8_t block[64];
    size_t left = size;

    for (; left >= 64; left -= 64, p += 64)
        compress(h, p);
    /* the tail, the 0x80 byte, zeros, and the length in bits: one block or two */
    memset(block, 0, sizeof block);
    memcpy(block, p, left);
    block[left] = 0x80;
    if (left >= 56) {
        compress(h, block);
        memset(block, 0, sizeof block);
    }
    uint64_t bits = (uint64_t)size * 8;
    for (int i = 0; i < 8; i++)
        block[63 - i] = (uint8_t)(bits >> (8 * i));
    compress(h, block);
    for (int i = 0; i < 8; i++) {
        out[4 * i] = (uint8_t)(h[i] >> 24);
        out[4 * i + 1] = (uint8_t)(h[i] >> 16);
        out[4 * i + 2] = (uint8_t)(h[i] >> 8);
        out[4 * i + 3] = (uint8_t)h[i];
    }
}

shop_uuid message_reply_id(shop_uuid command_id, const char *reply_type)
{
    uint8_t name[16 + MESSAGE_TYPE_MAX], digest[32];
    size_t type_len = strnlen(reply_type, MESSAGE_TYPE_MAX);
    shop_uuid id;

    memcpy(name, command_id.bytes, 16);
    memcpy(name + 16, reply_type, type_len);
    message_sha256(digest, name, 16 + type_len);
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
