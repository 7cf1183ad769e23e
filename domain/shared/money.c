/*
 * domain/shared/money.c — Money in integer minor units (shared kernel / value objects).
 *
 * Parsing reads the text once, left to right, into its parts (sign, whole digits,
 * decimals, code), checks the shape, then the currency, then the decimals against the
 * currency's exponent, and only then computes, with every step overflow-checked.  No
 * floating point is used anywhere: a double cannot hold 0.10 exactly.
 * Read next: domain/shared/quantity.c.
 */
#include "domain/shared/money.h"

#include "domain/shared/error.h"
#include "domain/shared/text.h"

#include <inttypes.h>
#include <stdio.h> /* snprintf only: formatting, no I/O */
#include <string.h>

/* ---- parsing ---- */

/* The pieces of "-12.50 EUR", pointing into the text. */
struct amount_text {
    bool negative;
    const char *whole; /* "12" */
    size_t whole_len;
    const char *decimals; /* "50", or NULL when there is no '.' */
    size_t decimals_len;
    size_t number_len; /* "-12.50": what a message quotes */
    const char *code;  /* "EUR", or NULL when there is no code */
};

static int refuse_shape(const char *text)
{
    char quoted[TEXT_QUOTE_SIZE];
    return shop_error_set(SHOP_EINVALID,
                          "amount must be a decimal number like \"12.50\" or \"12.50 EUR\", "
                          "got \"%s\"",
                          text_quote(quoted, text));
}

/* Splits text into its pieces; SHOP_EINVALID unless it reads [-]DIGITS[.DIGITS][ CODE]. */
static int split_amount(struct amount_text *out, const char *text)
{
    const char *p = text;

    memset(out, 0, sizeof *out);
    if (*p == '-') {
        out->negative = true;
        p++;
    }
    out->whole = p;
    out->whole_len = strspn(p, "0123456789");
    p += out->whole_len;
    if (out->whole_len == 0) /* "", ".5", "-", "+1", " 1", "e3" */
        return refuse_shape(text);
    if (*p == '.') {
        out->decimals = ++p;
        out->decimals_len = strspn(p, "0123456789");
        p += out->decimals_len;
        if (out->decimals_len == 0) /* "12." */
            return refuse_shape(text);
    }
    out->number_len = (size_t)(p - text);
    if (*p == '\0')
        return 0;
    /* One space, then a code: a word of ASCII letters.  Whether it is a known currency is
     * currency_find's question, so that "eur" and "EURO" get the better message. */
    if (p[0] != ' ' || p[1] == '\0')
        return refuse_shape(text);
    out->code = p + 1;
    for (const char *c = out->code; *c; c++)
        if (!text_is_ascii_upper(*c) && !text_is_ascii_lower(*c))
            return refuse_shape(text);
    return 0;
}

/* *acc = *acc * 10 + the digits of s[0..len), checked. */
static bool append_digits(uint64_t *acc, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (__builtin_mul_overflow(*acc, 10, acc) ||
            __builtin_add_overflow(*acc, (uint64_t)(s[i] - '0'), acc))
            return false;
    return true;
}

/* The number part of the text ("-12.50" of "-12.50 EUR"), quoted for a message. */
static void quote_number(char out[TEXT_QUOTE_SIZE], const char *text, size_t len)
{
    char number[TEXT_QUOTE_SIZE];
    /* One character more than text_quote shows, so that it knows to add "...". */
    size_t shown = len < 41 ? len : 41;
    memcpy(number, text, shown);
    number[shown] = '\0';
    text_quote(out, number);
}

int money_parse(money *out, const char *text, const char *default_currency)
{
    struct amount_text parts;
    const currency *cur;
    char number[TEXT_QUOTE_SIZE];
    int rc;

    *out = (money){0, NULL};
    text = text ? text : "";
    if ((rc = split_amount(&parts, text)) < 0)
        return rc;
    quote_number(number, text, parts.number_len);

    if (!parts.code && !default_currency)
        return shop_error_set(SHOP_EINVALID, "amount \"%s\" needs a currency code, e.g. \"%s EUR\"",
                              number, number);
    if ((rc = currency_find(&cur, parts.code ? parts.code : default_currency)) < 0)
        return rc;

    /* Never round: 12.505 EUR is not a price anyone wrote on purpose. */
    if (parts.decimals_len > (size_t)cur->exponent)
        return shop_error_set(SHOP_EINVALID, "%s has %d decimals, got \"%s\"", cur->code,
                              cur->exponent, number);

    /* The magnitude in minor units: the whole digits, then the decimals padded with zeros
     * to the exponent ("0.5" EUR is 0, 5, 0 = 50 cents). */
    uint64_t magnitude = 0;
    bool fits = append_digits(&magnitude, parts.whole, parts.whole_len) &&
                append_digits(&magnitude, parts.decimals, parts.decimals_len);
    for (size_t i = parts.decimals_len; fits && i < (size_t)cur->exponent; i++)
        fits = !__builtin_mul_overflow(magnitude, 10, &magnitude);
    /* int64_t holds one more negative value than positive: -(INT64_MAX + 1). */
    uint64_t limit = parts.negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    if (!fits || magnitude > limit) {
        char bound[MONEY_FORMAT_MAX];
        money_format(bound, sizeof bound, money_make(cur, parts.negative ? INT64_MIN : INT64_MAX));
        return shop_error_set(SHOP_EOVERFLOW, "amount \"%s\" is out of range for %s (%s %s)",
                              number, cur->code, parts.negative ? "at least" : "at most", bound);
    }

    int64_t minor;
    if (!parts.negative)
        minor = (int64_t)magnitude;
    else if (magnitude == limit)
        minor = INT64_MIN; /* its magnitude does not fit int64_t, so it cannot be negated */
    else
        minor = -(int64_t)magnitude;
    *out = money_make(cur, minor);
    return 0;
}

