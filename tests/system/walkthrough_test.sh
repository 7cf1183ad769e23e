#!/bin/sh
# tests/system/walkthrough_test.sh — what a new user does, in both process layouts:
# `shop db migrate`, `shop up` (one process per service, then `--monolith`), add
# products, receive stock, place an order and see it with `shop order show` and
# `shop order list`; bad input at the command line refused with the exit status of
# docs/cli.md and nothing recorded; then an orderly stop.  Real processes, real ports,
# a real PostgreSQL database of its own.  Ordering prices orders from its own replica of
# Catalog's prices (the default), fed by Catalog's events: after adding a product the
# user waits, with a deadline, until `GET /prices/SKU` on Ordering shows the price
# (docs/api/ordering.md) before placing an order.
set -u
. "$top_srcdir/tests/support/tap.sh"
. "$top_srcdir/tests/support/http.sh"
shop=$top_builddir/shop
use_own_database shop_walkthrough_test
base=$(api_base 3)
export SHOP_API_URL="http://127.0.0.1:$base"
unset SHOP_PRICE_LIST SHOP_ORDERING_URL
ordering_url="http://127.0.0.1:$((base + 2))"

json_string() { printf '%s' "$1" | tr -d '\n' | sed -n "s/.*\"$2\":[[:space:]]*\"\([^\"]*\)\".*/\1/p"; }
events() { psql -d "$db" -qAtc "SELECT count(*) FROM ordering.events"; }

expect_exit 0 "shop db migrate" "$shop" db migrate

up_pid=""
stop_up() {
    if [ -n "$up_pid" ]; then
        kill -TERM "$up_pid" 2>/dev/null
        wait "$up_pid"
        up_status=$?
        up_pid=""
    fi
}
trap 'stop_up; dropdb --if-exists --force "$db" >/dev/null 2>&1; rm -rf "$tap_tmp"' EXIT

walk() { # LAYOUT-NAME SKU [shop up options]
    layout=$1 sku=$2
    shift 2
    "$shop" up "$@" >"$tap_tmp/up-$layout.log" 2>&1 &
    up_pid=$!
    n=0
    until "$shop" status >/dev/null 2>&1 || [ $n -ge 200 ]; do sleep 0.1; n=$((n + 1)); done
    expect_exit 0 "$layout: shop status says every service is up" "$shop" status
    check "$layout: status lists catalog, ordering and the payment gateway" \
        sh -c 'contains() { case $1 in *"$2"*) return 0;; esac; return 1; };
               contains "$1" catalog && contains "$1" ordering && contains "$1" payment-gateway' _ "$out"

    expect_exit 0 "$layout: add a product" "$shop" catalog add "$sku" --name "Desk lamp" --price 24.90
    expect_exit 1 "$layout: adding it again is refused by a rule" \
        "$shop" catalog add "$sku" --name "Desk lamp" --price 24.90
    check "$layout: the refusal is one line naming the product" one_line "$err"
    expect_exit 2 "$layout: a price with three decimals is invalid input" \
        "$shop" catalog add "${sku}X" --name "Lamp" --price 24.905
    eventually 10 replica_has "$ordering_url" "$sku" "24.90 EUR"
    check "$layout: the price reaches Ordering (GET /prices/$sku shows 24.90 EUR)" \
        replica_has "$ordering_url" "$sku" "24.90 EUR"
    expect_exit 0 "$layout: receive stock" "$shop" stock receive "$sku" 5
    # stock show reads Reporting's read model, which follows Inventory's events
    check "$layout: the read model gets the receipt" eventually 10 "$shop" stock show "$sku"
    expect_exit 0 "$layout: show the stock" "$shop" --json stock show "$sku"
    check "$layout: 5 on hand, 5 available" \
        sh -c 'printf "%s" "$1" | tr -d " \n\t" | grep -q "\"on_hand\":5.*\"available\":5"' _ "$out"

    before=$(events)
    expect_exit 2 "$layout: a line with quantity 0 is invalid input" \
        "$shop" order place --customer walker --line "$sku:0" --ship-to "1 Main St" --postcode 10115
    expect_exit 1 "$layout: an unknown SKU is refused" \
        "$shop" order place --customer walker --line NOPE-1:1 --ship-to "1 Main St" --postcode 10115
    check "$layout: it says which SKU is unknown" contains "$err" "unknown SKU NOPE-1"
    expect_exit 2 "$layout: a postcode of spaces is invalid input" \
        "$shop" order place --customer walker --line "$sku:1" --ship-to "1 Main St" --postcode "   "
    check "$layout: refused orders record nothing" [ "$(events)" = "$before" ]

    # The fulfilment saga takes it from there: --wait waits for its outcome.
    expect_exit 0 "$layout: place an order (one SKU on two lines) and wait for it" "$shop" --json \
        order place --customer walker --line "$sku:2" --line "$sku:1" --ship-to "1 Main St" \
        --postcode 10115 --wait 60
    order=$(json_string "$out" order_id)
    check "$layout: it prints the order id" [ -n "$order" ]
    check "$layout: the saga confirms it" contains "$(printf '%s' "$out" | tr -d ' \n\t')" '"status":"confirmed"'
    # show and list read Reporting's read model, which follows Ordering's events
    check "$layout: the read model gets the order" eventually 10 "$shop" order show "$order"
    expect_exit 0 "$layout: shop order show" "$shop" order show "$order"
    check "$layout: the order is confirmed" contains "$out" "confirmed"
    check "$layout: the lines are merged and the total is exact" contains "$out" "74.70 EUR"
    expect_exit 0 "$layout: shop order show --json" "$shop" --json order show "$order"
    check "$layout: --json gives status, total and one merged line" sh -c '
        doc=$(printf "%s" "$1" | tr -d " \n\t")
        case $doc in *"\"status\":\"confirmed\""*"\"total\":\"74.70EUR\""*) ;; *) exit 1;; esac
        [ "$(printf "%s" "$doc" | grep -o "\"sku\":" | wc -l)" -eq 1 ]' _ "$out"
    expect_exit 0 "$layout: shop order list --customer" "$shop" order list --customer walker
    check "$layout: the list has the order" contains "$out" "$order"

    stop_up
    check "$layout: shop up stops cleanly on SIGTERM (exit 0)" [ "$up_status" = 0 ]
    expect_exit 3 "$layout: with the system stopped, domain commands say so (exit 3)" \
        "$shop" catalog list
}

walk "one process per service" LAMP-1
walk "modular monolith" LAMP-2 --monolith

done_testing
