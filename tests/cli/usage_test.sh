#!/bin/sh
# tests/cli/usage_test.sh — the command line's contract (docs/cli.md) where no database is
# involved: help, version, and bad usage answered with exit 2 and one clear line.
# An unreachable database is exit 3, naming the socket that was tried.
set -u
. "$top_srcdir/tests/support/tap.sh"
shop=$top_builddir/shop

expect_exit 0 "shop --help succeeds" "$shop" --help
check "shop --help lists db migrate" contains "$out" "db migrate"
check "shop --help lists the exit statuses" contains "$out" "2 bad usage"

expect_exit 0 "shop --version succeeds" "$shop" --version
version=$(sed -n 's/^AC_INIT(\[ddd-shop\], \[\([^]]*\)\].*/\1/p' "$top_srcdir/configure.ac")
check "shop --version prints the version of configure.ac ($version)" contains "$out" "$version"

expect_exit 0 "shop db migrate --help succeeds" "$shop" db migrate --help
check "a command's help shows its usage line" contains "$out" "Usage: shop db migrate"
expect_exit 0 "shop help db status is the same as shop db status --help" "$shop" help db status
check "shop help db status shows its usage" contains "$out" "Usage: shop db status"

expect_exit 2 "no command at all is bad usage" "$shop"
check "it names the commands allowed" contains "$err" "expected one of: db, serve, up, status, catalog, stock, order, events, saga, notifications, dlq, report, projection, breaker, trace, demo, help"

expect_exit 2 "an unknown command is bad usage" "$shop" frobnicate
check "it is one line" one_line "$err"
check "the line names the unknown command" contains "$err" "unknown command 'frobnicate'"

expect_exit 2 "a group without its subcommand is bad usage" "$shop" db
check "it lists the subcommands" contains "$err" "expected one of: migrate, status"

expect_exit 2 "an unknown option is bad usage" "$shop" db migrate --frobnicate
check "it names the option" contains "$err" "unknown option --frobnicate"

expect_exit 2 "an option missing its value is bad usage" "$shop" db status --db
check "it says the option needs a value" contains "$err" "option --db needs a value"

expect_exit 2 "a stray argument is bad usage" "$shop" db migrate now
expect_exit 2 "a malformed connection string is bad usage" "$shop" --db "host=" db status --db "nonsense"

expect_exit 2 "a letter in a cluster of short options is named" "$shop" db migrate -xv
check "it names -x, not another word" contains "$err" "unknown option -x;"
expect_exit 2 "a value given to an option that takes none is bad usage" "$shop" db migrate --dry-run=yes
check "it says the option takes no value" contains "$err" "option --dry-run takes no value"

nl='
'
expect_exit 2 "an argument with a line break is bad usage" "$shop" "db${nl}migrate"
check "the refusal stays on one line" one_line "$err"
check "the line break is shown escaped" contains "$err" "db\x0Amigrate"

expect_exit 0 "shop help db lists the db subcommands" "$shop" help db
check "it shows db status" contains "$out" "db status"
expect_exit 0 "shop db --help lists the db subcommands" "$shop" db --help

if [ -w /dev/full ]; then
    expect_exit 3 "output that cannot be written is a failure" sh -c '"$1" --help >/dev/full' _ "$shop"
    check "it says so in one line" contains "$err" "cannot write the output"
fi

empty=$(mktemp -d)
expect_exit 1 "a migrations directory without migrations is refused" env SHOP_MIGRATIONS_DIR="$empty" "$shop" db migrate
check "it names the directory" contains "$err" "no migrations (NNNN_name.sql files) in $empty"
rmdir "$empty"

# Times a user types for --as-of: checked before any connection is made.
some_order=01234567-89ab-7def-8123-456789abcdef
for bad in 2026-02-31 " 2026-01-01" "2026-11-24 25:00:00" yesterday; do
    expect_exit 2 "--as-of '$bad' is bad usage" "$shop" order history $some_order --as-of "$bad"
    check "it says what a time looks like, in one line" one_line "$err"
    check "the line quotes the time" contains "$err" "time \"$bad\" is not YYYY-MM-DD"
done
expect_exit 2 "an order id that is not a UUID is bad usage" "$shop" order history 12345
check "it names the rule" contains "$err" "is not a UUID"

# An unreachable database: a socket directory where no server listens.
nowhere=$(mktemp -d)
expect_exit 3 "an unreachable database is exit 3" env -u SHOP_DATABASE_URL PGHOST="$nowhere" PGPORT=6543 "$shop" db status
check "it is one line" one_line "$err"
check "the line names the socket that was tried" contains "$err" "$nowhere/.s.PGSQL.6543"
rmdir "$nowhere"

done_testing
