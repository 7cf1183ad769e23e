#!/bin/sh
# tests/system/event_driven_test.sh — the event-driven backbone as a user meets it, end to
# end, on real processes, real ports and a real PostgreSQL database of its own
# (docs/patterns/event-driven.md):
#
#   shop catalog add / price  →  Catalog's outbox → relay → bus → Ordering's consumer
#   ordering.price-list → Ordering's replica (GET /prices/SKU on Ordering shows it)
#   → a new order costs the new price, with no call from Ordering to Catalog: Catalog's
#   request counters do not move while an order is placed, and with Catalog stopped an
#   order is still placed at the replica's price
#   → `shop trace` shows the price change published and handled by ordering.price-list,
#   and each order's OrderPlaced published and handled by notifications.order-outcomes
#   with its notification; one "received" notification per order, one "cancelled"
#   notification after `shop order cancel`; nothing dead-lettered.
#
# In both process layouts: `shop up --only ordering,inventory,reporting,notifications` (one process
# per service, then `--monolith`) with `shop serve catalog` beside it as a process of this
# test's own, so that Catalog alone can be stopped by its pid.  Workers LISTEN (NOTIFY on)
# and poll every SHOP_MESSAGING_POLL_MS=200.  Every wait has a deadline; nothing sleeps to
# "let things settle".
set -u
. "$top_srcdir/tests/support/tap.sh"
. "$top_srcdir/tests/support/http.sh"
shop=$top_builddir/shop
use_own_database shop_event_driven_test
base=$(api_base 5)
export SHOP_API_URL="http://127.0.0.1:$base"
export SHOP_MESSAGING_POLL_MS=200
unset SHOP_PRICE_LIST SHOP_MESSAGING_LISTEN SHOP_CRASH_POINT SHOP_CATALOG_URL \
    SHOP_ORDERING_URL SHOP_INVENTORY_URL SHOP_NOTIFICATIONS_URL
catalog_url="http://127.0.0.1:$((base + 1))"
ordering_url="http://127.0.0.1:$((base + 2))"
contexts=catalog,ordering,inventory,reporting,notifications

json_string() { printf '%s' "$1" | tr -d '\n' | sed -n "s/.*\"$2\":[[:space:]]*\"\([^\"]*\)\".*/\1/p"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# catalog_requests: the requests Catalog has answered, but for /health and /metrics.
catalog_requests() {
    http_get "$catalog_url/metrics" |
        awk '/^shop_http_requests_total/ && !/route="\/(health|metrics)"/ { n += $NF } END { print n + 0 }'
}

# trace_has ID TEXT...: `shop trace ID` prints every TEXT.
trace_has() {
    id=$1
    shift
    t=$("$shop" trace "$id" 2>/dev/null) || return 1
    for want in "$@"; do
        case $t in *"$want"*) ;; *) return 1 ;; esac
    done
}

# notified CUSTOMER TEXT COUNT: `shop notifications list --customer` has COUNT lines with TEXT.
notified() {
    [ "$("$shop" notifications list --customer "$1" 2>/dev/null | grep -c -F -- "$2")" = "$3" ]
}

up_pid="" catalog_pid=""
stop() { # PID-VARIABLE: SIGTERM, wait; the exit status in $stopped
    eval "p=\$$1"
    stopped=""
    if [ -n "$p" ]; then
        kill -TERM "$p" 2>/dev/null
        stopped=0
        wait "$p" || stopped=$?
        eval "$1=''"
    fi
}
trap 'stop catalog_pid; stop up_pid; dropdb --if-exists --force "$db" >/dev/null 2>&1;
      rm -rf "$tap_tmp"' EXIT

expect_exit 0 "shop db migrate (a fresh database)" "$shop" db migrate

