/*
 * domain/shared/error.h — the error convention of the whole code base (shared kernel).
 *
 * Every fallible function returns int: 0 on success or one of the negative codes
 * below, and leaves a one-line human message in a per-thread buffer (as libgit2's
 * git_error_last()).  Business-rule refusals are ordinary results, never abort().
 *
 *     if (sku_parse(&sku, text) < 0)
 *         fprintf(stderr, "shop: %s\n", shop_error_message());
 *
 * The command line maps codes to exit statuses in one place
 * (infrastructure/cli/cli.c: cli_exit_status).  Read next: docs/adr/0002-error-convention.md
 */
#ifndef SHOP_DOMAIN_SHARED_ERROR_H
#define SHOP_DOMAIN_SHARED_ERROR_H

#include <stddef.h>

enum shop_error_code {
    SHOP_OK = 0,
    SHOP_EINVALID = -1,     /* input breaks a rule of its shape (exit 2) */
    SHOP_EOVERFLOW = -2,    /* a value does not fit its range (exit 2) */
    SHOP_EREFUSED = -3,     /* a business rule refuses the command (exit 1) */
    SHOP_ENOTFOUND = -4,    /* the named thing does not exist (exit 1) */
    SHOP_ECONFLICT = -5,    /* someone else changed it first (exit 1; retry may succeed) */
    SHOP_EUNAVAILABLE = -6, /* a dependency (database, service) is unreachable (exit 3) */
    SHOP_EIO = -7,          /* the operating system failed us: files, pipes (exit 3) */
    SHOP_EINTERNAL = -8,    /* a bug or an unexpected answer from a dependency (exit 3) */
};

/* The name of a code, e.g. "SHOP_ECONFLICT"; "SHOP_E?" for unknown values. */
const char *shop_error_name(int code);

/*
 * Records a message for this thread and returns code, so that a refusal is one line:
 *     return shop_error_set(SHOP_EINVALID, "quantity must be 1-999, got %ld", q);
 */
int shop_error_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The code and message last recorded on this thread ("" and SHOP_OK when none). */
int shop_error_code(void);
const char *shop_error_message(void);

/* Forgets the last error of this thread. */
void shop_error_clear(void);

/* Longest message kept, including the terminating NUL; longer ones are cut with "...". */
#define SHOP_ERROR_MESSAGE_MAX 512

#endif
