#!/bin/sh
# tests/integration/cli_catalog_test.sh — the Catalog seen from the command line:
# `shop serve catalog` runs in the background on a database of this test's own, and
# `shop catalog add | price | list` talk to it over HTTP, with the exit statuses of
# docs/cli.md: 0 done, 1 refused or not found, 2 bad input, 3 the service is down.
set -u
. "$top_srcdir/tests/support/tap.sh"
shop=$top_builddir/shop

use_own_database shop_cli_catalog_test

# A base port of this test's own (the catalog listens at base + 1).
base=$(api_base 2)
export SHOP_API_URL="http://127.0.0.1:$base"
unset SHOP_CATALOG_URL

expect_exit 0 "shop db migrate" "$shop" db migrate

serve_log=$tap_tmp/serve.log
"$shop" serve catalog >"$serve_log" 2>&1 &
serve_pid=$!
trap 'kill "$serve_pid" 2>/dev/null; dropdb --if-exists --force "$db" >/dev/null 2>&1; rm -rf "$tap_tmp"' EXIT

# Wait for the service (at most about 5 s).
tries=0
until "$shop" catalog list >/dev/null 2>&1; do
    tries=$((tries + 1))
    if [ "$tries" -ge 50 ] || ! kill -0 "$serve_pid" 2>/dev/null; then
        echo "Bail out! shop serve catalog did not start: $(cat "$serve_log")"
        exit 1
    fi
    sleep 0.1
done

expect_exit 0 "an empty catalogue lists" "$shop" catalog list
check "it says there are no products yet" contains "$out" "No products yet"
expect_exit 0 "an empty catalogue lists as JSON" "$shop" --json catalog list
check "as an empty array" [ "$(printf '%s' "$out" | tr -d ' \n\t')" = "[]" ]

uuid_re='[0-9a-f]\{8\}-[0-9a-f]\{4\}-[0-9a-f]\{4\}-[0-9a-f]\{4\}-[0-9a-f]\{12\}'
json_string() { printf '%s' "$1" | tr -d '\n' | sed -n "s/.*\"$2\":[[:space:]]*\"\([^\"]*\)\".*/\1/p"; }
# trace_line OUTPUT: the change's second line, "trace: shop trace <correlation id>".
trace_line() { [ "$(printf '%s\n' "$1" | sed -n 2p | grep -c "^trace: shop trace $uuid_re\$")" = 1 ]; }
trace_id() { printf '%s\n' "$1" | sed -n 's/^trace: shop trace //p'; }

expect_exit 0 "catalog add" "$shop" catalog add abc-1 --name "Mug" --price 12.50
check "it says what was added, upper-cased, in EUR" contains "$out" 'Added ABC-1 "Mug" at 12.50 EUR'
check "its second line names the change's correlation id to trace" trace_line "$out"
check "and there are just the two lines" [ "$(printf '%s\n' "$out" | wc -l)" -eq 2 ]
add_id=$(trace_id "$out")
expect_exit 0 "catalog add --currency" "$shop" catalog add B-2 --name "Plate" --price 1200 --currency jpy
check "the price is in yen" contains "$out" "at 1200 JPY"
expect_exit 0 "catalog add --json" "$shop" --json catalog add A-3 --name "Café cup" --price 3
check "--json prints the product's sku" contains "$out" '"sku":	"A-3"'
check "--json prints the product's name" contains "$out" '"name":	"Café cup"'
check "--json prints the price as a string" contains "$out" '"price":	"3.00 EUR"'
check "--json prints the correlation id" \
    sh -c 'printf "%s" "$1" | grep -q "\"correlation_id\":	\"$2\""' _ "$out" "$uuid_re"
check "--json prints no trace line" [ "$(printf '%s' "$out" | grep -c 'trace:')" -eq 0 ]

expect_exit 0 "catalog list" "$shop" catalog list
check "the list has a header" contains "$out" "SKU"
check "the list has three products and the header" [ "$(printf '%s\n' "$out" | wc -l)" -eq 4 ]
check "the list is sorted by SKU" \
    [ "$(printf '%s\n' "$out" | sed 1d | awk '{print $1}' | tr '\n' ' ')" = "A-3 ABC-1 B-2 " ]
check "the list shows a price" contains "$out" "12.50 EUR"
expect_exit 0 "catalog list --json" "$shop" --json catalog list
check "--json is an array of three products" \
    [ "$(printf '%s' "$out" | grep -c '"sku":')" -eq 3 ]
check "--json products have sku, name and price" \
    sh -c 'printf "%s" "$1" | tr -d "\n\t" | grep -q "{\"sku\":\"A-3\",\"name\":\"Café cup\",\"price\":\"3.00 EUR\"}"' _ "$out"

