#!/bin/sh
# tests/integration/cli_order_test.sh — `shop order place | show | list | cancel` as a user
# runs them: real processes (`shop serve ordering`, `shop serve catalog`) on ports of
# their own, a database of its own, and the exit statuses of docs/cli.md:
#   0 done, 1 refused or not found, 2 an argument is wrong (named), 3 a dependency is down.
# Catalog down is the case that matters most: placing exits 3, cleanly, and records nothing.
# `show` and `list` read Reporting's read model (`shop serve reporting`), which follows
# Ordering's events a moment behind: the test waits for it (never a fixed sleep), and
# drives `place --wait` by putting ordering.OrderConfirmed/OrderCancelled on the bus
# itself, as the fulfilment saga would.
# Catalog is started only after that, for the part that needs prices.  Ordering here asks
# Catalog for each price (SHOP_PRICE_LIST=catalog-http) on purpose: this test is about the
# command line meeting a service whose dependency is down (exit 3, one line, nothing
# recorded), and the HTTP price list is the configuration in which placing an order has
# one.  Its default, a replica fed by Catalog's events, is tested in order_api_test.c and
# price_list_subscription_test.c, and end to end in tests/system/event_driven_test.sh and
# walkthrough_test.sh.
set -u
. "$top_srcdir/tests/support/tap.sh"
. "$top_srcdir/tests/support/http.sh"
shop=$top_builddir/shop

use_own_database shop_cli_order_test
export SHOP_API_URL="http://127.0.0.1:$(api_base 1)"
unset SHOP_CATALOG_URL SHOP_ORDERING_URL SHOP_REPORTING_URL
export SHOP_PRICE_LIST=catalog-http
pids=
trap 'for p in $pids; do kill "$p" 2>/dev/null; done; wait 2>/dev/null;
      dropdb --if-exists --force "$db" >/dev/null 2>&1; rm -rf "$tap_tmp"' EXIT

json_string() { printf '%s' "$1" | tr -d '\n' | sed -n "s/.*\"$2\":[[:space:]]*\"\([^\"]*\)\".*/\1/p"; }
events() { psql -d "$db" -Atc 'SELECT count(*) FROM ordering.events'; }
# shows ORDER TEXT: `shop order show ORDER` (the read model) prints TEXT
shows() { "$shop" order show "$1" 2>&1 | grep -qF -- "$2"; }
# lists TEXT ARGS...: `shop order list ARGS` prints TEXT
lists() { t=$1; shift; "$shop" order list "$@" 2>&1 | grep -qF -- "$t"; }
# publish TYPE ORDER PAYLOAD: an integration event on the bus, as a relay would put it
publish() {
    psql -d "$db" -qAtc "INSERT INTO messaging.bus (message_id, type, schema_version, source,
        stream, payload) VALUES (gen_random_uuid(), '$1', 1, 'ordering', 'order-$2', '$3')"
}
# placed_id CUSTOMER: the id of the order CUSTOMER placed, once it is on the bus
placed_id() {
    psql -d "$db" -Atc "SELECT payload->>'order_id' FROM messaging.bus
        WHERE type = 'ordering.OrderPlaced' AND payload->>'customer' = '$1'"
}

