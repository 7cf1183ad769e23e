#!/bin/sh
# tests/integration/cli_notifications_test.sh — the Notifications context seen from the
# command line: `shop serve notifications` runs in the background on a database of this
# test's own, holding notifications written as its consumer writes them (as
# shop_notifications), and `shop notifications list` reads them over HTTP, with the exit
# statuses of docs/cli.md: 0 listed, 2 a filter that breaks its rule, 3 the service is down.
set -u
. "$top_srcdir/tests/support/tap.sh"
shop=$top_builddir/shop

use_own_database shop_cli_notifications_test
sql() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$db" -c "$1"; }

# A base port of this test's own (the service listens at base + 7).
base=$(api_base 6)
export SHOP_API_URL="http://127.0.0.1:$base"
unset SHOP_NOTIFICATIONS_URL

a=0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90
b=0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a91

expect_exit 0 "shop db migrate" "$shop" db migrate

serve_log=$tap_tmp/serve.log
"$shop" serve notifications >"$serve_log" 2>&1 &
serve_pid=$!
trap 'kill "$serve_pid" 2>/dev/null; dropdb --if-exists --force "$db" >/dev/null 2>&1; rm -rf "$tap_tmp"' EXIT

# Wait for the service (at most about 5 s).
tries=0
until "$shop" notifications list >/dev/null 2>&1; do
    tries=$((tries + 1))
    if [ "$tries" -ge 50 ] || ! kill -0 "$serve_pid" 2>/dev/null; then
        echo "Bail out! shop serve notifications did not start: $(cat "$serve_log")"
        exit 1
    fi
    sleep 0.1
done
check "it listens at SHOP_API_URL's port + 7" contains "$(cat "$serve_log")" "127.0.0.1:$((base + 7))"

expect_exit 0 "no notifications yet: exit 0" "$shop" notifications list
check "it says there are none yet" contains "$out" "No notifications yet"
expect_exit 0 "--json with none" "$shop" --json notifications list
check "is an empty array" [ "$(printf '%s' "$out" | tr -d ' \n\t')" = "[]" ]

sql "SET ROLE shop_notifications;
     INSERT INTO notifications.notifications (customer, order_id, kind, text, message_id)
     VALUES ('c-42', '$a', 'order-placed', 'Order $a received: 2 items, 29.75 EUR',
             '0190b000-0000-7000-8000-000000000001'),
            ('c 7', '$b', 'order-placed', 'Order $b received: 1 item, 5.00 EUR',
             '0190b000-0000-7000-8000-000000000002'),
            ('c-42', '$a', 'order-cancelled', 'Order $a cancelled: payment declined',
             '0190b000-0000-7000-8000-000000000003')" >/dev/null

expect_exit 0 "notifications list" "$shop" notifications list
check "three notifications, one a line" [ "$(printf '%s\n' "$out" | wc -l)" -eq 3 ]
check "newest first" sh -c 'printf "%s\n" "$1" | head -n 1 | grep -q "order-cancelled  c-42  Order $2 cancelled: payment declined"' _ "$out" "$a"
check "the oldest last" sh -c 'printf "%s\n" "$1" | tail -n 1 | grep -q "received: 2 items, 29.75 EUR"' _ "$out"
expect_exit 0 "notifications list --customer" "$shop" notifications list --customer c-42
check "only that customer's" [ "$(printf '%s\n' "$out" | grep -c "c-42")" -eq 2 ] && ! contains "$out" "c 7"
expect_exit 0 "a customer id with a space" "$shop" notifications list --customer "c 7"
check "is sent escaped and found" contains "$out" "Order $b received: 1 item, 5.00 EUR"
expect_exit 0 "notifications list --order --json" "$shop" --json notifications list --order "$b"
check "--json: one notification" [ "$(printf '%s' "$out" | grep -c '"kind":')" -eq 1 ]
for key in id customer order_id kind text recorded_at message_id; do
    check "--json: it has $key" contains "$out" "\"$key\":"
done
check "--json: its order" contains "$out" "\"order_id\":	\"$b\""
expect_exit 0 "--customer and --order together" "$shop" notifications list --customer c-42 --order "$b"
check "match nothing" contains "$out" "No notifications match"
expect_exit 0 "--limit 1" "$shop" notifications list --limit 1
check "one line" [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ]

expect_exit 2 "an order id that is not a UUID is exit 2" "$shop" notifications list --order 42
check "it names --order's field, in one line" one_line "$err"
check "the line names order" contains "$err" "order: "
expect_exit 2 "--limit 0 is exit 2" "$shop" notifications list --limit 0
check "it names limit" contains "$err" "limit: must be a whole number 1-1000"
expect_exit 2 "an empty customer is exit 2" "$shop" notifications list --customer ""
expect_exit 2 "an unknown option is exit 2" "$shop" notifications list --status x
expect_exit 2 "an argument is exit 2" "$shop" notifications list extra
expect_exit 0 "--help" "$shop" notifications list --help
check "it shows the options" contains "$out" "--customer ID"

kill "$serve_pid"
wait "$serve_pid" 2>/dev/null
expect_exit 3 "with the service down, notifications list is exit 3" "$shop" notifications list
check "it says the service cannot be reached, in one line" one_line "$err"
check "it names the service" contains "$err" "notifications"

done_testing
