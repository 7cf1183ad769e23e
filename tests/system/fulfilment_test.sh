#!/bin/sh
# tests/system/fulfilment_test.sh — the whole shop under load: 200 orders of mixed
# scenarios through `shop up` (one process per service), on real processes, real ports
# and a PostgreSQL database of its own (docs/patterns/saga.md, docs/patterns/cqrs.md).
#
# The orders, placed by `shop order place` from eight clients at once:
#   happy          tok_visa, a deliverable postcode           → confirmed (while stock lasts)
#   declined       tok_chargeDeclined                          → cancelled "payment declined"
#   undeliverable  postcode 00000                              → cancelled "undeliverable"
#   scarce         one unit of a SKU of which 20 were received → the first 20 confirmed,
#                                                                the rest "out of stock: SKU RARE-1"
# Then, when every order has its outcome (a deadline, never a fixed sleep), what a shop
# relies on, asked of each context's own tables:
#   - every order is confirmed or cancelled, each scenario with its outcome and reason;
#   - stock: on hand + shipped (the lines of confirmed orders) = received, for every SKU;
#     nothing is still reserved, and a reservation is held only for a live order;
#   - payments: exactly one capture per confirmed order, none for a cancelled one, and
#     every authorized payment of a cancelled order voided;
#   - shipping: one shipment per confirmed order;
#   - notifications: exactly one per customer-visible event (placed, and its outcome);
#   - every saga ended (confirmed or cancelled), none stuck; nothing dead-lettered;
#   - the read model (Reporting) agrees with the write side once it has caught up.
set -u
. "$top_srcdir/tests/support/tap.sh"
. "$top_srcdir/tests/support/http.sh"
shop=$top_builddir/shop
use_own_database shop_fulfilment_test
base=$(api_base 12)
export SHOP_API_URL="http://127.0.0.1:$base"
export SHOP_MESSAGING_POLL_MS=200
unset SHOP_PRICE_LIST SHOP_MESSAGING_LISTEN SHOP_CRASH_POINT SHOP_CATALOG_URL \
    SHOP_ORDERING_URL SHOP_INVENTORY_URL SHOP_NOTIFICATIONS_URL SHOP_PAYMENTS_URL \
    SHOP_SHIPPING_URL SHOP_REPORTING_URL SHOP_PAYMENT_GATEWAY_URL SHOP_CARRIER_URL \
    SHOP_SAGA_STEP_TIMEOUT_MS SHOP_SAGA_COMPENSATION_TIMEOUT_MS SHOP_SAGA_COMPENSATION_ATTEMPTS
ordering_url="http://127.0.0.1:$((base + 2))"

sql() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" -c "$1"; }

up_pid=""
trap 'if [ -n "$up_pid" ]; then kill -TERM "$up_pid" 2>/dev/null; wait "$up_pid"; fi
      dropdb --if-exists --force "$db" >/dev/null 2>&1; rm -rf "$tap_tmp"' EXIT

expect_exit 0 "shop db migrate (a fresh database)" "$shop" db migrate
"$shop" up >"$tap_tmp/up.log" 2>&1 &
up_pid=$!
check "shop up: every service answers" eventually 60 "$shop" status

# ------------------------------------------------------------------ the catalogue and stock
expect_exit 0 "catalog add MUG-1" "$shop" catalog add MUG-1 --name "Mug" --price 12.50
expect_exit 0 "catalog add TEE-1" "$shop" catalog add TEE-1 --name "T-shirt" --price 19.99
expect_exit 0 "catalog add RARE-1" "$shop" catalog add RARE-1 --name "Rare print" --price 99.00
expect_exit 0 "stock receive MUG-1 999" "$shop" stock receive MUG-1 999
expect_exit 0 "stock receive TEE-1 999" "$shop" stock receive TEE-1 999
expect_exit 0 "stock receive RARE-1 20" "$shop" stock receive RARE-1 20
# Ordering prices from its replica of the catalogue: wait until it knows every product.
knows_all_prices() {
    replica_has "$ordering_url" MUG-1 "12.50 EUR" && replica_has "$ordering_url" TEE-1 "19.99 EUR" &&
        replica_has "$ordering_url" RARE-1 "99.00 EUR"
}
check "Ordering's price list knows the three products" eventually 30 knows_all_prices

