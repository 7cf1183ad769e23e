/*
 * infrastructure/postgres/pg_array.h — a PostgreSQL array literal, built safely.
 *
 * To send a batch (say, every event of one append) as ONE statement, the batch travels as
 * a few array parameters that SQL unnests into rows: `unnest($3::text[], $4::int[], ...)`.
 * Parameters are sent in text format, so each array is written as an array literal:
 *     {"OrderPlaced","Order\"Confirmed","C:\\temp"}
 * Every element is double-quoted, and inside the quotes only '"' and '\' are special, so
 * escaping those two with a backslash makes any C string (commas, braces, spaces, the word
 * NULL, JSON text, UTF-8) arrive as exactly that string.  The literal is a parameter
 * value, never part of the SQL text.
 *
 * (libpq's binary format would avoid escaping, but needs each element type's OID and wire
 * format in the code; for text, ints and JSON the text form is simpler to read.)
 * Read next: infrastructure/postgres/event_store_pg.c, its user.
 */
#ifndef SHOP_INFRASTRUCTURE_POSTGRES_PG_ARRAY_H
#define SHOP_INFRASTRUCTURE_POSTGRES_PG_ARRAY_H

#include <stddef.h>
#include <stdint.h>

struct pg_array {
    char *text; /* always a complete literal: "{}" when empty */
    size_t len, cap;
    size_t count;
};

void pg_array_init(struct pg_array *a);
void pg_array_dispose(struct pg_array *a);

/* Appends one element, quoted and escaped. */
void pg_array_add(struct pg_array *a, const char *element);
void pg_array_add_int64(struct pg_array *a, int64_t value);
/* Appends SQL NULL (unquoted). */
void pg_array_add_null(struct pg_array *a);

/* The literal, e.g. {"a","b"}; valid until the next add or dispose. */
const char *pg_array_text(const struct pg_array *a);

#endif
