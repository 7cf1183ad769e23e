#!/bin/sh
# tests/integration/cli_projection_test.sh — `shop projection list | rebuild NAME` as an
# operator runs them, on a database of this test's own, with `shop serve reporting`
# running (its projector keeps the live read tables up to date meanwhile), and `shop
# report sales`, a client of that service.  Messages are put on messaging.bus with SQL,
# as the contexts' relays would.
#
# What an operator relies on: list shows each projection's checkpoint, lag and count, and
# the lag goes to 0 as the projector catches up; a rebuild ends with the same read model,
# swapped in, and plain progress lines when stderr is not a terminal; a rebuild killed
# half-way (SIGKILL at the crash point "projection.rebuild-batch") leaves the old tables
# serving, and the next rebuild drops its leftovers; an unknown name is exit 1 listing
# the names; no database is exit 3.
set -u
. "$top_srcdir/tests/support/tap.sh"
. "$top_srcdir/tests/support/http.sh"
shop=$top_builddir/shop

use_own_database shop_cli_projection_test
export SHOP_API_URL="http://127.0.0.1:$(api_base 10)"
unset SHOP_REPORTING_URL
export SHOP_MESSAGING_POLL_MS=200
serve_pid=
trap '[ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null; wait 2>/dev/null;
      dropdb --if-exists --force "$db" >/dev/null 2>&1; rm -rf "$tap_tmp"' EXIT
sql() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$db" -c "$1"; }

# orders N: N orders placed, and every third one confirmed, on the bus
orders() {
    sql "INSERT INTO messaging.bus (message_id, type, schema_version, source, stream, payload)
         SELECT gen_random_uuid(), 'ordering.OrderPlaced', 1, 'ordering', 'order-' || id,
                jsonb_build_object('order_id', id, 'customer', 'c-' || (n % 5),
                  'ship_to', 'x', 'postcode', '1', 'total', '12.50 EUR',
                  'placed_at', '2024-06-10T06:13:20.000000Z',
                  'lines', jsonb_build_array(jsonb_build_object('sku', 'MUG-RED',
                    'quantity', 1, 'unit_price', '12.50 EUR', 'line_total', '12.50 EUR')))
           FROM (SELECT n, gen_random_uuid() AS id FROM generate_series(1, $1) AS n) o;
         INSERT INTO messaging.bus (message_id, type, schema_version, source, stream, payload)
         SELECT gen_random_uuid(), 'ordering.OrderConfirmed', 1, 'ordering', stream,
                jsonb_build_object('order_id', payload->>'order_id',
                                   'confirmed_at', '2024-06-10T07:00:00.000000Z')
           FROM messaging.bus WHERE type = 'ordering.OrderPlaced' AND position % 3 = 0
            AND NOT EXISTS (SELECT 1 FROM messaging.bus c WHERE c.stream = bus.stream
                             AND c.type = 'ordering.OrderConfirmed')"
}
lag_is_zero() { "$shop" --json projection list | tr -d ' \n\t' | grep -q '"name":"orders","checkpoint":{[^}]*},"lag":0,'; }
summaries() { sql "SELECT count(*) || ' ' || count(*) FILTER (WHERE status = 'confirmed')
                   FROM reporting.order_summaries"; }
leftovers() { sql "SELECT count(*) FROM pg_tables WHERE schemaname = 'reporting'
                   AND tablename LIKE '%\\_rebuild'"; }

expect_exit 0 "shop db migrate" "$shop" db migrate
expect_exit 0 "projection list on a new database" "$shop" projection list
check "it lists orders" contains "$out" "orders"
check "and stock-levels" contains "$out" "stock-levels"
check "and sales" contains "$out" "sales"
expect_exit 0 "projection list --json" "$shop" --json projection list
check "--json has name, checkpoint, lag, handled, updated_at" sh -c '
    doc=$(printf "%s" "$1" | tr -d " \n\t")
    for k in name checkpoint transaction_id position lag handled updated_at; do
        case $doc in *"\"$k\":"*) ;; *) exit 1 ;; esac
    done' _ "$out"

orders 300
expect_exit 0 "with nothing running, list shows the lag" "$shop" --json projection list
check "the orders projection is 400 messages behind" \
    sh -c 'printf "%s" "$1" | tr -d " \n\t" | grep -q "\"name\":\"orders\",\"checkpoint\":{[^}]*},\"lag\":400,"' _ "$out"

