/*
 * domain/shared/uuid.c — UUIDs v4 and v7 (shared kernel / value objects).
 *
 * Layout of a v7 id (RFC 9562 §5.7), most significant bit first:
 *     48 bits unix_ts_ms | 4 bits version 0111 | 12 bits rand_a |
 *      2 bits variant 10 | 62 bits rand_b
 * The builders fill those fields; only the last section touches the system.
 * Read next: domain/shared/error.c, the convention every function here reports through.
 */
#include "domain/shared/uuid.h"

#include "domain/shared/error.h"
#include "domain/shared/text.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#define UUID_V7_MAX_MS ((UINT64_C(1) << 48) - 1)
#define RAND_A_LIMIT   (UINT16_C(1) << 12)
#define RAND_B_LIMIT   (UINT64_C(1) << 62)

/* ---- text ---- */

static const char FORM[] = "8-4-4-4-12 hex digits";

static bool is_dash_position(size_t i)
{
    return i == 8 || i == 13 || i == 18 || i == 23;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int refuse_character(const char *text, size_t i)
{
    char quoted[TEXT_QUOTE_SIZE], bad[TEXT_QUOTE_SIZE];
    char c[2] = {text[i], '\0'};

    text_quote(quoted, text);
    text_quote(bad, c);
    if (is_dash_position(i))
        return shop_error_set(SHOP_EINVALID,
                              "UUID must have a '-' at character %zu (%s), got '%s' in \"%s\"",
                              i + 1, FORM, bad, quoted);
    if (c[0] == '-')
        return shop_error_set(SHOP_EINVALID,
                              "UUID has a '-' at character %zu where a hex digit belongs (%s), "
                              "got \"%s\"",
                              i + 1, FORM, quoted);
    return shop_error_set(SHOP_EINVALID,
                          "UUID must contain only hex digits 0-9, a-f and A-F between its "
                          "dashes, got '%s' at character %zu in \"%s\"",
                          bad, i + 1, quoted);
}

int uuid_parse(shop_uuid *out, const char *text)
{
    size_t len;

    memset(out, 0, sizeof *out);
    text = text ? text : "";
    len = strlen(text);
    if (text[0] == '{' || len != 36) {
        /* quoted only on refusal: ids are parsed by the thousand when events are read */
        char quoted[TEXT_QUOTE_SIZE];
        text_quote(quoted, text);
        if (text[0] == '{')
            return shop_error_set(SHOP_EINVALID,
                                  "UUID must be written without braces (%s), got \"%s\"", FORM,
                                  quoted);
        if (len == 32 && strspn(text, "0123456789abcdefABCDEF") == 32)
            return shop_error_set(SHOP_EINVALID,
                                  "UUID must have its dashes (%s), got 32 hex digits without "
                                  "them in \"%s\"",
                                  FORM, quoted);
        return shop_error_set(SHOP_EINVALID, "UUID must be 36 characters (%s), got %zu in \"%s\"",
                              FORM, len, quoted);
    }

    shop_uuid id = {{0}};
    size_t n = 0; /* hex digits read */
    for (size_t i = 0; i < 36; i++) {
        if (is_dash_position(i)) {
            if (text[i] != '-')
                return refuse_character(text, i);
            continue;
        }
        int v = hex_value(text[i]);
        if (v < 0)
            return refuse_character(text, i);
        if (n % 2 == 0)
            id.bytes[n / 2] = (uint8_t)(v << 4);
        else
            id.bytes[n / 2] |= (uint8_t)v;
        n++;
    }
    *out = id;
    return 0;
}

const char *uuid_format(char out[UUID_STRING_SIZE], shop_uuid id)
{
    static const char digits[] = "0123456789abcdef";
    size_t j = 0;

    for (size_t i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[j++] = '-';
        out[j++] = digits[id.bytes[i] >> 4];
        out[j++] = digits[id.bytes[i] & 0x0F];
    }
    out[j] = '\0';
    return out;
}

/* ---- reading ---- */

int uuid_version(shop_uuid id)
{
    return id.bytes[6] >> 4;
}

uint64_t uuid_v7_unix_ms(shop_uuid id)
{
    uint64_t ms = 0;
    for (size_t i = 0; i < 6; i++)
        ms = (ms << 8) | id.bytes[i];
    return ms;
}

bool uuid_is_nil(shop_uuid id)
{
    static const shop_uuid nil = {{0}};
    return uuid_equal(id, nil);
}

bool uuid_equal(shop_uuid a, shop_uuid b)
{
    return memcmp(a.bytes, b.bytes, sizeof a.bytes) == 0;
}

int uuid_compare(shop_uuid a, shop_uuid b)
{
    int c = memcmp(a.bytes, b.bytes, sizeof a.bytes);
    return (c > 0) - (c < 0);
}

/* ---- pure builders ---- */

void uuid_v4_from_bytes(shop_uuid *out, const uint8_t random[16])
{
    memcpy(out->bytes, random, 16);
    out->bytes[6] = (uint8_t)(0x40 | (out->bytes[6] & 0x0F)); /* version 0100 */
    out->bytes[8] = (uint8_t)(0x80 | (out->bytes[8] & 0x3F)); /* variant 10 */
}

/* Writes the fields of a v7 id; the caller has checked their ranges. */
static void put_v7(shop_uuid *out, uint64_t unix_ms, uint16_t rand_a, uint64_t rand_b)
{
    for (size_t i = 0; i < 6; i++)
        out->bytes[i] = (uint8_t)(unix_ms >> (40 - 8 * i));
    out->bytes[6] = (uint8_t)(0x70 | (rand_a >> 8)); /* version 0111, top of rand_a */
    out->bytes[7] = (uint8_t)rand_a;
    out->bytes[8] = (uint8_t)(0x80 | (rand_b >> 56)); /* variant 10, top of rand_b */
    for (size_t i = 9; i < 16; i++)
        out->bytes[i] = (uint8_t)(rand_b >> (8 * (15 - i)));
}

/* rand_a and rand_b as uuid_v7_from_parts documents them. */
static void split_random(uint16_t *out_rand_a, uint64_t *out_rand_b, const uint8_t random[10])
{
    *out_rand_a = (uint16_t)(((random[0] & 0x0F) << 8) | random[1]);
    *out_rand_b = random[2] & 0x3F;
    for (size_t i = 3; i < 10; i++)
        *out_rand_b = (*out_rand_b << 8) | random[i];
}

static int refuse_time(uint64_t unix_ms)
{
    return shop_error_set(
        SHOP_EOVERFLOW, "a v7 UUID holds a Unix time of at most 2^48-1 milliseconds, got %" PRIu64,
        unix_ms);
}

int uuid_v7_from_parts(shop_uuid *out, uint64_t unix_ms, const uint8_t random[10])
{
    uint16_t rand_a;
    uint64_t rand_b;

    memset(out, 0, sizeof *out);
    if (unix_ms > UUID_V7_MAX_MS)
        return refuse_time(unix_ms);
    split_random(&rand_a, &rand_b, random);
    put_v7(out, unix_ms, rand_a, rand_b);
    return 0;
}

int uuid_v7_next(shop_uuid *out, uuid_v7_generator *gen, uint64_t now_ms, const uint8_t random[10])
{
    uuid_v7_generator next = *gen; /* committed to *gen only on success */

    memset(out, 0, sizeof *out);
    if (!next.started || now_ms > next.last_ms) {
        /* The clock moved on: a fresh timestamp and fresh random bits. */
        if (now_ms > UUID_V7_MAX_MS)
            return refuse_time(now_ms);
        next.started = true;
        next.last_ms = now_ms;
        split_random(&next.rand_a, &next.rand_b, random);
    } else {
        /* Same millisecond, or the clock stepped back: stay on the last timestamp and
         * step the 74 random bits forward by 1 to 2^32, carrying from rand_b into rand_a. */
        uint64_t step = 1 + ((uint64_t)random[0] << 24 | (uint64_t)random[1] << 16 |
                             (uint64_t)random[2] << 8 | random[3]);
        next.rand_b += step; /* < 2^62 + 2^32: no wrap-around in 64 bits */
        if (next.rand_b >= RAND_B_LIMIT) {
            next.rand_b -= RAND_B_LIMIT;
            next.rand_a++;
        }
        if (next.rand_a >= RAND_A_LIMIT) {
            /* All 74 bits used up in this millisecond: borrow the next one. */
            if (next.last_ms + 1 > UUID_V7_MAX_MS)
                return refuse_time(next.last_ms + 1);
            next.last_ms++;
            split_random(&next.rand_a, &next.rand_b, random);
        }
    }
    *gen = next;
    put_v7(out, next.last_ms, next.rand_a, next.rand_b);
    return 0;
}

/* ---- generation from the system ---- */

/* Fills buf from the kernel's random source, retrying after signals and short reads. */
static int read_random(uint8_t *buf, size_t size)
{
    size_t done = 0;
    while (done < size) {
        ssize_t n = getrandom(buf + done, size - done, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return shop_error_set(SHOP_EIO, "cannot read random bytes for a UUID: %s",
                                  strerror(errno));
        done += (size_t)n;
    }
    return 0;
}

static int read_clock_ms(uint64_t *out)
{
    struct timespec now;

    *out = 0;
    if (clock_gettime(CLOCK_REALTIME, &now) < 0)
        return shop_error_set(SHOP_EIO, "cannot read the clock for a UUID: %s", strerror(errno));
    if (now.tv_sec < 0) /* before 1970: a v7 id cannot say so; use the epoch */
        return 0;
    *out = (uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000;
    return 0;
}

int uuid_new_v4(shop_uuid *out)
{
    uint8_t random[16];
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = read_random(random, sizeof random)) < 0)
        return rc;
    uuid_v4_from_bytes(out, random);
    return 0;
}

int uuid_new_v7(shop_uuid *out)
{
    static _Thread_local uuid_v7_generator this_thread; /* zero: not started */
    uint8_t random[10];
    uint64_t now_ms;
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = read_random(random, sizeof random)) < 0 || (rc = read_clock_ms(&now_ms)) < 0)
        return rc;
    return uuid_v7_next(out, &this_thread, now_ms, random);
}