# start NAME CHECK...: `shop serve NAME` in the background; waits until CHECK stops
# exiting 3 (nobody listening), at most 10 s.  Returns 1 if it did not come up.
start() {
    name=$1
    shift
    "$shop" serve "$name" >"$tap_tmp/$name.log" 2>&1 &
    pid=$!
    pids="$pids $pid"
    i=0
    while [ $i -lt 100 ]; do
        kill -0 "$pid" 2>/dev/null || return 1
        st=0
        "$@" >/dev/null 2>&1 || st=$?
        [ "$st" != 3 ] && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

expect_exit 0 "shop db migrate" "$shop" db migrate
unknown=01234567-89ab-7def-8123-456789abcdef
start ordering "$shop" order show $unknown --as-of 1
check "shop serve ordering comes up" [ $? = 0 ]
start reporting "$shop" order list
check "shop serve reporting comes up" [ $? = 0 ]

# ---- exit 2: arguments, named, nothing sent
expect_exit 2 "place without --customer is exit 2" \
    "$shop" order place --line MUG-RED:1 --ship-to 'x' --postcode 1
check "it names --customer" contains "$err" "--customer"
check "in one line" one_line "$err"
expect_exit 2 "--line without ':' is exit 2" \
    "$shop" order place --customer c --line MUG-RED --ship-to x --postcode 1
check "it names the --line" contains "$err" "--line MUG-RED"
expect_exit 2 "--line with quantity 0 is exit 2" \
    "$shop" order place --customer c --line MUG-RED:0 --ship-to x --postcode 1
check "it says what a quantity is" contains "$err" "1 to 999"
expect_exit 2 "--line with quantity 1000 is exit 2" \
    "$shop" order place --customer c --line MUG-RED:1000 --ship-to x --postcode 1
expect_exit 2 "--line with a bad SKU is exit 2" \
    "$shop" order place --customer c --line 'ab c:1' --ship-to x --postcode 1
expect_exit 2 "no --line is exit 2" "$shop" order place --customer c --ship-to x --postcode 1
expect_exit 2 "an all-space --ship-to is exit 2" \
    "$shop" order place --customer c --line MUG-RED:1 --ship-to '   ' --postcode 1
check "it names --ship-to" contains "$err" "--ship-to"
expect_exit 2 "a postcode too long is exit 2" \
    "$shop" order place --customer c --line MUG-RED:1 --ship-to x --postcode 12345678901
expect_exit 2 "--wait 0 is exit 2" \
    "$shop" order place --customer c --line MUG-RED:1 --ship-to x --postcode 1 --wait 0
check "it says what --wait takes" contains "$err" "--wait 0: seconds"
expect_exit 2 "--wait=soon is exit 2" \
    "$shop" order place --customer c --line MUG-RED:1 --ship-to x --postcode 1 --wait=soon
expect_exit 2 "a stray argument without --wait is exit 2" \
    "$shop" order place --customer c --line MUG-RED:1 --ship-to x --postcode 1 30
expect_exit 2 "show with a malformed id is exit 2" "$shop" order show not-an-id
expect_exit 2 "show without an id is exit 2" "$shop" order show
expect_exit 2 "show --as-of 0 is exit 2" \
    "$shop" order show 01234567-89ab-7def-8123-456789abcdef --as-of 0
expect_exit 2 "list --status lost is exit 2" "$shop" order list --status lost
check "it names the allowed statuses" contains "$err" "placed, confirmed or cancelled"
expect_exit 2 "cancel with a malformed id is exit 2" "$shop" order cancel 42
expect_exit 0 "--api after the command's own options reaches the service" \
    "$shop" order list --status placed --api "$SHOP_API_URL"

# ---- exit 1: not found
expect_exit 1 "show of an unknown order is exit 1" "$shop" order show $unknown
check "it says not found, in one line" one_line "$err"
check "naming the order" contains "$err" "order $unknown not found"
expect_exit 1 "cancel of an unknown order is exit 1" "$shop" order cancel $unknown

# ---- exit 3: Catalog down (not started yet), cleanly, nothing recorded
expect_exit 3 "place while Catalog is down is exit 3" \
    "$shop" order place --customer c-1 --line MUG-RED:1 --ship-to '1 Main St' --postcode 10115
check "it says Catalog is unavailable, in one line" one_line "$err"
check "the line names catalog" contains "$err" "catalog"
check "no order was recorded" [ "$(events)" = 0 ]
expect_exit 0 "list while Catalog is down works" "$shop" --json order list
check "and shows no order" [ "$(printf '%s' "$out" | tr -d ' \n')" = "[]" ]

# ---- with Catalog: place, show, list, cancel
start catalog "$shop" catalog list
check "shop serve catalog comes up" [ $? = 0 ]
expect_exit 0 "catalog add MUG-RED" "$shop" catalog add MUG-RED --name 'Red mug' --price 12.50
if [ "$status" = 0 ]; then
    expect_exit 0 "catalog add TEE-L" "$shop" catalog add TEE-L --name 'T-shirt L' --price 19.99
    expect_exit 0 "place an order" "$shop" order place --customer alice --line mug-red:2 \
        --line TEE-L:1 --line MUG-RED:1 --ship-to 'Müllerstraße 5, Berlin' --postcode 10115
    id=$out
    check "it prints the order id" [ ${#id} = 36 ]
    check "one event was recorded" [ "$(events)" = 1 ]

    expect_exit 0 "place --json" "$shop" --json order place --customer bob --line TEE-L:1 \
        --ship-to 'x' --postcode 1 --card tok_visa
    bob=$(json_string "$out" order_id)
    check "--json gives {order_id}" [ ${#bob} = 36 ]

    check "the read model gets the order" eventually 10 shows "$id" "placed"
    expect_exit 0 "show the order" "$shop" order show "$id"
    check "it is placed" contains "$out" "placed"
    check "the same SKU twice is one line of 3" contains "$out" "3 x"
    check "with the exact total" contains "$out" "57.49 EUR"
    expect_exit 0 "show --json" "$shop" --json order show "$id"
    check "--json has the status" contains "$out" '"status":	"placed"'
    check "--json has the total as a string" contains "$out" '"total":	"57.49 EUR"'

    expect_exit 1 "an unknown SKU is exit 1" "$shop" order place --customer c --line ABC:1 \
        --ship-to x --postcode 1
    check "it says unknown SKU ABC" contains "$err" "unknown SKU ABC"
    check "nothing more was recorded" [ "$(events)" = 2 ]

    check "the read model gets bob's order" eventually 10 lists "$bob" --customer bob
    expect_exit 0 "list alice's orders" "$shop" --json order list --customer alice
    check "it lists her order" contains "$out" "$id"
    check "and not bob's" sh -c '! printf "%s" "$1" | grep -q "$2"' _ "$out" "$bob"

    expect_exit 0 "cancel the order" "$shop" order cancel "$id" --reason 'changed my mind'
    check "the read model gets the cancellation" eventually 10 shows "$id" "cancelled"
    expect_exit 0 "show it cancelled" "$shop" order show "$id"
    check "it shows the reason" contains "$out" "changed my mind"
    expect_exit 0 "show --as-of 1 shows it placed" "$shop" order show "$id" --as-of 1
    check "as of version 1 it was placed" contains "$out" "status    placed"
    expect_exit 0 "list --status cancelled" "$shop" --json order list --status cancelled
    check "it lists the cancelled order" contains "$out" "$id"
    check "and not the placed one" sh -c '! printf "%s" "$1" | grep -q "$2"' _ "$out" "$bob"

    # ---- the read model behind: the orders projection held by a lock while bob's order
    # is confirmed on the bus
    psql -d "$db" -qAt -c "BEGIN" -c "SELECT 1 FROM reporting.projections
        WHERE name = 'orders' FOR UPDATE" -c "SELECT pg_sleep(30)" >/dev/null 2>&1 &
    holder=$!
    held() { [ "$(psql -d "$db" -Atc "SELECT count(*) FROM pg_stat_activity
        WHERE query = 'SELECT pg_sleep(30)' AND state = 'active'")" = 1 ]; }
    check "a session holds the orders projection" eventually 10 held
    publish ordering.OrderConfirmed "$bob" \
        "{\"order_id\": \"$bob\", \"confirmed_at\": \"2024-06-10T06:19:20.000000Z\"}"
    expect_exit 0 "show while the read model is behind" "$shop" order show "$bob"
    check "it says the read model is 1 message behind" contains "$out" "read model 1 message behind"
    check "and shows what it has: placed" contains "$out" "status    placed"
    expect_exit 0 "show --json has the lag" "$shop" --json order show "$bob"
    check "lag 1" contains "$out" '"lag":	1'
    psql -d "$db" -Atc "SELECT pg_cancel_backend(pid) FROM pg_stat_activity
        WHERE query = 'SELECT pg_sleep(30)'" >/dev/null
    wait "$holder" 2>/dev/null
    check "released, the read model catches up" eventually 10 shows "$bob" "confirmed"
    expect_exit 0 "show once it caught up" "$shop" order show "$bob"
    check "it says nothing about lag" sh -c '! printf "%s" "$1" | grep -q "behind"' _ "$out"

    # ---- place --wait: the outcome as the read model shows it
    "$shop" --json order place --customer wanda --line TEE-L:1 --ship-to x --postcode 1 \
        --wait 60 >"$tap_tmp/wait.out" 2>"$tap_tmp/wait.err" &
    waiter=$!
    check "wanda's order reaches the bus" eventually 10 placed_id wanda
    wanda=$(placed_id wanda)
    publish ordering.OrderConfirmed "$wanda" \
        "{\"order_id\": \"$wanda\", \"confirmed_at\": \"2024-06-10T06:19:20.000000Z\"}"
    st=0
    wait "$waiter" || st=$?
    out=$(cat "$tap_tmp/wait.out") err=$(cat "$tap_tmp/wait.err")
    check "place --wait ends with exit 0 when the order is confirmed" [ "$st" = 0 ]
    check "--json gives the order id" contains "$out" "\"order_id\":	\"$wanda\""
    check "and the status confirmed" contains "$out" '"status":	"confirmed"'

    "$shop" order place --customer xavier --line TEE-L:1 --ship-to x --postcode 1 --wait=60 \
        >"$tap_tmp/wait.out" 2>"$tap_tmp/wait.err" &
    waiter=$!
    check "xavier's order reaches the bus" eventually 10 placed_id xavier
    xavier=$(placed_id xavier)
    publish ordering.OrderCancelled "$xavier" "{\"order_id\": \"$xavier\",
        \"reason\": \"out of stock: SKU TEE-L\", \"cancelled_at\": \"2024-06-10T06:19:20.000000Z\"}"
    st=0
    wait "$waiter" || st=$?
    out=$(cat "$tap_tmp/wait.out") err=$(cat "$tap_tmp/wait.err")
    check "place --wait ends with exit 1 when the order is cancelled" [ "$st" = 1 ]
    check "it prints the id and the outcome" contains "$out" "$xavier
cancelled: out of stock: SKU TEE-L"
    check "the reason is the one line on stderr" one_line "$err"
    check "naming the rule" contains "$err" "cancelled: out of stock: SKU TEE-L"

    expect_exit 3 "place --wait 1 with no outcome is exit 3" \
        "$shop" order place --customer yvonne --line TEE-L:1 --ship-to x --postcode 1 --wait 1
    check "it says so in one line" one_line "$err"
    check "no outcome after 1 s: the order is still placed" \
        contains "$err" "no outcome after 1 s: the order is still placed"
    check "the id was printed" [ ${#out} = 36 ]
fi

# ---- exit 3: Ordering itself down
for p in $pids; do kill "$p" 2>/dev/null; done
wait 2>/dev/null
pids=
expect_exit 3 "show while Reporting is down is exit 3" "$shop" order show $unknown
check "in one line" one_line "$err"

done_testing
