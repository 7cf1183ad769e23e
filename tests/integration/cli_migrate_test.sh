#!/bin/sh
# tests/integration/cli_migrate_test.sh — `shop db migrate`, `shop db status` and
# `shop demo` as a user runs them, against the real PostgreSQL of ./scripts/test.
# Each run works in a database of its own, dropped at the end.
set -u
. "$top_srcdir/tests/support/tap.sh"
shop=$top_builddir/shop

use_own_database shop_cli_test
# The demo runs the shop: `shop up` on this test's own ports.
export SHOP_API_URL="http://127.0.0.1:$(api_base 13)"
export SHOP_MESSAGING_POLL_MS=200
unset SHOP_PRICE_LIST SHOP_MESSAGING_LISTEN SHOP_CRASH_POINT SHOP_CATALOG_URL \
    SHOP_ORDERING_URL SHOP_INVENTORY_URL SHOP_NOTIFICATIONS_URL SHOP_PAYMENTS_URL \
    SHOP_SHIPPING_URL SHOP_REPORTING_URL SHOP_PAYMENT_GATEWAY_URL SHOP_CARRIER_URL

# The newest shipped migration's version, and the next one for the migrations made below:
# shipping a migration does not change this test.
latest=$(ls "$SHOP_MIGRATIONS_DIR" | sed -n 's/^0*\([0-9][0-9]*\)_.*\.sql$/\1/p' | sort -n | tail -n 1)
next=$(printf '%04d' $((latest + 1)))

expect_exit 0 "migrating a new database succeeds" "$shop" db migrate
check "it says which migrations it applied" contains "$out" "applied 0001_contexts_schemas_and_roles"
check "it says where the database is now" contains "$out" "Database is at version $latest"

expect_exit 0 "migrating it again succeeds" "$shop" db migrate
check "the second run changes nothing and says so" contains "$out" "already at version $latest; nothing to migrate"

expect_exit 0 "migrate --json succeeds" "$shop" db migrate --json
check "migrate --json reports the version and an empty list of applied migrations" \
    sh -c 'printf "%s" "$1" | tr -d " \n\t" | grep -q "\"version_after\":$2,.*\"applied\":\[\]"' _ "$out" "$latest"

expect_exit 0 "db status succeeds" "$shop" db status
check "db status lists each context's role" contains "$out" "shop_notifications"
check "db status shows the applied migration" contains "$out" "0001_contexts_schemas_and_roles  "

expect_exit 0 "db status --json succeeds" "$shop" --json db status
check "db status --json has every context" \
    sh -c '[ "$(printf "%s" "$1" | grep -c "\"role\":")" -eq 7 ]' _ "$out"

