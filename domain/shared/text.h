/*
 * domain/shared/text.h — small text helpers shared by the value objects (shared kernel).
 *
 * Pattern: shared kernel / value objects.  Every value object validates its input on
 * creation; the checks they have in common live here once: strict UTF-8 decoding and
 * code-point counting, ASCII character classes that ignore the C locale, a strict decimal
 * integer parser, and the quoting of user input inside an error message.
 *
 * The predicates and copy helpers report with bool and record no message: the value object
 * that calls them knows which rule was broken and says so (see sku.c).  text_parse_int64
 * follows the error convention of error.h.
 *
 * Read next: domain/shared/sku.c (a value object built on these), then money.c.
 */
#ifndef SHOP_DOMAIN_SHARED_TEXT_H
#define SHOP_DOMAIN_SHARED_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- ASCII, independent of setlocale() (<ctype.h> is not) ---- */

bool text_is_ascii_digit(char c);
bool text_is_ascii_upper(char c);
bool text_is_ascii_lower(char c);
/* 0x20 (space) to 0x7E (~). */
bool text_is_printable_ascii_char(char c);
/* 'a'-'z' become 'A'-'Z'; every other byte is returned unchanged. */
char text_ascii_to_upper(char c);

/* True when every byte of s is printable ASCII (true for ""). */
bool text_is_printable_ascii(const char *s);

/*
 * Copies s into out (which holds max_len + 1 bytes) upper-casing a-z, when s is 1 to
 * max_len characters, each of A-Z, a-z, 0-9 or one of the bytes in `extra` (e.g. "-").
 * Returns false, leaving out as "", otherwise.  SKUs and postcodes share this rule shape.
 */
bool text_copy_upper_code(char *out, size_t max_len, const char *s, const char *extra);

/* ---- UTF-8 (RFC 3629) ---- */

/*
 * Decodes the code point at the start of s into *out and returns its length in bytes
 * (1-4), or 0 when s does not start with a well-formed sequence: a stray continuation
 * byte, a truncated sequence, an overlong encoding, a UTF-16 surrogate (U+D800-U+DFFF) or
 * a value above U+10FFFF.  Returns 0 at the terminating NUL too.  Walking a string with
 * it validates and counts in one pass (see text_check_line).
 */
size_t text_utf8_decode(uint32_t *out, const char *s);

/* C0 controls (U+0000-U+001F), DEL (U+007F) and C1 controls (U+0080-U+009F). */
bool text_is_control(uint32_t code_point);

/*
 * Walks text as one line a user typed: well-formed UTF-8 without control characters.
 * Refuses, naming `what`, "name must be valid UTF-8, got byte 0xE9 at byte 4" or
 * "ship-to must not contain control characters, got U+000A at character 3" (SHOP_EINVALID).
 * Counts code points into *out_characters and bytes into *out_bytes, and stops once it
 * has counted stop_after code points (0: walks to the end), so a text far too long is
 * refused without reading it all.  Length and blankness are the caller's rules.
 */
int text_check_line(size_t *out_characters, size_t *out_bytes, const char *what,
                    const char *text, size_t stop_after);

/* ---- numbers ---- */

/*
 * Parses a decimal integer strictly: an optional '-', then one or more digits 0-9, then
 * the end of the string.  Unlike strtol it refuses leading spaces, a '+', "0x", trailing
 * junk and the empty string (SHOP_EINVALID), and values outside int64_t (SHOP_EOVERFLOW)
 * instead of clamping them.  Leading zeros are decimal, never octal ("010" is 10).
 */
int text_parse_int64(int64_t *out, const char *s);

/* ---- messages ---- */

/* Room for any text_quote() result: 40 characters of 4 bytes, "..." and the NUL. */
#define TEXT_QUOTE_SIZE 168

/*
 * Writes s into out (TEXT_QUOTE_SIZE bytes) fit for quoting in a one-line message:
 * '"' and '\' are escaped, control characters and bytes that are not valid UTF-8 become
 * \xNN, and text longer than 40 characters is cut with "...".  No quotes are added: write
 * them in the format, as in "got \"%s\"".  A NULL s quotes as "".  Returns out.
 */
const char *text_quote(char out[TEXT_QUOTE_SIZE], const char *s);

#endif
