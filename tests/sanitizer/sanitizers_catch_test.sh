#!/bin/sh
#
# tests/sanitizer/sanitizers_catch_test.sh — proves that, in a build configured with
# --enable-sanitizers, a memory bug in a test turns `make check` red.
#
# That is less obvious than it sounds.  Criterion runs each test in a worker process
# and reports it when the test body ends; LeakSanitizer only looks for leaks when the
# worker exits, afterwards, and by default nobody listens (see
# tests/support/criterion_main.c for the fix).  So this test does what `make check`
# does — it runs a test program through automake's tap-driver.sh with --merge — on two
# programs that each carry one deliberate bug, and reads the verdicts:
#   tests/sanitizer/planted_leak.c      a test that leaks a heap block
#   tests/sanitizer/planted_overflow.c  a test that writes one byte past a heap block
# Each program also has a clean test, which must still pass.
#
# Environment (set by Makefile.am through AM_TESTS_ENVIRONMENT): SHOP_SANITIZERS=yes in
# a sanitizer build, top_srcdir, top_builddir.  Elsewhere the test is skipped: without
# the sanitizers, the planted bugs go unnoticed, which is why the sanitizers exist.
# Read next: docs/testing.md

if [ "${SHOP_SANITIZERS:-no}" != yes ]; then
    echo "1..0 # SKIP not a sanitizer build"
    exit 0
fi

set -u
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/support/tap.sh"
driver=$top_srcdir/build-aux/tap-driver.sh
programs=$top_builddir/tests/sanitizer
scratch=$tap_tmp # tap.sh removes it when the test ends

# A missing program would look like one that failed; say so instead.
for program in planted_leak planted_overflow; do
    if [ ! -x "$programs/$program" ]; then
        echo "Bail out! $programs/$program is not built (make check builds it)"
        exit 1
    fi
done

# run_like_make_check NAME PROGRAM [ARGUMENT...]: runs PROGRAM the way `make check` runs
# a test, leaving what make would print in $scratch/NAME.out, the test's log in
# $scratch/NAME.log and its verdicts in $scratch/NAME.trs.
run_like_make_check() {
    name=$1
    shift
    env AM_TAP_AWK="${AM_TAP_AWK:-awk}" "${SHELL:-/bin/sh}" "$driver" --test-name "$name" \
        --log-file "$scratch/$name.log" --trs-file "$scratch/$name.trs" \
        --color-tests no --enable-hard-errors yes --expect-failure no \
        --merge -- "$@" >"$scratch/$name.out" 2>&1
}

# The verdict make would count for the whole program: PASS, FAIL, ERROR, SKIP, ...
global_result() {
    sed -n 's/^:global-test-result: //p' "$scratch/$1.trs"
}

turned_red() {
    case $(global_result "$1") in
    FAIL | ERROR) return 0 ;;
    *) show "$1" ;;
    esac
}

passed() {
    test "$(global_result "$1")" = PASS || show "$1"
}

# reported NAME RESULT TEST: make printed RESULT (PASS, FAIL, ...) for the program's
# test TEST, whatever its number.
reported() {
    grep -qE "^$2: $1 [0-9]+ - $3\$" "$scratch/$1.out" || show "$1"
}

# logged NAME PATTERN: the program's log (stdout and stderr, merged) matches PATTERN.
logged() {
    grep -qE "$2" "$scratch/$1.log" || show "$1"
}

# show NAME: keeps the evidence of a failed verdict, for verdict() to print, and fails.
show() {
    {
        echo "what make printed for $1:"
        cat "$scratch/$1.out"
        echo "its log:"
        cat "$scratch/$1.log"
    } >>"$scratch/evidence" 2>&1
    return 1
}

# verdict DESCRIPTION COMMAND...: one TAP result, "ok" when COMMAND succeeds; a failure
# shows the evidence as TAP diagnostics.
verdict() {
    description=$1
    shift
    : >"$scratch/evidence"
    "$@"
    tap_result $? "$description" "$scratch/evidence"
}

run_like_make_check planted_leak "$programs/planted_leak"
run_like_make_check planted_overflow "$programs/planted_overflow"
run_like_make_check clean_leak_program "$programs/planted_leak" \
    --filter 'a_planted_leak/leaves_*'
run_like_make_check clean_overflow_program "$programs/planted_overflow" \
    --filter 'a_planted_overflow/leaves_*'

verdict "a planted memory leak turns make check red" turned_red planted_leak
verdict "the leak is reported as a failure of the test that leaked" \
    reported planted_leak FAIL a_planted_leak::fails_the_test_that_forgets_to_free
verdict "LeakSanitizer's report is kept in the test's log" logged planted_leak \
    "ERROR: LeakSanitizer: detected memory leaks"

verdict "a planted heap buffer overflow turns make check red" turned_red planted_overflow
verdict "the overflow is reported as a failure of the test that wrote past the end" \
    reported planted_overflow FAIL a_planted_overflow::fails_the_test_that_writes_past_the_end
# AddressSanitizer finds the write; at -O2 UndefinedBehaviorSanitizer's object-size
# check may find it first.  Either report will do.
verdict "the sanitizer's report of the overflow is kept in the test's log" \
    logged planted_overflow \
    "ERROR: AddressSanitizer: heap-buffer-overflow|planted_overflow\.c:[0-9]+:[0-9]+: runtime error"

clean_tests_passed() {
    reported planted_leak PASS a_planted_leak::leaves_a_test_that_frees_its_memory_passing &&
        reported planted_overflow PASS \
            a_planted_overflow::leaves_a_test_that_writes_in_bounds_passing
}
verdict "the clean tests beside the planted bugs still pass" clean_tests_passed

# The same programs, told to run only their clean test (the other one is skipped).
clean_programs_passed() {
    passed clean_leak_program && passed clean_overflow_program
}
verdict "a Criterion program whose tests are clean passes" clean_programs_passed

done_testing
