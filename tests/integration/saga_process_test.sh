#!/bin/sh
# tests/integration/saga_process_test.sh — the fulfilment saga in a real `shop serve
# ordering` process (its relay, its consumer "ordering.fulfilment"), killed by SIGKILL
# where it hurts most, on a database of its own.  The participants' replies are put on
# the bus as Inventory, Payments and Shipping publish them.
#
#   a. killed after handling OrderPlaced, before committing (consumer.after-handle): no
#      saga, no command; restarted, the saga starts once and ReserveStock is sent once.
#   b. killed after handling StockReserved, before committing: the saga is still where its
#      row says; restarted, it goes on from there, AuthorizePayment once.
#   c. killed by its relay between the bus insert and the commit (relay.after-publish):
#      the command is still in ordering.outbox, not on the bus; restarted, it is on the
#      bus once.
#   d. the rest of a happy order: confirmed, every command and event on the bus once.
# Conditions are waited for with a deadline, never with a fixed sleep.
set -u
. "$top_srcdir/tests/support/tap.sh"
shop=$top_builddir/shop

use_own_database shop_saga_process_test
export SHOP_API_URL="http://127.0.0.1:$(api_base 11)"
unset SHOP_ORDERING_URL SHOP_CATALOG_URL SHOP_PRICE_LIST SHOP_CRASH_POINT
export SHOP_MESSAGING_POLL_MS=100
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null;
      dropdb --if-exists --force "$db" >/dev/null 2>&1; rm -rf "$tap_tmp"' EXIT

sql() { psql -d "$db" -XAtq -v ON_ERROR_STOP=1 -c "$1"; }

# wait_for SECONDS SQL EXPECTED: true once SQL prints EXPECTED, false at the deadline.
wait_for() {
    deadline=$(($(date +%s) + $1))
    while [ "$(sql "$2")" != "$3" ]; do
        [ "$(date +%s)" -ge "$deadline" ] && return 1
        sleep 0.05
    done
    return 0
}

# serve LOG [CRASH_POINT]: `shop serve ordering` in the background, $pid; waits until it
# answers (at most 10 s).
serve() {
    if [ -n "${2:-}" ]; then
        SHOP_CRASH_POINT=$2 "$shop" serve ordering >"$tap_tmp/$1.log" 2>&1 &
    else
        "$shop" serve ordering >"$tap_tmp/$1.log" 2>&1 &
    fi
    pid=$!
    i=0
    while [ $i -lt 100 ]; do
        kill -0 "$pid" 2>/dev/null || return 0 # (it may already have died at its point)
        "$shop" status --only ordering >/dev/null 2>&1 && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}
stop() { kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; pid=; }
# died: waits (at most 20 s) for the server to die; true if it died by SIGKILL.
died() {
    i=0
    while kill -0 "$pid" 2>/dev/null && [ $i -lt 200 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    wait "$pid" 2>/dev/null
    st=$?
    pid=
    [ "$st" = 137 ]
}

# reply TYPE MEMBERS: a participant's reply about the order, on the bus.
reply() {
    sql "INSERT INTO messaging.bus (message_id, type, schema_version, source, stream, payload,
                                    correlation_id)
         VALUES (gen_random_uuid(), '$1', 1, split_part('$1', '.', 1), 'order-$order',
                 ('{\"order_id\": \"$order\", ' || '$2' || '}')::jsonb, '$order')"
}
on_bus() { sql "SELECT count(*) FROM messaging.bus WHERE type = 'ordering.$1'"; }
saga() { sql "SELECT state || ' v' || version FROM ordering.sagas WHERE order_id = '$order'"; }
when='"2024-06-10T06:13:20.000000Z"'

expect_exit 0 "shop db migrate" "$shop" db migrate
# Ordering's replica of Catalog's price, as its price-list consumer would keep it.
sql "INSERT INTO ordering.prices (sku, price_minor, currency, catalog_version, message_id)
     VALUES ('LAMP-1', 1245, 'EUR', 1, gen_random_uuid())"

# ---- a. killed before committing OrderPlaced's saga
serve a consumer.after-handle
check "shop serve ordering comes up" [ -n "$pid" ]
expect_exit 0 "an order is placed" "$shop" --json order place --customer c-42 --line LAMP-1:2 \
    --ship-to '1 Main Street' --postcode 10115 --card tok_visa