# ------------------------------------------------------------------ 200 orders
# scenario of order n (1..200): 1-40 scarce, then by n mod 5: 0,1,2 happy, 3 declined,
# 4 undeliverable.
scenario_of() {
    if [ "$1" -le 40 ]; then echo scarce; return; fi
    case $(($1 % 5)) in
    3) echo declined ;;
    4) echo undeliverable ;;
    *) echo happy ;;
    esac
}
place() { # N: places order N, appends "N SCENARIO ORDER_ID" to placed-N
    n=$1
    s=$(scenario_of "$n")
    card=tok_visa postcode=10115 lines="--line MUG-1:2 --line TEE-1:1"
    case $s in
    declined) card=tok_chargeDeclined ;;
    undeliverable) postcode=00000 ;;
    scarce) lines="--line RARE-1:1" ;;
    esac
    # shellcheck disable=SC2086
    id=$("$shop" order place --customer "customer-$((n % 17))" $lines \
        --ship-to "Street $n, Town" --postcode "$postcode" --card "$card" 2>"$tap_tmp/err-$n")
    echo "$n $s $id" >"$tap_tmp/placed-$n"
}
started=$(date +%s)
n=1
while [ "$n" -le 200 ]; do
    pids=""
    for k in 0 1 2 3 4 5 6 7; do
        place $((n + k)) &
        pids="$pids $!"
    done
    for p in $pids; do wait "$p"; done
    n=$((n + 8))
done
cat "$tap_tmp"/placed-* | sort -n >"$tap_tmp/placed"
placed=$(awk 'NF == 3' "$tap_tmp/placed" | wc -l)
check "200 orders placed, each with an id" [ "$placed" = 200 ]
[ "$placed" = 200 ] || { cat "$tap_tmp"/err-* >&2; }

# ------------------------------------------------------------------ every outcome
settled() {
    [ "$(sql "SELECT count(DISTINCT stream_id) FROM ordering.events
              WHERE type IN ('OrderConfirmed', 'OrderCancelled')")" = 200 ]
}
check "every order is confirmed or cancelled within 240 s" eventually 240 settled
echo "# 200 orders settled in $(($(date +%s) - started)) s"

outcome() { # ORDER_ID → "confirmed" or "cancelled:REASON"
    sql "SELECT CASE type WHEN 'OrderConfirmed' THEN 'confirmed'
                ELSE 'cancelled:' || (data->>'reason') END
         FROM ordering.events WHERE stream_id = 'order-$1'
         AND type IN ('OrderConfirmed', 'OrderCancelled')"
}
wrong=0 scarce_confirmed=0 scarce_refused=0
while read -r n s id; do
    o=$(outcome "$id")
    case $s:$o in
    happy:confirmed | declined:"cancelled:payment declined" | \
        undeliverable:cancelled:undeliverable) ;;
    scarce:confirmed) scarce_confirmed=$((scarce_confirmed + 1)) ;;
    scarce:"cancelled:out of stock: SKU RARE-1") scarce_refused=$((scarce_refused + 1)) ;;
    *)
        wrong=$((wrong + 1))
        echo "# order $n ($s) $id: $o"
        ;;
    esac
done <"$tap_tmp/placed"
check "each scenario has its outcome and reason" [ "$wrong" = 0 ]
check "the 20 units of RARE-1 went to 20 orders, the other 20 were told it is out of stock" \
    [ "$scarce_confirmed:$scarce_refused" = 20:20 ]

# ------------------------------------------------------------------ stock adds up
# received (what this test received) = on hand + shipped (lines of confirmed orders)
shipped_sql="SELECT l->>'sku' AS sku, sum((l->>'quantity')::int) AS q
             FROM ordering.events e
             JOIN ordering.events p ON p.stream_id = e.stream_id AND p.type = 'OrderPlaced'
             CROSS JOIN LATERAL jsonb_array_elements(p.data->'lines') l
             WHERE e.type = 'OrderConfirmed' GROUP BY 1"