"$shop" serve reporting >"$tap_tmp/serve.log" 2>&1 &
serve_pid=$!
check "shop serve reporting catches up (lag 0)" eventually 20 lag_is_zero
check "the read model has every order" [ "$(summaries)" = "300 100" ]
sales_show() { "$shop" report sales --day 2024-06-10 2>/dev/null | grep -q "$1"; }
check "the sales read model counts the 100 confirmed orders" eventually 20 sales_show " 100 units"
expect_exit 0 "report sales --day" "$shop" report sales --day 2024-06-10
check "MUG-RED: 100 units, 1250.00 EUR, 100 orders" \
    sh -c 'printf "%s\n" "$1" | grep -q "^2024-06-10  MUG-RED  *100 units  *1250.00 EUR   100 orders$"' _ "$out"
expect_exit 0 "report sales --json" "$shop" --json report sales
check "--json gives revenue as money" contains "$out" '"revenue":	"1250.00 EUR"'
expect_exit 0 "report sales of a day with none" "$shop" report sales --day 2024-06-11
check "says so" contains "$out" "No sales on 2024-06-11"
expect_exit 2 "report sales --day tomorrow is exit 2" "$shop" report sales --day tomorrow
check "naming --day" contains "$err" "--day"
expect_exit 0 "projection list shows what it applied" "$shop" projection list
check "400 messages handled" sh -c 'printf "%s\n" "$1" | grep -q "^orders .* 400 "' _ "$out"

# ---- rebuild: the same read model, swapped in
before=$(sql "SELECT md5(string_agg(t::text, ';' ORDER BY t::text)) FROM reporting.order_summaries t")
expect_exit 0 "projection rebuild orders" "$shop" projection rebuild orders
check "it reports progress in plain lines (stderr is not a terminal)" \
    contains "$err" "orders: 400/400 messages"
check "and the swap" contains "$err" "swapped"
check "it says what it did" contains "$out" "Projection orders rebuilt: 400 messages applied"
after=$(sql "SELECT md5(string_agg(t::text, ';' ORDER BY t::text)) FROM reporting.order_summaries t")
check "the rebuilt table holds what the live one held" [ "$before" = "$after" ]
check "no half-built table is left" [ "$(leftovers)" = 0 ]
orders 30
check "the projector goes on, on the new table" eventually 20 lag_is_zero
check "with the new orders" [ "$(summaries)" = "330 110" ]
expect_exit 0 "projection rebuild --json" "$shop" --json projection rebuild sales
check "--json is the projection, rebuilt" sh -c '
    doc=$(printf "%s" "$1" | tr -d " \n\t")
    case $doc in *"\"name\":\"sales\""*"\"rebuilt_at\":\"20"*) ;; *) exit 1 ;; esac' _ "$out"

# ---- a rebuild killed half-way: the old table keeps serving
expect_exit 137 "a rebuild killed after its first batch dies (SIGKILL)" \
    env SHOP_CRASH_POINT=projection.rebuild-batch "$shop" projection rebuild orders
check "it leaves its half-built tables" [ "$(leftovers)" = 2 ]
check "the old table still holds every order" [ "$(summaries)" = "330 110" ]
orders 3
check "and the projector still updates it" eventually 20 lag_is_zero
check "with the new orders" [ "$(summaries)" = "333 111" ]
expect_exit 0 "the next rebuild succeeds" "$shop" projection rebuild orders
check "it dropped the leftovers" [ "$(leftovers)" = 0 ]
check "and the read model is whole" [ "$(summaries)" = "333 111" ]

# ---- refusals
expect_exit 1 "an unknown projection is exit 1" "$shop" projection rebuild nosuch
check "in one line" one_line "$err"
check "naming the projections there are" contains "$err" "orders, stock-levels, sales"
expect_exit 2 "rebuild without a name is exit 2" "$shop" projection rebuild
expect_exit 3 "no database is exit 3" \
    "$shop" --db "host=127.0.0.1 port=1 connect_timeout=2" projection list
expect_exit 3 "rebuild with no database is exit 3" \
    "$shop" --db "host=127.0.0.1 port=1 connect_timeout=2" projection rebuild orders

kill "$serve_pid"
wait "$serve_pid" 2>/dev/null
serve_pid=
done_testing