# A migration edited after it was applied is refused, and nothing is applied.
edited=$tap_tmp/edited
mkdir "$edited"
cp "$SHOP_MIGRATIONS_DIR"/*.sql "$edited"/
echo "-- an afterthought" >>"$edited/0001_contexts_schemas_and_roles.sql"
printf 'CREATE TABLE public.must_not_exist (id int);\n' >"$edited/${next}_later.sql"
expect_exit 1 "an edited migration is refused with exit 1" env SHOP_MIGRATIONS_DIR="$edited" "$shop" db migrate
check "the refusal is one line naming the migration" one_line "$err"
check "the line says the migration was changed" contains "$err" "0001_contexts_schemas_and_roles was changed after it was applied"
run psql -d "$db" -Atc "SELECT count(*) FROM pg_tables WHERE tablename = 'must_not_exist'"
check "nothing after the refusal was applied" [ "$out" = 0 ]

# A failing migration: exit 1, one line, and no trace of its first statements.
broken=$tap_tmp/broken
mkdir "$broken"
cp "$SHOP_MIGRATIONS_DIR"/*.sql "$broken"/
printf 'CREATE TABLE public.half_done (id int);\nSELECT no_such_function();\n' >"$broken/${next}_broken.sql"
expect_exit 1 "a failing migration is exit 1" env SHOP_MIGRATIONS_DIR="$broken" "$shop" db migrate
check "the failure is one line" one_line "$err"
check "the failure names the migration and the server's reason" contains "$err" "migration ${next}_broken: function no_such_function() does not exist"
run psql -d "$db" -Atc "SELECT count(*) FROM pg_tables WHERE tablename = 'half_done'"
check "the failed migration left nothing half done" [ "$out" = 0 ]
run psql -d "$db" -Atc "SELECT max(version) FROM shop_meta.schema_migrations"
check "the database is still at version $latest" [ "$out" = "$latest" ]

expect_exit 0 "shop demo succeeds on a migrated database" "$shop" demo
check "the demo shows PostgreSQL refusing shop_ordering the payments schema" \
    contains "$out" "-> refused: permission denied for schema payments"
check "the demo shows the shared kernel computing money exactly" contains "$out" "12.50 EUR x 3              -> 37.50 EUR"
check "the demo shows a value object refusing a third decimal" contains "$out" 'refused: EUR has 2 decimals, got "12.505"'
check "the demo ends with the system's status" contains "$out" "every context is confined to its own data"
check "the demo starts the system itself when it is not running" \
    contains "$out" "not every service is up, so the demo starts them: shop up"
check "the demo's price change reaches Ordering's replica through the bus" \
    contains "$out" "catalog.PriceChanged went outbox -> relay -> bus -> consumer ordering.price-list"
check "the happy order is confirmed" \
    sh -c 'printf "%s" "$1" | grep -A1 "^   A happy order:" | grep -q "confirmed after"' _ "$out"
check "the order for more than there is is cancelled: out of stock" \
    contains "$out" 'cancelled: "out of stock: SKU DEMO-RARE"'
check "the declined card's order is cancelled: payment declined" \
    contains "$out" 'cancelled: "payment declined"'
check "the undeliverable order is cancelled: undeliverable" \
    contains "$out" 'cancelled: "undeliverable"'
check "each order is told in the saga's steps" contains "$out" "ms  stock reserved"
check "every outcome is the one the shop promises" \
    sh -c '! printf "%s" "$1" | grep -q "NOT WHAT THE SHOP PROMISES"' _ "$out"
check "the demo shows a confirmed order refusing to be cancelled" \
    contains "$out" "is confirmed and cannot be cancelled"
check "the demo traces the undeliverable order through its compensations" \
    sh -c 'printf "%s" "$1" | grep -q "ordering.VoidPayment" &&
           printf "%s" "$1" | grep -q "ordering.ReleaseReservation"' _ "$out"
check "the demo leaves nothing reserved" contains "$out" "0 unit(s) of its"
check "the demo stops the system it started" \
    contains "$out" "The demo stopped the system it started"
check "the demo ends with the system's status" \
    contains "$out" "every context is confined to its own data, and every order ended as the shop promises"
check "nothing the demo started is still listening" \
    sh -c '! "$1" status >/dev/null 2>&1' _ "$shop"
expect_exit 0 "shop demo --json succeeds (a second run, on the same database)" "$shop" demo --json
check "demo --json reports the system consistent" \
    sh -c 'printf "%s" "$1" | tr -d " \n\t" | grep -q "\"consistent\":true"' _ "$out"
check "demo --json gives the four orders with their outcomes" \
    sh -c 'printf "%s" "$1" | tr -d " \n\t" | grep -o "\"as_expected\":true" | wc -l | grep -qx 4' _ "$out"
check "a second demo changes the price back" \
    sh -c 'printf "%s" "$1" | tr -d " \n\t" | grep -q "\"price_after\":\"8.50EUR\""' _ "$out"
"$shop" up >"$tap_tmp/up.log" 2>&1 &
up_pid=$!
all_up() { i=0; until "$shop" status >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -gt 600 ] && return 1; sleep 0.1; done; }
check "(the test's own shop up is running)" all_up
expect_exit 0 "the demo runs on a system that is already up" "$shop" demo
check "it uses the running services" contains "$out" "every service already answers /health"
check "it does not stop what it did not start" all_up
kill -TERM "$up_pid" 2>/dev/null
wait "$up_pid"

# An upgrade from before Inventory published its receipts: the stock it holds is told
# once, as an opening balance, so that the read side starts from it.
old=$tap_tmp/before-0009
mkdir "$old"
for f in "$SHOP_MIGRATIONS_DIR"/000[1-8]_*.sql; do cp "$f" "$old"/; done
upgraded=${db}_upgrade
createdb "$upgraded"
expect_exit 0 "a database at version 8" env SHOP_MIGRATIONS_DIR="$old" "$shop" --db "dbname=$upgraded" db migrate
psql -d "$upgraded" -qc "INSERT INTO inventory.stock_items (sku, on_hand, reserved, version)
                         VALUES ('OLD-1', 7, 0, 1), ('OLD-2', 0, 0, 1)"
expect_exit 0 "upgraded to the latest version" "$shop" --db "dbname=$upgraded" db migrate
check "its stock is told once, as StockReceived with the units on hand" \
    [ "$(psql -d "$upgraded" -Atc "SELECT string_agg(payload->>'sku' || ':' || (payload->>'on_hand'), ',')
                                   FROM inventory.outbox WHERE type = 'inventory.StockReceived'")" = "OLD-1:7" ]
dropdb --force "$upgraded"

# A context that is not confined: the demo refuses, says which, and --json says so too.
psql -d "$db" -qc "GRANT USAGE ON SCHEMA payments TO shop_ordering"
expect_exit 1 "the demo refuses when a context can reach another's schema" "$shop" demo
check "the refusal is one line" one_line "$err"
check "it names the context" contains "$err" "the ordering context is not confined"
expect_exit 1 "demo --json refuses as well" "$shop" demo --json
check "demo --json still prints the document, consistent: false" \
    sh -c 'printf "%s" "$1" | tr -d " \n\t" | grep -q "\"consistent\":false"' _ "$out"
psql -d "$db" -qc "REVOKE USAGE ON SCHEMA payments FROM shop_ordering"

done_testing
