#!/bin/sh
# tests/system/carrier_timeout_test.sh — a saga step that times out, and a compensation
# that fails and then recovers, on real processes (docs/patterns/saga.md).
#
#   `shop up` runs every service but the carrier; `shop serve carrier --outage 0:12`
#   beside it does not answer for its first 12 s.  The saga's step deadline is 2 s and a
#   compensation's first wait 1 s (SHOP_SAGA_STEP_TIMEOUT_MS, ..._COMPENSATION_TIMEOUT_MS).
#
#   An order reaches scheduling_shipment; Shipping's ScheduleShipment keeps failing (the
#   carrier does not answer) and waits in its retries.  After 2 s the saga gives up on the
#   step — "shipment scheduling timed out" — and compensates from the step itself:
#   CancelShipment.  That command waits behind the ScheduleShipment on the order's stream,
#   so the compensation gets no reply: it is sent again (attempt 2, 3, ...) with its wait
#   doubled.  When the carrier is back, the ScheduleShipment books the parcel (its late
#   reply changes nothing), the CancelShipment cancels that booking, and the saga goes on:
#   the payment voided, the stock released, the order cancelled with the reason.  The
#   carrier's ledger shows the booking cancelled; nothing is left reserved or authorized.
# Every wait is for a condition, with a deadline.
set -u
. "$top_srcdir/tests/support/tap.sh"
. "$top_srcdir/tests/support/http.sh"
shop=$top_builddir/shop
use_own_database shop_carrier_timeout_test
base=$(api_base 14)
export SHOP_API_URL="http://127.0.0.1:$base"
export SHOP_MESSAGING_POLL_MS=200
unset SHOP_PRICE_LIST SHOP_MESSAGING_LISTEN SHOP_CRASH_POINT SHOP_CATALOG_URL \
    SHOP_ORDERING_URL SHOP_INVENTORY_URL SHOP_NOTIFICATIONS_URL SHOP_PAYMENTS_URL \
    SHOP_SHIPPING_URL SHOP_REPORTING_URL SHOP_PAYMENT_GATEWAY_URL SHOP_CARRIER_URL
export SHOP_SAGA_STEP_TIMEOUT_MS=2000 SHOP_SAGA_COMPENSATION_TIMEOUT_MS=1000
export SHOP_SAGA_COMPENSATION_ATTEMPTS=8
ordering_url="http://127.0.0.1:$((base + 2))"
carrier=http://127.0.0.1:$((base + 9))

sql() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" -c "$1"; }
saga() { sql "SELECT state FROM ordering.sagas"; }
saga_is() { [ "$(saga)" = "$1" ]; }
carrier_metric() { http_get "$carrier/metrics" | awk -v m="$1" '{ sub(/\{.*/, "", $1) } $1 == m { n += $2 } END { print n + 0 }'; }

up_pid="" carrier_pid=""
trap 'kill -TERM $up_pid $carrier_pid 2>/dev/null; wait $up_pid $carrier_pid 2>/dev/null
      dropdb --if-exists --force "$db" >/dev/null 2>&1; rm -rf "$tap_tmp"' EXIT

expect_exit 0 "shop db migrate" "$shop" db migrate
everything_but_the_carrier=catalog,ordering,inventory,payments,shipping,reporting,notifications,payment-gateway
"$shop" up --only "$everything_but_the_carrier" >"$tap_tmp/up.log" 2>&1 &
up_pid=$!
check "shop up: every service but the carrier answers" \
    eventually 60 "$shop" status --only "$everything_but_the_carrier"
expect_exit 0 "catalog add SLOW-1" "$shop" catalog add SLOW-1 --name "Parcel" --price 20.00
expect_exit 0 "stock receive SLOW-1 3" "$shop" stock receive SLOW-1 3
check "Ordering knows the price" eventually 30 replica_has "$ordering_url" SLOW-1 "20.00 EUR"

"$shop" serve carrier --outage 0:12 >"$tap_tmp/carrier.log" 2>&1 &
carrier_pid=$!
check "the carrier starts, not answering" eventually 10 http_get "$carrier/health"

order=$("$shop" order place --customer patient --line SLOW-1:2 --ship-to "9 Far Road" \
    --postcode 12345 2>"$tap_tmp/place.err")
check "an order placed" [ -n "$order" ]
check "the saga reaches the shipment step" eventually 20 saga_is scheduling_shipment
check "its deadline passes: it compensates from the step itself" eventually 20 saga_is cancelling_shipment
expect_exit 0 "shop saga show" "$shop" saga show "$order"
check "the saga says why" contains "$out" "shipment scheduling timed out"
attempt_2() { "$shop" saga show "$order" 2>/dev/null | grep -q "attempt 2"; }
check "CancelShipment gets no reply while the carrier is away: it is sent again" eventually 20 attempt_2
check "the order is still placed meanwhile" \
    [ "$(sql "SELECT count(*) FROM ordering.events WHERE type = 'OrderCancelled'")" = 0 ]

cancelled() { [ "$(sql "SELECT count(*) FROM ordering.events WHERE type = 'OrderCancelled'")" = 1 ]; }
check "once the carrier is back the compensation goes on, to the order cancelled" eventually 60 cancelled
check "cancelled with the step's reason" \
    [ "$(sql "SELECT data->>'reason' FROM ordering.events WHERE type = 'OrderCancelled'")" = \
      "shipment scheduling timed out" ]
check "the saga ended cancelled" saga_is cancelled
check "the late booking was cancelled with the carrier" \
    [ "$(sql "SELECT string_agg(type, ',' ORDER BY global_position) FROM shipping.events")" = \
      "ShipmentScheduled,ShipmentCancelled" ]
check "the payment was voided, never captured" \
    [ "$(sql "SELECT string_agg(type, ',' ORDER BY global_position) FROM payments.events")" = \
      "PaymentAuthorized,PaymentVoided" ]
check "the stock is released: nothing reserved" \
    [ "$(sql "SELECT on_hand || '/' || reserved FROM inventory.stock_items WHERE sku = 'SLOW-1'")" = "3/0" ]
check "the saga's steps tell the story" sh -c '"$1" saga show "$2" | grep -q "shipment cancelled" &&
    "$1" saga show "$2" | grep -q "payment voided" && "$1" saga show "$2" | grep -q "stock released"' _ "$shop" "$order"
check "nothing dead-lettered" [ "$(sql "SELECT count(*) FROM messaging.dead_letters")" = 0 ]

done_testing