money money_make(const currency *c, int64_t minor)
{
    return (money){.minor = minor, .currency = c};
}

money money_zero(const currency *c)
{
    return money_make(c, 0);
}

/* ---- formatting ---- */

static int format(char *out, size_t size, money m, bool with_code)
{
    char text[MONEY_FORMAT_MAX];
    int n;

    if (size > 0)
        out[0] = '\0';
    if (!m.currency)
        return shop_error_set(SHOP_EINVALID, "money without a currency cannot be formatted");

    /* |minor| as unsigned, so that INT64_MIN has a magnitude too. */
    uint64_t magnitude = m.minor < 0 ? 0u - (uint64_t)m.minor : (uint64_t)m.minor;
    uint64_t scale = (uint64_t)currency_minor_per_major(m.currency);
    const char *sign = m.minor < 0 ? "-" : "";
    const char *space = with_code ? " " : "";
    const char *code = with_code ? m.currency->code : "";

    if (m.currency->exponent == 0)
        n = snprintf(text, sizeof text, "%s%" PRIu64 "%s%s", sign, magnitude, space, code);
    else
        n = snprintf(text, sizeof text, "%s%" PRIu64 ".%0*" PRIu64 "%s%s", sign, magnitude / scale,
                     m.currency->exponent, magnitude % scale, space, code);
    if (n < 0 || (size_t)n >= size)
        return shop_error_set(SHOP_EOVERFLOW,
                              "a buffer of %zu bytes is too small for an amount of money "
                              "(MONEY_FORMAT_MAX is %d)",
                              size, MONEY_FORMAT_MAX);
    memcpy(out, text, (size_t)n + 1);
    return 0;
}

int money_format(char *out, size_t size, money m)
{
    return format(out, size, m, true);
}

int money_format_amount(char *out, size_t size, money m)
{
    return format(out, size, m, false);
}

/* ---- arithmetic ---- */

/*
 * 0 when x and y can be combined; otherwise the refusal, worded as the caller reads:
 * check_same_currency("add", b, "to", a) says "cannot add 1.00 USD to 2.00 EUR: currencies
 * differ".
 */
static int check_same_currency(const char *verb, money x, const char *preposition, money y)
{
    char x_text[MONEY_FORMAT_MAX], y_text[MONEY_FORMAT_MAX];

    if (!x.currency || !y.currency)
        return shop_error_set(SHOP_EINVALID, "cannot %s money without a currency", verb);
    if (x.currency == y.currency)
        return 0;
    money_format(x_text, sizeof x_text, x);
    money_format(y_text, sizeof y_text, y);
    return shop_error_set(SHOP_EINVALID, "cannot %s %s %s %s: currencies differ", verb, x_text,
                          preposition, y_text);
}

static int refuse_overflow(money a, const char *operation, money b)
{
    char a_text[MONEY_FORMAT_MAX], b_text[MONEY_FORMAT_MAX];
    money_format(a_text, sizeof a_text, a);
    money_format(b_text, sizeof b_text, b);
    return shop_error_set(SHOP_EOVERFLOW, "%s %s %s is out of range for %s", a_text, operation,
                          b_text, a.currency->code);
}

int money_add(money *out, money a, money b)
{
    int64_t sum;
    int rc;

    *out = (money){0, NULL};
    if ((rc = check_same_currency("add", b, "to", a)) < 0)
        return rc;
    if (__builtin_add_overflow(a.minor, b.minor, &sum))
        return refuse_overflow(a, "+", b);
    *out = money_make(a.currency, sum);
    return 0;
}

int money_subtract(money *out, money a, money b)
{
    int64_t difference;
    int rc;

    *out = (money){0, NULL};
    if ((rc = check_same_currency("subtract", b, "from", a)) < 0)
        return rc;
    if (__builtin_sub_overflow(a.minor, b.minor, &difference))
        return refuse_overflow(a, "-", b);
    *out = money_make(a.currency, difference);
    return 0;
}

int money_multiply(money *out, money m, int64_t factor)
{
    int64_t product;
    char m_text[MONEY_FORMAT_MAX];

    *out = (money){0, NULL};
    if (!m.currency)
        return shop_error_set(SHOP_EINVALID, "cannot multiply money without a currency");
    if (__builtin_mul_overflow(m.minor, factor, &product)) {
        money_format(m_text, sizeof m_text, m);
        return shop_error_set(SHOP_EOVERFLOW, "%s x %" PRId64 " is out of range for %s", m_text,
                              factor, m.currency->code);
    }
    *out = money_make(m.currency, product);
    return 0;
}

/* ---- comparing ---- */

int money_compare(int *out, money a, money b)
{
    int rc;

    *out = 0;
    if ((rc = check_same_currency("compare", a, "with", b)) < 0)
        return rc;
    *out = (a.minor > b.minor) - (a.minor < b.minor);
    return 0;
}

bool money_equal(money a, money b)
{
    return a.currency == b.currency && a.minor == b.minor;
}

bool money_is_zero(money m)
{
    return m.minor == 0;
}

bool money_is_positive(money m)
{
    return m.minor > 0;
}

bool money_is_negative(money m)
{
    return m.minor < 0;
}
