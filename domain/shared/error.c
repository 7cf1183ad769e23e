/*
 * domain/shared/error.c — per-thread last error (shared kernel).
 * Pattern: explicit error results instead of exceptions; see error.h.
 * Read next: domain/shared/money.c, which uses it for every refusal.
 */
#include "domain/shared/error.h"

#include <stdarg.h>
#include <stdio.h> /* snprintf only: formatting, no I/O */
#include <string.h>

static _Thread_local int last_code;
static _Thread_local char last_message[SHOP_ERROR_MESSAGE_MAX];

const char *shop_error_name(int code)
{
    switch (code) {
    case SHOP_OK: return "SHOP_OK";
    case SHOP_EINVALID: return "SHOP_EINVALID";
    case SHOP_EOVERFLOW: return "SHOP_EOVERFLOW";
    case SHOP_EREFUSED: return "SHOP_EREFUSED";
    case SHOP_ENOTFOUND: return "SHOP_ENOTFOUND";
    case SHOP_ECONFLICT: return "SHOP_ECONFLICT";
    case SHOP_EUNAVAILABLE: return "SHOP_EUNAVAILABLE";
    case SHOP_EIO: return "SHOP_EIO";
    case SHOP_EINTERNAL: return "SHOP_EINTERNAL";
    }
    return "SHOP_E?";
}

int shop_error_set(int code, const char *fmt, ...)
{
    /* Formatted aside first, so the old message may be an argument of the new one. */
    char message[SHOP_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    if (n < 0)
        message[0] = '\0';
    else if ((size_t)n >= sizeof message)
        memcpy(message + sizeof message - 4, "...", 4);
    memcpy(last_message, message, sizeof message);
    /* One line, always: a message never carries a newline into the terminal. */
    for (char *p = last_message; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    last_code = code;
    return code;
}

int shop_error_code(void)
{
    return last_code;
}

const char *shop_error_message(void)
{
    return last_message;
}

void shop_error_clear(void)
{
    last_code = SHOP_OK;
    last_message[0] = '\0';
}