stock=$(sql "SELECT string_agg(s.sku || '=' || (s.on_hand + coalesce(sh.q, 0)), ' ' ORDER BY s.sku)
             FROM inventory.stock_items s LEFT JOIN ($shipped_sql) sh ON sh.sku = s.sku")
check "on hand + shipped = received for every SKU" \
    [ "$stock" = "MUG-1=999 RARE-1=20 TEE-1=999" ]
check "nothing is still reserved" [ "$(sql "SELECT sum(reserved) FROM inventory.stock_items")" = 0 ]
check "no reservation is held: every one committed (confirmed) or released (cancelled)" \
    [ "$(sql "SELECT count(*) FROM inventory.reservations WHERE status = 'reserved'")" = 0 ]
check "a committed reservation for each confirmed order, and only for those" \
    [ "$(sql "SELECT count(*) FROM inventory.reservations r
              JOIN ordering.events e ON e.stream_id = 'order-' || r.order_id
              WHERE r.status = 'committed' AND e.type = 'OrderConfirmed'")" = \
      "$(sql "SELECT count(*) FROM ordering.events WHERE type = 'OrderConfirmed'")" ]
check "no committed reservation of a cancelled order" \
    [ "$(sql "SELECT count(*) FROM inventory.reservations r
              JOIN ordering.events e ON e.stream_id = 'order-' || r.order_id
              WHERE r.status = 'committed' AND e.type = 'OrderCancelled'")" = 0 ]

# ------------------------------------------------------------------ payments
captures_of() { # TYPE (OrderConfirmed / OrderCancelled) → "orders:captures"
    sql "SELECT count(*) || ':' || coalesce(sum(c), 0) FROM (
           SELECT (SELECT count(*) FROM payments.events p
                   WHERE p.type = 'PaymentCaptured'
                     AND p.stream_id = 'payment-' || substr(e.stream_id, 7)) AS c
           FROM ordering.events e WHERE e.type = '$1') x"
}
confirmed=$(sql "SELECT count(*) FROM ordering.events WHERE type = 'OrderConfirmed'")
check "exactly one capture per confirmed order" [ "$(captures_of OrderConfirmed)" = "$confirmed:$confirmed" ]
check "exactly one capture per confirmed order (none twice)" \
    [ "$(sql "SELECT count(*) FROM (SELECT stream_id FROM payments.events
              WHERE type = 'PaymentCaptured' GROUP BY 1 HAVING count(*) > 1) x")" = 0 ]
check "no capture for a cancelled order" [ "$(captures_of OrderCancelled | cut -d: -f2)" = 0 ]
check "every authorized payment of a cancelled order is voided" \
    [ "$(sql "SELECT count(*) FROM ordering.events e
              JOIN payments.events a ON a.stream_id = 'payment-' || substr(e.stream_id, 7)
                                    AND a.type = 'PaymentAuthorized'
              WHERE e.type = 'OrderCancelled' AND NOT EXISTS (
                SELECT 1 FROM payments.events v WHERE v.stream_id = a.stream_id
                AND v.type = 'PaymentVoided')")" = 0 ]
check "one shipment scheduled per confirmed order" \
    [ "$(sql "SELECT count(*) FROM shipping.events WHERE type = 'ShipmentScheduled'
              AND stream_id IN (SELECT 'shipment-' || substr(stream_id, 7) FROM ordering.events
                                WHERE type = 'OrderConfirmed')")" = "$confirmed" ]

# ------------------------------------------------------------------ notifications, sagas
notified() {
    [ "$(sql "SELECT count(*) FROM notifications.notifications")" = 400 ]
}
check "one notification per customer-visible event: 200 placed + 200 outcomes" eventually 60 notified
check "no event notified twice" \
    [ "$(sql "SELECT count(*) FROM (SELECT order_id, kind FROM notifications.notifications
              GROUP BY 1, 2 HAVING count(*) > 1) x")" = 0 ]
check "every saga ended, none stuck" \
    [ "$(sql "SELECT count(*) FROM ordering.sagas WHERE state IN ('confirmed', 'cancelled')")" = 200 ]
check "nothing dead-lettered" [ "$(sql "SELECT count(*) FROM messaging.dead_letters")" = 0 ]

# ------------------------------------------------------------------ the read model
read_model_agrees() {
    [ "$(sql "SELECT count(*) FROM reporting.order_summaries s JOIN ordering.events e
              ON e.stream_id = 'order-' || s.order_id
              AND e.type = CASE s.status WHEN 'confirmed' THEN 'OrderConfirmed'
                                         WHEN 'cancelled' THEN 'OrderCancelled' END")" = 200 ]
}
check "the read model has every order with the write side's outcome" eventually 60 read_model_agrees

done_testing