order=$(printf '%s' "$out" | tr -d '\n' | sed -n 's/.*"order_id":[[:space:]]*"\([^"]*\)".*/\1/p')
check "its id" [ -n "$order" ]
check "the service dies at consumer.after-handle" died
check "it said where it died" grep -q "crash point consumer.after-handle" "$tap_tmp/a.log"
check "no saga was committed" [ "$(sql 'SELECT count(*) FROM ordering.sagas')" = 0 ]
check "no command was queued" [ "$(sql 'SELECT count(*) FROM ordering.outbox')" = 0 ]
check "OrderPlaced is not in the saga's inbox" \
    [ "$(sql "SELECT count(*) FROM ordering.inbox WHERE subscriber = 'ordering.fulfilment'")" = 0 ]

serve a2
check "restarted, the saga starts" wait_for 20 \
    "SELECT state FROM ordering.sagas WHERE order_id = '$order'" reserving_stock
check "and ReserveStock reaches the bus" wait_for 20 \
    "SELECT count(*) FROM messaging.bus WHERE type = 'ordering.ReserveStock'" 1
check "the saga is at version 1" [ "$(saga)" = "reserving_stock v1" ]
stop

# ---- b. killed before committing StockReserved's step
serve b consumer.after-handle
reply inventory.StockReserved "\"lines\": [{\"sku\": \"LAMP-1\", \"quantity\": 2}], \"reserved_at\": $when"
check "the service dies handling StockReserved" died
check "the saga is where its row says" [ "$(saga)" = "reserving_stock v1" ]
check "no AuthorizePayment was queued" \
    [ "$(sql "SELECT count(*) FROM ordering.outbox WHERE type = 'ordering.AuthorizePayment'")" = 0 ]

# ---- c. ... and restarted with a relay that dies before committing what it published
serve c relay.after-publish
check "the saga goes on from its row" wait_for 20 \
    "SELECT state || ' v' || version FROM ordering.sagas" "authorizing_payment v2"
check "the relay dies at relay.after-publish" died
check "AuthorizePayment is still in the outbox" \
    [ "$(sql "SELECT count(*) FROM ordering.outbox WHERE type = 'ordering.AuthorizePayment'")" = 1 ]
check "and not on the bus" [ "$(on_bus AuthorizePayment)" = 0 ]
serve c2
check "restarted, AuthorizePayment reaches the bus" wait_for 20 \
    "SELECT count(*) FROM messaging.bus WHERE type = 'ordering.AuthorizePayment'" 1
check "with the card the order was placed with" [ "$(sql "SELECT payload->>'card' FROM messaging.bus
    WHERE type = 'ordering.AuthorizePayment'")" = tok_visa ]

# ---- d. the rest of the order
reply payments.PaymentAuthorized "\"payment_id\": \"$order\", \"amount\": \"24.90 EUR\", \"authorized_at\": $when"
check "it schedules the shipment" wait_for 20 "SELECT state FROM ordering.sagas" scheduling_shipment
reply shipping.ShipmentScheduled "\"scheduled_at\": $when"
check "it captures the payment" wait_for 20 "SELECT state FROM ordering.sagas" capturing_payment
reply payments.PaymentCaptured "\"payment_id\": \"$order\", \"amount\": \"24.90 EUR\", \"captured_at\": $when"
check "the saga confirms the order" wait_for 20 "SELECT state FROM ordering.sagas" confirmed
check "OrderConfirmed reaches the bus" wait_for 20 \
    "SELECT count(*) FROM messaging.bus WHERE type = 'ordering.OrderConfirmed'" 1
check "and CommitReservation" wait_for 20 \
    "SELECT count(*) FROM messaging.bus WHERE type = 'ordering.CommitReservation'" 1
expect_exit 0 "shop order history (the event store itself; Reporting is not running here)" \
    "$shop" order history "$order"
check "the order's events fold to confirmed" contains "$out" "Now: confirmed at version 2"
stop
check "nothing Ordering published is on the bus twice" [ "$(sql "SELECT count(*) FROM (SELECT type
    FROM messaging.bus WHERE source = 'ordering' GROUP BY type HAVING count(*) > 1) t")" = 0 ]
check "every command once, in the saga's order" [ "$(sql "SELECT string_agg(substr(type, 10), ','
    ORDER BY position) FROM messaging.bus WHERE source = 'ordering' AND type NOT LIKE 'ordering.Order%'")" \
    = "ReserveStock,AuthorizePayment,ScheduleShipment,CapturePayment,CommitReservation" ]
check "the order's events once each" [ "$(sql "SELECT string_agg(type, ',' ORDER BY stream_version)
    FROM ordering.events WHERE stream_id = 'order-$order'")" = "OrderPlaced,OrderConfirmed" ]
check "the outbox is empty" [ "$(sql 'SELECT count(*) FROM ordering.outbox')" = 0 ]

done_testing
