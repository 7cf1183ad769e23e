/*
 * tests/sanitizer/planted_overflow.c — a test program with one deliberate heap
 * buffer overflow.
 *
 * It proves that an out-of-bounds write fails `make check` in a build configured with
 * --enable-sanitizers: AddressSanitizer stops the test's worker process in the middle
 * of the test, and Criterion reports that test as failed.  Without the sanitizer the
 * write would most likely go unnoticed, which is the point of having one.  This program
 * is built by `make check` but is not in TESTS: it is meant to fail, and
 * tests/sanitizer/sanitizers_catch_test.sh runs it and checks that it does.
 * Read next: tests/sanitizer/sanitizers_catch_test.sh, docs/testing.md
 */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

/* Read through a volatile so the compiler can neither warn about the bug nor remove it. */
static volatile size_t one_past_the_end = 8;

Test(a_planted_overflow, leaves_a_test_that_writes_in_bounds_passing)
{
    char *buffer = malloc(8);
    cr_assert_not_null(buffer);
    memset(buffer, 'x', 8);
    cr_expect_eq(buffer[7], 'x');
    free(buffer);
}

Test(a_planted_overflow, fails_the_test_that_writes_past_the_end)
{
    char *buffer = malloc(8);
    cr_assert_not_null(buffer);
    buffer[one_past_the_end] = 'x'; /* the bug: the last valid index is 7 */
    free(buffer);
}
