#!/bin/sh
# tests/integration/cli_stock_test.sh — `shop stock receive|list|show` as a user runs them:
# a migrated database of its own, `shop up --only inventory,reporting` in the background,
# and the command line as its client.  receive is a command (Inventory answers it);
# show and list are queries of Reporting's read model, which follows Inventory's events,
# so after a receipt the test waits until the read model has it.  Checks the output, the
# --json shapes of docs/cli.md and the exit statuses (2 bad input naming the argument,
# 1 not found, 3 service down).
set -u
. "$top_srcdir/tests/support/tap.sh"
. "$top_srcdir/tests/support/http.sh"
shop=$top_builddir/shop

use_own_database shop_cli_stock_test
# A base port of our own, so that tests running at once do not meet (inventory is +3).
base=$(api_base 0)
export SHOP_API_URL="http://127.0.0.1:$base"

expect_exit 0 "shop db migrate" "$shop" db migrate

expect_exit 3 "stock list with the service down is exit 3" "$shop" stock list
check "it says the service is unreachable, in one line" one_line "$err"

"$shop" up --only inventory,reporting >"$tap_tmp/serve.log" 2>&1 &
serve_pid=$!
trap 'kill "$serve_pid" 2>/dev/null; wait "$serve_pid" 2>/dev/null; dropdb --if-exists --force "$db" >/dev/null 2>&1; rm -rf "$tap_tmp"' EXIT
tries=0
until "$shop" stock list >/dev/null 2>&1; do
    tries=$((tries + 1))
    if [ "$tries" -gt 100 ] || ! kill -0 "$serve_pid" 2>/dev/null; then
        echo "Bail out! shop up --only inventory,reporting did not answer"; sed 's/^/# /' "$tap_tmp/serve.log"; exit 1
    fi
    sleep 0.1
done

expect_exit 0 "stock list of nothing" "$shop" stock list
check "it says nothing was received yet" contains "$out" "No stock recorded yet"
expect_exit 0 "stock list --json of nothing is an empty array" "$shop" --json stock list
check "an empty array" [ "$(printf '%s' "$out" | tr -d ' \n\t')" = "[]" ]

expect_exit 0 "stock receive abc-1 10" "$shop" stock receive abc-1 10
check "it shows the SKU upper-cased with 10 on hand" contains "$out" "ABC-1"
check "10 on hand" contains "$out" "on hand     10"
expect_exit 0 "stock receive --json" "$shop" stock receive ABC-1 5 --json
check "--json has on_hand 15" contains "$(printf '%s' "$out" | tr -d ' \n\t')" '"on_hand":15'
check "--json has the four keys" sh -c 'for k in sku on_hand reserved available; do
    printf "%s" "$1" | grep -q "\"$k\":" || exit 1; done' _ "$out"
expect_exit 0 "stock receive of another SKU" "$shop" stock receive AAA 1
# read_model_has SKU ON_HAND: Reporting's stock levels show it
read_model_has() {
    "$shop" --json stock show "$1" 2>/dev/null | tr -d ' \n\t' | grep -q "\"on_hand\":$2,"
}
both_received() { read_model_has ABC-1 15 && read_model_has AAA 1; }
check "the read model catches up with both receipts" eventually 10 both_received

expect_exit 0 "stock show ABC-1" "$shop" stock show abc-1
check "available 15" contains "$out" "available     15"
expect_exit 0 "stock show --json" "$shop" --json stock show ABC-1
check "--json available 15" contains "$(printf '%s' "$out" | tr -d ' \n\t')" '"available":15'
expect_exit 0 "stock list" "$shop" stock list
check "the list is by SKU" [ "$(printf '%s\n' "$out" | head -n 1 | cut -c1-3)" = "AAA" ]
expect_exit 0 "stock list --json" "$shop" stock list --json
check "the array holds both SKUs" [ "$(printf '%s' "$out" | grep -c '"sku":')" -eq 2 ]

expect_exit 1 "stock show of an unknown SKU is exit 1" "$shop" stock show NOPE
check "it says no stock is recorded, in one line" one_line "$err"
check "the line names the SKU" contains "$err" "no stock recorded for SKU NOPE"

expect_exit 2 "stock receive QTY 0 is exit 2" "$shop" stock receive ABC-1 0
check "the refusal names QTY" contains "$err" "QTY"
expect_exit 2 "stock receive QTY 1000 is exit 2" "$shop" stock receive ABC-1 1000
expect_exit 2 "stock receive QTY -1 is exit 2" "$shop" stock receive ABC-1 -1
expect_exit 2 "stock receive QTY 1.5 is exit 2" "$shop" stock receive ABC-1 1.5
expect_exit 2 "stock receive of a bad SKU is exit 2" "$shop" stock receive "a b" 1
check "the refusal names the SKU rule, in one line" contains "$err" "SKU must be"
check "one line" one_line "$err"
expect_exit 2 "stock receive without QTY is exit 2" "$shop" stock receive ABC-1
check "it names QTY" contains "$err" "QTY is missing"
expect_exit 2 "stock show without a SKU is exit 2" "$shop" stock show
check "it names SKU" contains "$err" "SKU is missing"
expect_exit 2 "stock list takes no argument" "$shop" stock list extra
expect_exit 0 "nothing was received by the refusals" "$shop" --json stock show ABC-1
check "still 15 on hand" contains "$(printf '%s' "$out" | tr -d ' \n\t')" '"on_hand":15'

kill "$serve_pid"
wait "$serve_pid" 2>/dev/null
expect_exit 3 "stock show once the service stopped is exit 3" "$shop" stock show ABC-1

done_testing
