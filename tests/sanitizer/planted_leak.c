/*
 * tests/sanitizer/planted_leak.c — a test program with one deliberate memory leak.
 *
 * It proves that a leak fails `make check` in a build configured with
 * --enable-sanitizers.  The catch is that LeakSanitizer looks for leaks only when a
 * process exits, and Criterion has already reported the test by then; the program's
 * main() (tests/support/criterion_main.c) turns the worker's exit status into a
 * "not ok".  This program is built by `make check` but is not in TESTS: it is meant to
 * fail, and tests/sanitizer/sanitizers_catch_test.sh runs it and checks that it does.
 * Read next: tests/sanitizer/sanitizers_catch_test.sh, docs/testing.md
 */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

/* Somewhere the compiler cannot see through, so the leak is not optimised away. */
static char *volatile last_allocation;

static char *copy_of(const char *text)
{
    char *copy = malloc(strlen(text) + 1);
    cr_assert_not_null(copy);
    strcpy(copy, text);
    return copy;
}

Test(a_planted_leak, leaves_a_test_that_frees_its_memory_passing)
{
    char *sku = copy_of("SKU-0001");
    cr_expect_str_eq(sku, "SKU-0001");
    free(sku);
}

Test(a_planted_leak, fails_the_test_that_forgets_to_free)
{
    last_allocation = copy_of("SKU-0002");
    cr_expect_str_eq(last_allocation, "SKU-0002");
    last_allocation = NULL; /* the bug: the only pointer to the copy is dropped */
}
