#!/bin/sh
# tests/system/outage_orders_test.sh — orders placed while the payment gateway is down
# wait, and complete once it is back (docs/patterns/circuit-breaker.md,
# docs/patterns/saga.md): the circuit breaker and the saga together, on real processes.
#
#   `shop up` runs every service but the gateway; `shop serve payment-gateway
#   --outage 2:12` runs beside it, down from 2 s to 12 s after it starts.  Orders placed in
#   the outage reach Payments as AuthorizePayment commands; the calls fail, the breaker
#   OPENs within its window (4 calls), and while it is open the commands wait in
#   Payments' retries without a request to the gateway.  No order is cancelled because a
#   dependency blinked: the saga's deadline (30 s) is longer than the outage.  After the
#   outage the breaker goes HALF_OPEN, then CLOSED after its probes; every order is
#   confirmed, and the gateway's ledger shows each charged once and captured once.
# Every wait is for a condition, with a deadline.
set -u
. "$top_srcdir/tests/support/tap.sh"
. "$top_srcdir/tests/support/http.sh"
shop=$top_builddir/shop
use_own_database shop_outage_orders_test
base=$(api_base 15)
export SHOP_API_URL="http://127.0.0.1:$base"
export SHOP_MESSAGING_POLL_MS=200
unset SHOP_PRICE_LIST SHOP_MESSAGING_LISTEN SHOP_CRASH_POINT SHOP_CATALOG_URL \
    SHOP_ORDERING_URL SHOP_INVENTORY_URL SHOP_NOTIFICATIONS_URL SHOP_PAYMENTS_URL \
    SHOP_SHIPPING_URL SHOP_REPORTING_URL SHOP_PAYMENT_GATEWAY_URL SHOP_CARRIER_URL \
    SHOP_SAGA_STEP_TIMEOUT_MS SHOP_SAGA_COMPENSATION_TIMEOUT_MS SHOP_SAGA_COMPENSATION_ATTEMPTS
ordering_url="http://127.0.0.1:$((base + 2))"
gateway=http://127.0.0.1:$((base + 8))
export SHOP_BREAKER_PAYMENT_GATEWAY_WINDOW=4 SHOP_BREAKER_PAYMENT_GATEWAY_MINIMUM_CALLS=4
export SHOP_BREAKER_PAYMENT_GATEWAY_FAILURE_RATE=50 SHOP_BREAKER_PAYMENT_GATEWAY_WAIT_MS=1000
export SHOP_BREAKER_PAYMENT_GATEWAY_HALF_OPEN_CALLS=2

sql() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" -c "$1"; }
state() {
    "$shop" --json breaker status --only payments 2>/dev/null | tr -d ' \t\n' |
        sed -n 's/.*"name":"payment-gateway","state":"\([a-z_]*\)".*/\1/p'
}
state_is() { [ "$(state)" = "$1" ]; }
gateway_metric() { http_get "$gateway/metrics" | awk -v m="$1" '{ sub(/\{.*/, "", $1) } $1 == m { print $2 }'; }
in_outage() { http_get "$gateway/v1/charges/ch_none" | grep -q "outage"; }
outage_over() { http_get "$gateway/v1/charges/ch_none" | grep -q resource_missing; }
events() { sql "SELECT count(*) FROM ordering.events WHERE type = '$1'"; }

up_pid="" gateway_pid=""
trap 'kill -TERM $up_pid $gateway_pid 2>/dev/null; wait $up_pid $gateway_pid 2>/dev/null
      dropdb --if-exists --force "$db" >/dev/null 2>&1; rm -rf "$tap_tmp"' EXIT

expect_exit 0 "shop db migrate" "$shop" db migrate
everything_but_the_gateway=catalog,ordering,inventory,payments,shipping,reporting,notifications,carrier
"$shop" up --only "$everything_but_the_gateway" >"$tap_tmp/up.log" 2>&1 &
up_pid=$!
check "shop up: every service but the gateway answers" \
    eventually 60 "$shop" status --only "$everything_but_the_gateway"
expect_exit 0 "catalog add OUT-1" "$shop" catalog add OUT-1 --name "Umbrella" --price 15.00
expect_exit 0 "stock receive OUT-1 100" "$shop" stock receive OUT-1 100
check "Ordering knows the price" eventually 30 replica_has "$ordering_url" OUT-1 "15.00 EUR"

"$shop" serve payment-gateway --outage 2:12 >"$tap_tmp/gateway.log" 2>&1 &
gateway_pid=$!
check "the gateway starts" eventually 10 http_get "$gateway/health"
check "its outage begins" eventually 10 in_outage

orders=""
for n in 1 2 3 4 5 6; do
    id=$("$shop" order place --customer "rainy-$n" --line OUT-1:1 --ship-to "$n Wet Lane" \
        --postcode 12345 2>>"$tap_tmp/place.err") && orders="$orders $id"
done
check "six orders placed in the outage" [ "$(echo $orders | wc -w)" = 6 ]

check "the gateway's breaker opens" eventually 20 state_is open
check "while it is open, no order is cancelled" [ "$(events OrderCancelled)" = 0 ]
check "nor confirmed: they wait" [ "$(events OrderConfirmed)" = 0 ]
waiting_for_payment() {
    [ "$(sql "SELECT count(*) FROM ordering.sagas WHERE state = 'authorizing_payment'")" = 6 ]
}
check "their sagas wait at the payment step" eventually 10 waiting_for_payment
check "the outage ends" eventually 20 outage_over
confirmed_all() { [ "$(events OrderConfirmed)" = 6 ]; }
check "every order is confirmed after the outage" eventually 60 confirmed_all
check "the breaker is CLOSED again" eventually 10 state_is closed
check "no order was cancelled" [ "$(events OrderCancelled)" = 0 ]
check "the gateway charged each order once" [ "$(gateway_metric payment_gateway_charges_total)" = 6 ]
check "and captured each once" [ "$(gateway_metric payment_gateway_captures_total)" = 6 ]
check "Payments recorded one capture per order" \
    [ "$(sql "SELECT count(DISTINCT stream_id) || ':' || count(*) FROM payments.events
              WHERE type = 'PaymentCaptured'")" = 6:6 ]
check "nothing dead-lettered" [ "$(sql "SELECT count(*) FROM messaging.dead_letters")" = 0 ]
log=$(cat "$tap_tmp/up.log")
check "the log shows CLOSED -> OPEN" contains "$log" "circuit breaker payment-gateway: CLOSED -> OPEN"
check "then OPEN -> HALF_OPEN" contains "$log" "circuit breaker payment-gateway: OPEN -> HALF_OPEN"
check "then HALF_OPEN -> CLOSED" contains "$log" "circuit breaker payment-gateway: HALF_OPEN -> CLOSED"

done_testing
