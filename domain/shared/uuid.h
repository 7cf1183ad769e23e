/*
 * domain/shared/uuid.h — shop_uuid: the identifier of every aggregate and message.
 *
 * Pattern: shared kernel / value objects.  A UUID is 16 bytes, passed by value, compared
 * bytewise.  Ids are made in two ways, kept apart on purpose:
 *
 *   - pure builders, which turn given bytes and times into an id and touch nothing else:
 *     uuid_v4_from_bytes, uuid_v7_from_parts and uuid_v7_next (a generator whose state the
 *     caller holds).  Tests use these with fixed inputs and get exact answers;
 *   - uuid_new_v4 / uuid_new_v7, thin shells that read the kernel's random source
 *     (getrandom) and clock (CLOCK_REALTIME) and call the builders.
 *
 * Version 7 (RFC 9562 §5.7) puts the Unix time in milliseconds in the first 48 bits, so
 * ids sort in creation order, which keeps database indexes and event logs tidy.  Version
 * 4 is all random.
 *
 * Monotonicity (RFC 9562 §6.2, method 2, "monotonic random"): within one thread,
 * uuid_new_v7 returns strictly increasing ids.  When the clock has moved on since the
 * last id, the 74 random bits are fresh.  When it has not (same millisecond, or the clock
 * stepped back), the id keeps the last id's timestamp and adds a random increment of 1 to
 * 2^32 to the last id's 74 random bits, so that the next id is still hard to guess.  If
 * those bits would overflow, the timestamp moves one millisecond ahead of the last one
 * and the random bits are drawn fresh.  Different threads each have their own sequence:
 * their ids are unique (74 random bits) and ordered by millisecond only.
 *
 * Read next: domain/shared/uuid.c, then tests/unit/uuid_test.c, which walks the v7
 * sequence step by step with a clock the test controls.
 */
#ifndef SHOP_DOMAIN_SHARED_UUID_H
#define SHOP_DOMAIN_SHARED_UUID_H

#include <stdbool.h>
#include <stdint.h>

typedef struct shop_uuid {
    uint8_t bytes[16]; /* network (big-endian) order, as written in the text form */
} shop_uuid;

/* "0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90": 36 characters and the NUL. */
#define UUID_STRING_SIZE 37

/* ---- text ---- */

/*
 * The canonical form only: 8-4-4-4-12 hex digits, either case.  SHOP_EINVALID, with a
 * message for each mistake: wrong length, braces, a dash missing or misplaced, a
 * character that is not a hex digit.
 */
int uuid_parse(shop_uuid *out, const char *text);

/* Lower-case canonical form into out (UUID_STRING_SIZE bytes).  Returns out. */
const char *uuid_format(char out[UUID_STRING_SIZE], shop_uuid id);

/* ---- reading ---- */

/* The version nibble: 4 or 7 for ids made here, 0 for the nil UUID. */
int uuid_version(shop_uuid id);

/* The 48-bit Unix time in milliseconds of a v7 id (meaningless for other versions). */
uint64_t uuid_v7_unix_ms(shop_uuid id);

bool uuid_is_nil(shop_uuid id); /* all 128 bits zero */
bool uuid_equal(shop_uuid a, shop_uuid b);
/* -1, 0 or 1 in byte order, which for v7 ids is creation order. */
int uuid_compare(shop_uuid a, shop_uuid b);

/* ---- pure builders ---- */

/* A v4 id from 16 random bytes; the version and variant bits replace 6 of their bits. */
void uuid_v4_from_bytes(shop_uuid *out, const uint8_t random[16]);

/*
 * A v7 id from a time and 10 random bytes.  The 74 random bits of the id are the low 4
 * bits of random[0] (top of rand_a), random[1], the low 6 bits of random[2] (top of rand_b)
 * and random[3..9]; the other 6 bits are replaced by the version and variant.
 * SHOP_EOVERFLOW if unix_ms does not fit 48 bits (after the year 10889).
 */
int uuid_v7_from_parts(shop_uuid *out, uint64_t unix_ms, const uint8_t random[10]);

/* The state of a monotonic v7 sequence: zero-initialise it ({0}) before the first id. */
typedef struct uuid_v7_generator {
    bool started;
    uint64_t last_ms; /* the timestamp of the last id */
    uint16_t rand_a;  /* its 12 random bits after the version */
    uint64_t rand_b;  /* its 62 random bits after the variant */
} uuid_v7_generator;

/*
 * The next id of a monotonic sequence, given the clock's reading and 10 fresh random
 * bytes: strictly greater than every id gen returned before, as described above.
 * SHOP_EOVERFLOW only if the timestamp would pass 48 bits.
 */
int uuid_v7_next(shop_uuid *out, uuid_v7_generator *gen, uint64_t now_ms, const uint8_t random[10]);

/* ---- generation from the system ---- */

/* A random v4 id.  SHOP_EIO if the kernel's random source fails. */
int uuid_new_v4(shop_uuid *out);

/* The next v7 id of this thread's monotonic sequence.  SHOP_EIO if the random source or
 * the clock fails. */
int uuid_new_v7(shop_uuid *out);

#endif
