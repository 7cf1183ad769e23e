/*
 * tests/support/criterion_main.c — the main() of every Criterion test program.
 *
 * Criterion runs each test in its own worker process.  Its stock main() has two habits
 * that hide bugs from `make check`, and this file replaces it to fix both:
 *
 *  1. It reports a test as soon as the test body and its teardown have run.  A worker
 *     that then dies badly — LeakSanitizer checks for leaks only when the process
 *     exits — changes nothing: the leaking test is still "ok" and the program still
 *     exits 0.  Criterion does record the worker's exit status, though, so the TAP
 *     report below marks such a test "not ok" and says why.
 *  2. `--tap=-` makes Criterion quiet, and quiet means every worker's stderr goes to
 *     /dev/null, sanitizer reports included.  Here the report is added as an output
 *     directly, so the normal log, and with it every sanitizer report, still reaches
 *     stderr; automake's tap-driver.sh (run with --merge) keeps both in the test's
 *     .log file, and reads only the TAP lines.
 *
 * It also compiles in the sanitizer options the tests rely on (see the end of the
 * file), so a test program behaves the same under `make check` and when run by hand.
 * Link it into every Criterion program by listing it in the program's _SOURCES.
 * Read next: docs/testing.md, then tests/sanitizer/sanitizers_catch_test.sh.
 */
#include <criterion/criterion.h>
#include <criterion/options.h>
#include <criterion/output.h>
#include <criterion/stats.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Tests that Criterion counted as passed but this report calls failures. */
static size_t late_failures;

/* Writes text as TAP diagnostics: each of its lines prefixed with "# ". */
static void tap_diagnose(FILE *out, const char *text)
{
    while (text && *text) {
        size_t len = strcspn(text, "\n");
        fprintf(out, "# %.*s\n", (int)len, text);
        text += len + (text[len] == '\n');
    }
}

/*
 * Whether a test that Criterion passed must still fail: its worker exited with a status
 * other than the one the test declares (.exit_code, 0 by default) after the test had
 * finished, so something that ran at process exit failed.  Criterion records that
 * status but does not look at it once the test has been reported.
 */
static bool failed_after_the_test(const struct criterion_test_stats *t)
{
    return t->test_status == CR_STATUS_PASSED && t->exit_code != t->test->data->exit_code;
}

static void tap_report_test(FILE *out, size_t number, const struct criterion_test_stats *t)
{
    const char *name = t->test->name;
    const char *suite = t->test->category;

    if (t->test_status == CR_STATUS_SKIPPED) {
        fprintf(out, "ok %zu - %s::%s # SKIP%s%s\n", number, suite, name, t->message ? " " : "",
                t->message ? t->message : "");
        return;
    }

    bool late = failed_after_the_test(t);
    if (t->test_status == CR_STATUS_PASSED && !late) {
        fprintf(out, "ok %zu - %s::%s\n", number, suite, name);
        return;
    }

    fprintf(out, "not ok %zu - %s::%s\n", number, suite, name);
    for (const struct criterion_assert_stats *a = t->asserts; a; a = a->next) {
        if (a->passed)
            continue;
        fprintf(out, "# %s:%u: assertion failed\n", a->file ? a->file : "?", a->line);
        tap_diagnose(out, a->message);
    }
    if (t->timed_out)
        fprintf(out, "# the test timed out\n");
    else if (t->crashed && t->signal)
        fprintf(out, "# the test crashed (signal %d)\n", t->signal);
    else if (t->crashed)
        fprintf(out, "# the test stopped before its end: a fatal assertion in its setup\n"
                     "# (.init) or teardown (.fini), see the message above\n");
    else if (late)
        fprintf(out,
                "# the test passed, but its worker then exited with status %d, expected %d;\n"
                "# LeakSanitizer checks for leaks at exit: see its report above in this log\n",
                t->exit_code, t->test->data->exit_code);
    else if (t->exit_code != t->test->data->exit_code)
        fprintf(out,
                "# the worker exited with status %d during the test, expected %d;\n"
                "# a sanitizer report, if there is one, is above in this log\n",
                t->exit_code, t->test->data->exit_code);
    if (late)
        ++late_failures;
}

/* A TAP report, one test point per test, for tap-driver.sh. */
static void tap_report(FILE *out, struct criterion_global_stats *stats)
{
    size_t count = 0;
    for (const struct criterion_suite_stats *s = stats->suites; s; s = s->next)
        for (const struct criterion_test_stats *t = s->tests; t; t = t->next)
            ++count;

    fprintf(out, "1..%zu\n", count);
    size_t number = 0;
    for (const struct criterion_suite_stats *s = stats->suites; s; s = s->next)
        for (const struct criterion_test_stats *t = s->tests; t; t = t->next)
            tap_report_test(out, ++number, t);

    /* These fail the run (a non-zero exit status) without failing any one test. */
    if (stats->warnings || stats->errors)
        fprintf(out,
                "# Criterion counted %zu warning(s) and %zu error(s): cr_log_warn() or\n"
                "# cr_log_error() messages, or a worker that crashed outside its test\n",
                stats->warnings, stats->errors);
    fflush(out);
}

int main(int argc, char *argv[])
{
    struct criterion_test_set *tests = criterion_initialize();
    int status = 0;

    /* --help, --list and --version are answered here, without running anything. */
    if (!criterion_handle_args(argc, argv, true))
        goto done;

    criterion_register_output_provider("ddd-shop-tap", tap_report);
    criterion_add_output("ddd-shop-tap", "-"); /* "-" is stdout */

    /* criterion_run_all_tests() returns non-zero when every test passed. */
    if (!criterion_run_all_tests(tests) || late_failures > 0)
        status = 1;
done:
    criterion_finalize(tests);
    return status;
}

/*
 * Sanitizer options, compiled in.  The runtimes call these hooks at start-up in every
 * process — the runner and each worker — in builds configured with --enable-sanitizers;
 * elsewhere nothing calls them.  ASAN_OPTIONS and UBSAN_OPTIONS in the environment
 * still override them (and LSAN_OPTIONS, which shares the flags below with ASan).
 *
 *  - A leak must make the worker EXIT with a status (abort_on_error=0, the Linux
 *    default, stated here because the design depends on it): Criterion records an exit
 *    status against the test, whereas a worker killed by a signal after its test has
 *    ended only counts as an anonymous warning.
 *  - AddressSanitizer and UndefinedBehaviorSanitizer stop at the first error (the build
 *    also passes -fno-sanitize-recover=all), so the worker exits with status 1 in the
 *    middle of the test and Criterion fails that test.
 */
const char *__asan_default_options(void);
const char *__ubsan_default_options(void);

const char *__asan_default_options(void)
{
    return "detect_leaks=1:abort_on_error=0:halt_on_error=1";
}

const char *__ubsan_default_options(void)
{
    return "halt_on_error=1:print_stacktrace=1";
}