scenario() { # LAYOUT SKU CUSTOMER [shop up options]
    layout=$1 sku=$2 customer=$3
    shift 3
    "$shop" up --only ordering,inventory,reporting,notifications "$@" >"$tap_tmp/up-$sku.log" 2>&1 &
    up_pid=$!
    "$shop" serve catalog >"$tap_tmp/catalog-$sku.log" 2>&1 &
    catalog_pid=$!
    eventually 20 "$shop" status --only "$contexts"
    expect_exit 0 "$layout: shop status says catalog, ordering, inventory, notifications are up" \
        "$shop" status --only "$contexts"

    # ---- a new product reaches Ordering's replica
    st=0
    http_get "$ordering_url/prices/$sku" >"$tap_tmp/price" || st=$?
    check "$layout: before it is added, Ordering's GET /prices/$sku is 404 unknown SKU" \
        sh -c '[ "$1" = 1 ] && grep -q "unknown SKU $2" "$3"' _ "$st" "$sku" "$tap_tmp/price"
    expect_exit 0 "$layout: shop catalog add $sku at 24.90" \
        "$shop" catalog add "$sku" --name "Desk lamp" --price 24.90
    check "$layout: it names the change's correlation id" contains "$out" "trace: shop trace "
    eventually 10 replica_has "$ordering_url" "$sku" "24.90 EUR" 1
    check "$layout: Ordering's GET /prices/$sku shows 24.90 EUR, catalog_version 1" \
        replica_has "$ordering_url" "$sku" "24.90 EUR" 1
    expect_exit 0 "$layout: shop stock receive $sku 5" "$shop" stock receive "$sku" 5

    # ---- a price change reaches it too
    started=$(now_ms)
    expect_exit 0 "$layout: shop catalog price $sku 19.90" "$shop" catalog price "$sku" 19.90
    change=$(printf '%s\n' "$out" | sed -n 's/^trace: shop trace //p')
    check "$layout: the price change names its correlation id" [ -n "$change" ]
    eventually 10 replica_has "$ordering_url" "$sku" "19.90 EUR" 2
    check "$layout: Ordering's replica shows 19.90 EUR, catalog_version 2" \
        replica_has "$ordering_url" "$sku" "19.90 EUR" 2
    echo "# $layout: the new price was in Ordering's replica $(($(now_ms) - started)) ms after shop catalog price"

    expect_exit 0 "$layout: shop trace of the price change" "$shop" trace "$change"
    check "$layout: the trace is the price change's correlation" contains "$out" "correlation $change"
    check "$layout: catalog.PriceChanged is on the bus" \
        sh -c 'printf "%s\n" "$1" | grep -q "catalog  *catalog.PriceChanged .*(bus #[0-9]*)"' _ "$out"
    check "$layout: handled by ordering.price-list" contains "$out" "handled by ordering.price-list at"

    # ---- a new order costs the new price, and Ordering asks Catalog nothing
    before=$(catalog_requests)
    expect_exit 0 "$layout: place an order of 2 × $sku" "$shop" --json order place \
        --customer "$customer" --line "$sku:2" --ship-to "1 Main St" --postcode 10115
    first=$(json_string "$out" order_id)
    check "$layout: Catalog answered no request while the order was placed" \
        [ "$(catalog_requests)" = "$before" ]
    # show reads Reporting's read model, which follows Ordering's events
    check "$layout: the read model gets the order" eventually 10 "$shop" order show "$first"
    expect_exit 0 "$layout: shop order show" "$shop" --json order show "$first"
    check "$layout: priced at the new price: 2 × 19.90 EUR = 39.80 EUR" sh -c '
        doc=$(printf "%s" "$1" | tr -d " \n\t")
        case $doc in *"\"unit_price\":\"19.90EUR\""*) ;; *) exit 1;; esac
        case $doc in *"\"total\":\"39.80EUR\""*) ;; *) exit 1;; esac' _ "$out"

    # ---- Catalog stopped: an order is still placed, at the replica's price
    stop catalog_pid
    check "$layout: shop serve catalog stops on SIGTERM (exit 0)" [ "$stopped" = 0 ]
    expect_exit 3 "$layout: Catalog is down (shop status --only catalog is exit 3)" \
        "$shop" status --only catalog
    expect_exit 0 "$layout: with Catalog down, an order is placed (exit 0)" "$shop" --json order place \
        --customer "$customer" --line "$sku:1" --ship-to "1 Main St" --postcode 10115
    second=$(json_string "$out" order_id)
    check "$layout: the read model gets the order" eventually 10 "$shop" order show "$second"
    expect_exit 0 "$layout: shop order show" "$shop" order show "$second"
    check "$layout: placed at 19.90 EUR" sh -c 'printf "%s\n" "$1" | grep -q "placed" &&
        printf "%s\n" "$1" | grep -q "19.90 EUR"' _ "$out"

    # ---- each order's OrderPlaced reaches Notifications, and the trace shows it
    for order in "$first" "$second"; do
        eventually 10 trace_has "$order" "handled by notifications.order-outcomes" \
            "order-placed" "Order $order received"
        expect_exit 0 "$layout: shop trace of order …$(echo "$order" | cut -c29-)" "$shop" trace "$order"
        check "$layout: OrderPlaced is published as ordering.OrderPlaced" \
            sh -c 'printf "%s\n" "$1" | grep -q "ordering  *OrderPlaced v1 .*published as ordering.OrderPlaced (bus #[0-9]*)"' _ "$out"
        check "$layout: handled by notifications.order-outcomes" \
            contains "$out" "handled by notifications.order-outcomes at"
        check "$layout: with its notification" \
            sh -c 'printf "%s\n" "$1" | grep -q "notifications  *order-placed  *\"Order $2 received"' _ "$out" "$order"
        check "$layout: exactly one \"received\" notification for the order" \
            notified "$customer" "Order $order received" 1
    done
    check "$layout: the customer has two \"received\" notifications in all" \
        notified "$customer" " received: " 2

    # ---- a cancellation: exactly one "cancelled" notification
    expect_exit 0 "$layout: shop order cancel" "$shop" order cancel "$second"
    eventually 10 notified "$customer" "Order $second cancelled" 1
    check "$layout: exactly one \"cancelled\" notification appears" \
        notified "$customer" "Order $second cancelled" 1
    check "$layout: and no other" notified "$customer" " cancelled: " 1
    check "$layout: the trace shows OrderCancelled handled and its notification" \
        trace_has "$second" "published as ordering.OrderCancelled" "order-cancelled"
    expect_exit 0 "$layout: shop dlq list" "$shop" dlq list
    check "$layout: nothing was dead-lettered" contains "$out" "No dead letters"

    stop up_pid
    check "$layout: shop up stops cleanly on SIGTERM (exit 0)" [ "$stopped" = 0 ]
    expect_exit 3 "$layout: then nothing answers (shop status is exit 3)" \
        "$shop" status --only "$contexts"
}

scenario "one process per service" LAMP-1 ann
scenario "modular monolith" LAMP-2 bob --monolith

done_testing
