/*
 * domain/shared/text.c — text helpers shared by the value objects (shared kernel).
 * Pattern: shared kernel / value objects; the reasons for each helper are in text.h.
 * Read next: domain/shared/sku.c, the simplest value object that uses them.
 */
#include "domain/shared/text.h"

#include "domain/shared/error.h"

#include <stdio.h> /* snprintf only: formatting, no I/O */
#include <string.h>

bool text_is_ascii_digit(char c)
{
    return c >= '0' && c <= '9';
}

bool text_is_ascii_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

bool text_is_ascii_lower(char c)
{
    return c >= 'a' && c <= 'z';
}

bool text_is_printable_ascii_char(char c)
{
    return c >= 0x20 && c <= 0x7E;
}

char text_ascii_to_upper(char c)
{
    return text_is_ascii_lower(c) ? (char)(c - 'a' + 'A') : c;
}

bool text_is_printable_ascii(const char *s)
{
    for (; *s; s++)
        if (!text_is_printable_ascii_char(*s))
            return false;
    return true;
}

bool text_copy_upper_code(char *out, size_t max_len, const char *s, const char *extra)
{
    size_t len = strnlen(s, max_len + 1);
    out[0] = '\0';
    if (len == 0 || len > max_len)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        bool allowed = text_is_ascii_upper(c) || text_is_ascii_lower(c) || text_is_ascii_digit(c) ||
                       strchr(extra, c) != NULL;
        if (!allowed) {
            out[0] = '\0';
            return false;
        }
        out[i] = text_ascii_to_upper(c);
    }
    out[len] = '\0';
    return true;
}

size_t text_utf8_decode(uint32_t *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    uint32_t cp;
    size_t len;
    uint32_t min; /* the smallest value that needs this many bytes: below it is overlong */

    *out = 0;
    if (p[0] == 0)
        return 0;
    if (p[0] < 0x80) {
        *out = p[0];
        return 1;
    } else if ((p[0] & 0xE0) == 0xC0) {
        cp = p[0] & 0x1F, len = 2, min = 0x80;
    } else if ((p[0] & 0xF0) == 0xE0) {
        cp = p[0] & 0x0F, len = 3, min = 0x800;
    } else if ((p[0] & 0xF8) == 0xF0) {
        cp = p[0] & 0x07, len = 4, min = 0x10000;
    } else {
        return 0; /* a continuation byte (10xxxxxx) or 0xF8-0xFF */
    }
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80) /* also stops at the NUL of a truncated sequence */
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    *out = cp;
    return len;
}

bool text_is_control(uint32_t code_point)
{
    return code_point < 0x20 || code_point == 0x7F || (code_point >= 0x80 && code_point <= 0x9F);
}

int text_check_line(size_t *out_characters, size_t *out_bytes, const char *what, const char *text,
                    size_t stop_after)
{
    size_t characters = 0;
    const char *p = text;

    while (*p && (stop_after == 0 || characters < stop_after)) {
        uint32_t cp;
        size_t len = text_utf8_decode(&cp, p);
        if (len == 0)
            return shop_error_set(SHOP_EINVALID,
                                  "%s must be valid UTF-8, got byte 0x%02X at byte %zu", what,
                                  (unsigned)(unsigned char)*p, (size_t)(p - text) + 1);
        if (text_is_control(cp))
            return shop_error_set(SHOP_EINVALID,
                                  "%s must not contain control characters, got U+%04X at "
                                  "character %zu",
                                  what, (unsigned)cp, characters + 1);
        p += len;
        characters++;
    }
    *out_characters = characters;
    *out_bytes = (size_t)(p - text);
    return 0;
}

int text_parse_int64(int64_t *out, const char *s)
{
    char quoted[TEXT_QUOTE_SIZE];
    const char *digits = s[0] == '-' ? s + 1 : s;
    size_t n = strspn(digits, "0123456789");
    int64_t value = 0;

    *out = 0;
    /* First the shape: one or more digits and nothing after them. */
    if (n == 0 || digits[n] != '\0')
        return shop_error_set(SHOP_EINVALID, "expected a decimal integer, got \"%s\"",
                              text_quote(quoted, s));
    /* Then the value, accumulated towards its sign so that INT64_MIN, which has no
     * positive twin, fits. */
    for (size_t i = 0; i < n; i++) {
        int digit = digits[i] - '0';
        bool overflow = __builtin_mul_overflow(value, 10, &value) ||
                        (s[0] == '-' ? __builtin_sub_overflow(value, digit, &value)
                                     : __builtin_add_overflow(value, digit, &value));
        if (overflow)
            return shop_error_set(SHOP_EOVERFLOW,
                                  "integer \"%s\" is out of range "
                                  "(-9223372036854775808 to 9223372036854775807)",
                                  text_quote(quoted, s));
    }
    *out = value;
    return 0;
}

const char *text_quote(char out[TEXT_QUOTE_SIZE], const char *s)
{
    enum { MAX_CHARS = 40 };
    size_t n = 0; /* bytes written to out */
    size_t chars = 0;

    s = s ? s : "";
    while (*s && chars < MAX_CHARS) {
        uint32_t cp;
        size_t len = text_utf8_decode(&cp, s);
        if (len == 0 || text_is_control(cp)) {
            /* One byte at a time, so that a broken sequence shows every byte. */
            snprintf(out + n, 5, "\\x%02X", (unsigned)(unsigned char)*s);
            n += 4, s += 1;
        } else if (cp == '"' || cp == '\\') {
            out[n++] = '\\', out[n++] = (char)cp, s += 1;
        } else {
            memcpy(out + n, s, len);
            n += len, s += len;
        }
        chars++;
    }
    if (*s) {
        memcpy(out + n, "...", 3);
        n += 3;
    }
    out[n] = '\0';
    return out;
}
