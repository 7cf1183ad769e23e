# tests/support/tap.sh — a few lines of TAP for the shell tests, sourced by them.
#   plan N; check "description" command...; expect_exit CODE "description" command...
# Each check prints "ok N - description" or "not ok N - description" plus the output.

tap_n=0
tap_failed=0

plan() { echo "1..$1"; }
# done_testing: prints the plan after the tests (valid TAP) and sets the exit status.
done_testing() { echo "1..$tap_n"; [ "$tap_failed" = 0 ]; }

tap_result() { # status description [detail file]
    tap_n=$((tap_n + 1))
    if [ "$1" = 0 ]; then
        echo "ok $tap_n - $2"
    else
        echo "not ok $tap_n - $2"
        tap_failed=$((tap_failed + 1))
        [ -n "${3:-}" ] && [ -f "$3" ] && sed 's/^/# /' "$3"
    fi
    return 0
}

# run CMD...: runs it, keeping stdout in $out, stderr in $err and status in $status.
tap_tmp=$(mktemp -d)
trap 'rm -rf "$tap_tmp"' EXIT
run() {
    status=0
    "$@" >"$tap_tmp/out" 2>"$tap_tmp/err" || status=$?
    out=$(cat "$tap_tmp/out")
    err=$(cat "$tap_tmp/err")
}

# expect_exit CODE DESCRIPTION CMD...: the command ends with status CODE.
expect_exit() {
    code=$1 desc=$2
    shift 2
    run "$@"
    if [ "$status" = "$code" ]; then tap_result 0 "$desc"
    else
        { echo "exit status $status, expected $code: $*"; echo "stdout: $out"; echo "stderr: $err"; } >"$tap_tmp/detail"
        tap_result 1 "$desc" "$tap_tmp/detail"
    fi
}

# check DESCRIPTION TEST-EXPRESSION...: e.g. check "one line" [ "$(echo "$err" | wc -l)" = 1 ]
check() {
    desc=$1
    shift
    if "$@"; then tap_result 0 "$desc"
    else
        { echo "failed: $*"; echo "stdout: $out"; echo "stderr: $err"; } >"$tap_tmp/detail"
        tap_result 1 "$desc" "$tap_tmp/detail"
    fi
}

contains() { case $1 in *"$2"*) return 0 ;; *) return 1 ;; esac; }
one_line() { [ -n "$1" ] && [ "$(printf '%s\n' "$1" | wc -l)" -eq 1 ]; }

# use_own_database PREFIX: a new PostgreSQL database for this test program (PREFIX_<pid>),
# in $db and SHOP_DATABASE_URL, dropped at exit; bails out without a PostgreSQL.
use_own_database() {
    if ! psql -d postgres -Atc 'SELECT 1' >/dev/null 2>&1; then
        echo "Bail out! integration tests need PostgreSQL: run them with ./scripts/test (see README.md)"
        exit 1
    fi
    db=$1_$$
    createdb "$db" || { echo "Bail out! cannot create database $db"; exit 1; }
    trap 'dropdb --if-exists --force "$db" >/dev/null 2>&1; rm -rf "$tap_tmp"' EXIT
    export SHOP_DATABASE_URL="dbname=$db"
}

# api_base BAND: a port for SHOP_API_URL (each service listens there + its offset, at most
# +10).  Every test program has a band of its own (0-15), so that tests running side by
# side never share ports, and the pid spreads runs of the same test within it.  All of
# it stays below 32768, where the kernel's ephemeral ports begin: an outgoing connection
# (to PostgreSQL, say) can never hold a port a service needs.
api_base() { echo $((12000 + $1 * 1250 + ($$ % 110) * 11)); }
