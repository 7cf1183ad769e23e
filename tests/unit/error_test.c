/*
 * tests/unit/error_test.c — the error convention every module reports through.
 *
 * Pattern: shared kernel; explicit error results with a per-thread last message (as
 * libgit2's git_error_last()).  What callers rely on: the message belongs to the thread
 * that failed, is always one line, never overruns its buffer, and names the code.
 * Read next: domain/shared/error.h.
 */
#include "domain/shared/error.h"
#include "domain/shared/sku.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <string.h>

Test(error_convention, returns_the_code_it_records)
{
    cr_assert_eq(shop_error_set(SHOP_ENOTFOUND, "unknown SKU \"%s\"", "ABC-1"), SHOP_ENOTFOUND);
    cr_assert_eq(shop_error_code(), SHOP_ENOTFOUND);
    cr_assert_str_eq(shop_error_message(), "unknown SKU \"ABC-1\"");
}

Test(error_convention, starts_with_no_error)
{
    cr_assert_eq(shop_error_code(), SHOP_OK);
    cr_assert_str_eq(shop_error_message(), "");
}

Test(error_convention, forgets_the_error_when_cleared)
{
    shop_error_set(SHOP_EINVALID, "bad input");
    shop_error_clear();
    cr_assert_eq(shop_error_code(), SHOP_OK);
    cr_assert_str_eq(shop_error_message(), "");
}

Test(error_convention, is_what_a_refusing_value_object_leaves_behind)
{
    sku s;
    shop_error_clear();
    int rc = sku_parse(&s, "no spaces");
    cr_assert_eq(rc, SHOP_EINVALID);
    cr_assert_eq(shop_error_code(), rc);
    cr_assert(strstr(shop_error_message(), "SKU must be") != NULL, "%s", shop_error_message());
}

/* What a second thread saw and did, checked afterwards by the test's own thread. */
struct other_thread {
    int code_seen;
    char message_seen[SHOP_ERROR_MESSAGE_MAX];
    int code_after_own_error;
};

static void *fail_in_another_thread(void *arg)
{
    struct other_thread *t = arg;
    t->code_seen = shop_error_code();
    strcpy(t->message_seen, shop_error_message());
    shop_error_set(SHOP_EUNAVAILABLE, "database unavailable");
    t->code_after_own_error = shop_error_code();
    return NULL;
}

Test(error_convention, keeps_each_threads_message_to_itself)
{
    struct other_thread t = {.code_seen = 99, .message_seen = "untouched"};
    pthread_t thread;

    shop_error_set(SHOP_ECONFLICT, "order changed by someone else");
    cr_assert_eq(pthread_create(&thread, NULL, fail_in_another_thread, &t), 0);
    cr_assert_eq(pthread_join(thread, NULL), 0);

    cr_assert_eq(t.code_seen, SHOP_OK, "the new thread does not see this thread's error");
    cr_assert_str_eq(t.message_seen, "");
    cr_assert_eq(t.code_after_own_error, SHOP_EUNAVAILABLE);
    cr_assert_eq(shop_error_code(), SHOP_ECONFLICT, "the other thread's error stays there");
    cr_assert_str_eq(shop_error_message(), "order changed by someone else");
}

Test(error_convention, keeps_a_message_that_just_fits)
{
    char text[SHOP_ERROR_MESSAGE_MAX];
    memset(text, 'x', sizeof text - 1); /* 511 characters and the NUL */
    text[sizeof text - 1] = '\0';
    shop_error_set(SHOP_EINVALID, "%s", text);
    cr_assert_str_eq(shop_error_message(), text);
}

Test(error_convention, cuts_a_long_message_with_an_ellipsis)
{
    char text[2000];
    memset(text, 'x', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    shop_error_set(SHOP_EINVALID, "%s", text);

    const char *message = shop_error_message();
    cr_assert_eq(strlen(message), SHOP_ERROR_MESSAGE_MAX - 1);
    cr_assert_str_eq(message + SHOP_ERROR_MESSAGE_MAX - 4, "...");
    cr_assert_eq(strspn(message, "x"), SHOP_ERROR_MESSAGE_MAX - 4);
}

Test(error_convention, cuts_a_message_one_character_too_long)
{
    char text[SHOP_ERROR_MESSAGE_MAX + 1];
    memset(text, 'y', sizeof text - 1); /* 512 characters: one too many */
    text[sizeof text - 1] = '\0';
    shop_error_set(SHOP_EINVALID, "%s", text);
    cr_assert_eq(strlen(shop_error_message()), SHOP_ERROR_MESSAGE_MAX - 1);
    cr_assert_str_eq(shop_error_message() + SHOP_ERROR_MESSAGE_MAX - 4, "...");
}

Test(error_convention, flattens_a_message_to_one_line)
{
    shop_error_set(SHOP_EINTERNAL, "first line\nsecond line\r\nthird");
    cr_assert_str_eq(shop_error_message(), "first line second line  third");
}

Test(error_convention, names_every_code)
{
    cr_assert_str_eq(shop_error_name(SHOP_OK), "SHOP_OK");
    cr_assert_str_eq(shop_error_name(SHOP_EINVALID), "SHOP_EINVALID");
    cr_assert_str_eq(shop_error_name(SHOP_EOVERFLOW), "SHOP_EOVERFLOW");
    cr_assert_str_eq(shop_error_name(SHOP_EREFUSED), "SHOP_EREFUSED");
    cr_assert_str_eq(shop_error_name(SHOP_ENOTFOUND), "SHOP_ENOTFOUND");
    cr_assert_str_eq(shop_error_name(SHOP_ECONFLICT), "SHOP_ECONFLICT");
    cr_assert_str_eq(shop_error_name(SHOP_EUNAVAILABLE), "SHOP_EUNAVAILABLE");
    cr_assert_str_eq(shop_error_name(SHOP_EIO), "SHOP_EIO");
    cr_assert_str_eq(shop_error_name(SHOP_EINTERNAL), "SHOP_EINTERNAL");
}

Test(error_convention, names_an_unknown_code_without_crashing)
{
    cr_assert_str_eq(shop_error_name(-99), "SHOP_E?");
    cr_assert_str_eq(shop_error_name(1), "SHOP_E?");
}