expect_exit 0 "catalog price" "$shop" catalog price ABC-1 13.00
check "it says the new price" contains "$out" 'ABC-1 "Mug" now costs 13.00 EUR'
check "its second line names the change's correlation id to trace" trace_line "$out"
price_id=$(trace_id "$out")
check "each change has a correlation id of its own" \
    sh -c '[ -n "$1" ] && [ -n "$2" ] && [ "$1" != "$2" ]' _ "$add_id" "$price_id"
expect_exit 0 "shop trace follows the id it printed" "$shop" trace "$price_id"
check "the trace is the price change" contains "$out" "PriceChanged"
expect_exit 0 "catalog price --json" "$shop" --json catalog price abc-1 13.5
check "--json prints the product with its new price" contains "$out" '"price":	"13.50 EUR"'
check "--json prints the change's correlation id" [ -n "$(json_string "$out" correlation_id)" ]
expect_exit 0 "the list shows the new price" "$shop" catalog list
check "13.50 EUR" contains "$out" "13.50 EUR"
expect_exit 0 "catalog price with the price it has already" "$shop" catalog price ABC-1 13.50
check "it says the price, and nothing to trace: nothing changed" \
    sh -c '[ "$(printf "%s\n" "$1" | wc -l)" = 1 ] && ! printf "%s" "$1" | grep -q "trace:"' _ "$out"

expect_exit 1 "adding a SKU that exists is exit 1" "$shop" catalog add ABC-1 --name "Other" --price 1
check "it says the product exists, in one line" one_line "$err"
check "the line names the product" contains "$err" "product ABC-1 already exists"
expect_exit 1 "a price for an unknown SKU is exit 1" "$shop" catalog price NOPE-1 1.00
check "it says unknown SKU" contains "$err" "unknown SKU NOPE-1"

expect_exit 2 "a price of 0 is exit 2" "$shop" catalog add C-1 --name "Cup" --price 0
check "it names the rule" contains "$err" "price must be above 0"
check "in one line" one_line "$err"
expect_exit 2 "a price with three decimals is exit 2" "$shop" catalog add C-1 --name "Cup" --price 1.005
check "it says EUR has 2 decimals" contains "$err" "EUR has 2 decimals"
expect_exit 2 "a price of one million is exit 2" "$shop" catalog price ABC-1 1000000
check "it says below 1000000.00 EUR" contains "$err" "below 1000000.00 EUR"
expect_exit 2 "a price that is not a number is exit 2" "$shop" catalog price ABC-1 cheap
expect_exit 2 "an unknown currency is exit 2" "$shop" catalog add C-1 --name "Cup" --price 1 --currency XYZ
check "it names the currency" contains "$err" 'unknown currency "XYZ"'
expect_exit 2 "a bad SKU is exit 2" "$shop" catalog add "C 1" --name "Cup" --price 1
check "it gives the SKU rule" contains "$err" "SKU must be 1-32 characters"
expect_exit 2 "a bad SKU in catalog price is exit 2" "$shop" catalog price "C/1" 1
expect_exit 2 "an empty name is exit 2" "$shop" catalog add C-1 --name "" --price 1
check "it gives the name rule" contains "$err" "name must be 1-100 characters"
expect_exit 2 "catalog add without a SKU is exit 2" "$shop" catalog add --name "Cup" --price 1
check "it names SKU" contains "$err" "SKU is missing"
expect_exit 2 "catalog add without --name is exit 2" "$shop" catalog add C-1 --price 1
check "it names --name" contains "$err" "--name is missing"
expect_exit 2 "catalog add without --price is exit 2" "$shop" catalog add C-1 --name "Cup"
check "it names --price" contains "$err" "--price is missing"
expect_exit 2 "catalog price without an amount is exit 2" "$shop" catalog price ABC-1
check "it names AMOUNT" contains "$err" "AMOUNT is missing"
expect_exit 2 "catalog list with an argument is exit 2" "$shop" catalog list extra

expect_exit 0 "nothing refused was stored" "$shop" --json catalog list
check "still three products" [ "$(printf '%s' "$out" | grep -c '"sku":')" -eq 3 ]

kill "$serve_pid"
wait "$serve_pid" 2>/dev/null
expect_exit 3 "with the service down, catalog list is exit 3" "$shop" catalog list
check "it says the catalog cannot be reached, in one line" one_line "$err"
check "it names the catalog" contains "$err" "catalog"
expect_exit 3 "with the service down, catalog add is exit 3" "$shop" catalog add D-1 --name "Dish" --price 1
expect_exit 3 "with the service down, catalog price is exit 3" "$shop" catalog price ABC-1 2

done_testing
