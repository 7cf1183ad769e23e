#!/bin/sh
# tests/integration/cli_trace_test.sh — `shop trace CORRELATION_ID`: the causal tree of one
# order, read from every table that records its messages (docs/architecture.md §10).
#
# The records are written with SQL as the contexts would have written them — domain events
# of Ordering and Payments, their published form on the bus, a message on the bus with no
# domain event of its own, inbox rows of subscribers, a retry, a dead letter, a
# notification — for one order, with noise of another order beside them; and a catalog
# change with one message on the bus and one still in Catalog's outbox.  The tree must put
# each record under its cause, show the bus message on the event it publishes, leave the
# other order out, and keep to the exit statuses of docs/cli.md.  Then the same on a
# database where the later contexts' tables do not exist, and, end to end, an order placed
# through the Ordering service, traced by its id with the request's trace context.
set -u
. "$top_srcdir/tests/support/tap.sh"
shop=$top_builddir/shop

use_own_database shop_cli_trace_test
export SHOP_API_URL="http://127.0.0.1:$(api_base 7)"
unset SHOP_CATALOG_URL SHOP_ORDERING_URL
pids=
db2=${db}_bare
trap 'for p in $pids; do kill "$p" 2>/dev/null; done; wait 2>/dev/null;
      dropdb --if-exists --force "$db" >/dev/null 2>&1;
      dropdb --if-exists --force "$db2" >/dev/null 2>&1; rm -rf "$tap_tmp"' EXIT

sql() { psql -d "$db" -v ON_ERROR_STOP=1 -qAtc "$1"; }

expect_exit 0 "shop db migrate" "$shop" db migrate

order=0190a6f4-0000-7000-8000-00000000000a
other=0190a6f4-0000-7000-8000-00000000000b
tp=00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
placed=11111111-1111-7000-8000-000000000001      # OrderPlaced
authorized=22222222-2222-7000-8000-000000000002  # PaymentAuthorized, caused by OrderPlaced
confirmed=33333333-3333-7000-8000-000000000003   # OrderConfirmed, caused by the payment
reserved=44444444-4444-7000-8000-000000000004    # a bus message with no domain event here
orphan=55555555-5555-7000-8000-000000000005      # caused by a message nobody recorded
unknown_cause=0190a6f4-9999-7000-8000-000000000009
noise=66666666-6666-7000-8000-000000000006       # the other order's OrderPlaced

sql "
INSERT INTO ordering.events (stream_id, stream_version, type, schema_version, data, message_id,
                             correlation_id, causation_id, traceparent, recorded_at) VALUES
 ('order-$order', 1, 'OrderPlaced', 1, '{}', '$placed', '$order', NULL, '$tp',
  '2024-06-10 12:00:01.123+00'),
 ('order-$other', 1, 'OrderPlaced', 1, '{}', '$noise', '$other', NULL, NULL,
  '2024-06-10 12:00:01.500+00'),
 ('order-$order', 2, 'OrderConfirmed', 1, '{}', '$confirmed', '$order', '$authorized', '$tp',
  '2024-06-10 12:00:03.000+00');
INSERT INTO payments.events (stream_id, stream_version, type, schema_version, data, message_id,
                             correlation_id, causation_id, traceparent, recorded_at) VALUES
 ('payment-$order', 1, 'PaymentAuthorized', 1, '{}', '$authorized', '$order', '$placed', '$tp',
  '2024-06-10 12:00:02.000+00'),
 ('payment-$order', 2, 'PaymentCaptured', 1, '{}', '$orphan', '$order', '$unknown_cause', '$tp',
  '2024-06-10 12:00:04.000+00');
INSERT INTO messaging.bus (message_id, type, schema_version, source, stream, payload,
                           correlation_id, causation_id, traceparent, published_at) VALUES
 ('$placed', 'ordering.OrderPlaced', 1, 'ordering', 'order-$order', '{}', '$order', NULL, '$tp',
  '2024-06-10 12:00:01.130+00'),
 ('$noise', 'ordering.OrderPlaced', 1, 'ordering', 'order-$other', '{}', '$other', NULL, NULL,
  '2024-06-10 12:00:01.510+00'),
 ('$reserved', 'inventory.StockReserved', 1, 'inventory', 'order-$order', '{}', '$order',
  '$placed', '$tp', '2024-06-10 12:00:01.600+00'),
 ('$confirmed', 'ordering.OrderConfirmed', 1, 'ordering', 'order-$order', '{}', '$order',
  '$authorized', '$tp', '2024-06-10 12:00:03.010+00');
INSERT INTO notifications.inbox (subscriber, message_id, handled_at) VALUES
 ('order-outcomes', '$placed', '2024-06-10 12:00:01.140+00'),
 ('order-outcomes', '$noise', '2024-06-10 12:00:01.520+00');
INSERT INTO ordering.inbox (subscriber, message_id, handled_at) VALUES
 ('stock-replies', '$reserved', '2024-06-10 12:00:01.700+00');
INSERT INTO notifications.notifications (customer, order_id, kind, text, message_id,
                                         correlation_id, recorded_at) VALUES
 ('alice', '$order', 'order-placed', 'Order 0190a6f4 received: 2 items, 25.00 EUR',
  '$placed', '$order', '2024-06-10 12:00:01.140+00'),
 ('bob', '$other', 'order-placed', 'Order of bob received', '$noise', '$other',
  '2024-06-10 12:00:01.520+00');
INSERT INTO messaging.retries (subscriber, position, partition, stream, message_id, attempts,
                               next_attempt_at, last_error) VALUES
 ('notifications.order-outcomes', 4, 0, 'order-$order', '$confirmed', 2,
  '2024-06-10 12:00:05.000+00', 'notifications database is read-only');
INSERT INTO messaging.dead_letters (subscriber, position, message_id, type, stream, attempts,
                                    last_error, dead_at) VALUES
 ('reporting.orders', 4, '$confirmed', 'ordering.OrderConfirmed', 'order-$order', 5,
  'no such column: total', '2024-06-10 12:00:06.000+00');
" >/dev/null

expect_exit 0 "shop trace ORDER_ID" "$shop" trace "$order"
printf '%s\n' "$out" >"$tap_tmp/tree"
cat >"$tap_tmp/expected" <<TREE
order $order (trace 4bf92f35…)
├─ 12:00:01.123 ordering       OrderPlaced v1            msg …00000001  published as ordering.OrderPlaced (bus #1)
│  ├─ handled by notifications.order-outcomes at 12:00:01.140
│  ├─ 12:00:01.140 notifications  order-placed             "Order 0190a6f4 received: 2 items, 25.00 EUR"
│  ├─ 12:00:01.600 inventory      inventory.StockReserved   msg …00000004  (bus #3)
│  │  └─ handled by ordering.stock-replies at 12:00:01.700
│  └─ 12:00:02.000 payments       PaymentAuthorized v1      msg …00000002
│     └─ 12:00:03.000 ordering       OrderConfirmed v2         msg …00000003  published as ordering.OrderConfirmed (bus #4)
│        ├─ failed at notifications.order-outcomes (2 attempts: notifications database is read-only); next attempt at 12:00:05.000
│        └─ dead letter at reporting.orders after 5 attempts at 12:00:06.000: no such column: total
└─ 12:00:04.000 payments       PaymentCaptured v2        msg …00000005
TREE
check "the tree puts every record under its cause, oldest first" \
    diff -u "$tap_tmp/expected" "$tap_tmp/tree"
check "the other order's records are left out" \
    sh -c '! printf "%s" "$1" | grep -q "bob"' _ "$out"

expect_exit 0 "shop trace --json" "$shop" --json trace "$order"
json=$out
check "--json names the correlation id" contains "$json" "\"correlation_id\":	\"$order\""
check "--json gives the trace context of the oldest record" contains "$json" "\"traceparent\":	\"$tp\""
# cJSON indents with tabs: a node's keys at 3 tabs, its children's at 5, theirs at 7, ...
depth_of() { # depth_of TYPE: the depth of the node of that type in the --json tree
    printf '%s\n' "$json" | awk -v t="\"type\":	\"$1\"," '
        { line = $0; tabs = 0; while (substr(line, 1, 1) == "\t") { tabs++; line = substr(line, 2) } }
        line == t && tabs % 2 == 1 { print (tabs - 3) / 2; exit }'
}
check "--json: OrderPlaced is a root" [ "$(depth_of OrderPlaced)" = 0 ]
check "--json: the payment is a child of OrderPlaced" [ "$(depth_of PaymentAuthorized)" = 1 ]
check "--json: OrderConfirmed is a grandchild" [ "$(depth_of OrderConfirmed)" = 2 ]
check "--json: the notification is a child of OrderPlaced" [ "$(depth_of order-placed)" = 1 ]
check "--json: a record whose cause is unknown is a root" [ "$(depth_of PaymentCaptured)" = 0 ]
check "--json: the published form is on the event, not a node" \
    sh -c '[ "$(printf "%s" "$1" | grep -c "\"kind\":	\"message\"")" = 1 ]' _ "$json"
check "--json: the bus position of OrderPlaced" contains "$json" '"position":	1'
check "--json: who handled OrderPlaced" contains "$json" '"subscriber":	"notifications.order-outcomes",'
check "--json: the dead letter's error" contains "$json" '"last_error":	"no such column: total"'
flat=$(printf '%s' "$json" | tr -d '\t\n')
check "--json: each node has its message and causation ids" \
    contains "$flat" "\"message_id\":\"$authorized\",\"causation_id\":\"$placed\","
check "--json: a notification has no message id of its own; its cause is the message" \
    contains "$flat" "\"message_id\":null,\"causation_id\":\"$placed\",\"context\":\"notifications\""

expect_exit 1 "an id with nothing recorded is exit 1" \
    "$shop" trace 0190a6f4-0000-7000-8000-0000000000ff
check "it says so in one line" one_line "$err"
check "the line names the id" \
    contains "$err" "nothing recorded with correlation id 0190a6f4-0000-7000-8000-0000000000ff"
expect_exit 2 "a malformed id is exit 2" "$shop" trace not-an-order
check "the refusal names the argument" contains "$err" "CORRELATION_ID"
check "in one line" one_line "$err"
expect_exit 2 "no id is exit 2" "$shop" trace
expect_exit 3 "an unreachable database is exit 3" \
    "$shop" trace "$order" --db "host=127.0.0.1 port=1 connect_timeout=2"

# ---- a catalog change: its correlation is the command's; one price change is on the bus and
# handled by Ordering's price list, the next still in Catalog's outbox
change=77777777-0000-7000-8000-000000000007
published=88888888-8888-7000-8000-000000000008
pending=99999999-9999-7000-8000-000000000009
sql "
INSERT INTO messaging.bus (message_id, type, schema_version, source, stream, payload,
                           correlation_id, published_at) VALUES
 ('$published', 'catalog.PriceChanged', 1, 'catalog', 'product-LAMP-1', '{}', '$change',
  '2024-06-10 13:00:00.000+00');
INSERT INTO ordering.inbox (subscriber, message_id, handled_at) VALUES
 ('price-list', '$published', '2024-06-10 13:00:00.250+00');
INSERT INTO catalog.outbox (message_id, type, schema_version, stream, payload, correlation_id,
                            recorded_at) VALUES
 ('$pending', 'catalog.PriceChanged', 1, 'product-LAMP-1', '{}', '$change',
  '2024-06-10 13:00:01.000+00');
" >/dev/null
expect_exit 0 "shop trace of a catalog change" "$shop" trace "$change"
printf '%s\n' "$out" >"$tap_tmp/tree"
cat >"$tap_tmp/expected" <<TREE
correlation $change (no trace context)
├─ 13:00:00.000 catalog        catalog.PriceChanged      msg …00000008  (bus #5)
│  └─ handled by ordering.price-list at 13:00:00.250
└─ 13:00:01.000 catalog        catalog.PriceChanged      msg …00000009  (in the outbox, not yet on the bus)
TREE
check "a message on the bus and one still in the outbox, each a root" \
    diff -u "$tap_tmp/expected" "$tap_tmp/tree"
expect_exit 0 "shop trace --json of a catalog change" "$shop" --json trace "$change"
check "--json marks the message still in the outbox" \
    contains "$(printf '%s' "$out" | tr -d '\t\n')" "\"message_id\":\"$pending\",\"causation_id\":null,\"context\":\"catalog\",\"type\":\"catalog.PriceChanged\""
check "--json: in_outbox" contains "$out" '"in_outbox":	true'

# ---- a database where the later contexts' tables do not exist (yet)
createdb "$db2"
expect_exit 0 "a second database is migrated" "$shop" --db "dbname=$db2" db migrate
psql -d "$db2" -v ON_ERROR_STOP=1 -qc "
    DROP TABLE notifications.notifications, notifications.inbox, ordering.inbox,
               messaging.retries, messaging.dead_letters, messaging.bus, catalog.outbox CASCADE;
    DROP TABLE shipping.events CASCADE;
    INSERT INTO ordering.events (stream_id, stream_version, type, schema_version, data,
                                 message_id, correlation_id)
    VALUES ('order-$order', 1, 'OrderPlaced', 1, '{}', '$placed', '$order')" >/dev/null
expect_exit 0 "trace reads what exists and skips the tables that do not" \
    "$shop" --db "dbname=$db2" trace "$order"
check "it shows the event, without a trace context" \
    sh -c 'printf "%s" "$1" | head -1 | grep -q "(no trace context)" &&
           printf "%s" "$1" | grep -q "└─ .* ordering       OrderPlaced v1 "' _ "$out"

# ---- end to end: an order placed through the Ordering service
# Prices: Catalog has the product, and Ordering's own replica of prices holds the same, so
# the case does not depend on which of the two Ordering reads.
start() { # start NAME CHECK...: `shop serve NAME`, waiting (at most 10 s) until CHECK stops exiting 3
    name=$1
    shift
    "$shop" serve "$name" >"$tap_tmp/$name.log" 2>&1 &
    pid=$!
    pids="$pids $pid"
    i=0
    while [ $i -lt 100 ]; do
        kill -0 "$pid" 2>/dev/null || { sed "s/^/# $name: /" "$tap_tmp/$name.log"; return 1; }
        st=0
        "$@" >/dev/null 2>&1 || st=$?
        [ "$st" != 3 ] && return 0
        sleep 0.1
        i=$((i + 1))
    done
    sed "s/^/# $name: /" "$tap_tmp/$name.log"
    return 1
}
sql "INSERT INTO ordering.prices (sku, price_minor, currency, catalog_version, message_id)
     VALUES ('LAMP-1', 2490, 'EUR', 1, gen_random_uuid())" >/dev/null
start catalog "$shop" status --only catalog
check "shop serve catalog comes up" [ $? = 0 ]
start ordering "$shop" status --only ordering
check "shop serve ordering comes up" [ $? = 0 ]
expect_exit 0 "a product in the catalog" "$shop" catalog add LAMP-1 --name Lamp --price 24.90
expect_exit 0 "an order placed through the service" \
    "$shop" --json order place --customer alice --line LAMP-1:1 --ship-to 'Main Street 1' \
    --postcode 10115
placed_order=$(printf '%s' "$out" | tr -d '\n' | sed -n 's/.*"order_id":[[:space:]]*"\([^"]*\)".*/\1/p')
check "it has an id" [ -n "$placed_order" ]
expect_exit 0 "shop trace of that order" "$shop" trace "$placed_order"
check "the trace starts with the order and its trace context" \
    sh -c 'printf "%s" "$1" | head -1 | grep -Eq "^order $2 \(trace [0-9a-f]{8}…\)$"' _ "$out" "$placed_order"
check "it shows OrderPlaced as recorded by the service" contains "$out" "ordering       OrderPlaced v1"
recorded_tp=$(sql "SELECT traceparent FROM ordering.events WHERE correlation_id = '$placed_order'")
check "the event carries the trace context the service started" \
    sh -c 'printf "%s" "$1" | grep -Eq "^00-[0-9a-f]{32}-[0-9a-f]{16}-01$"' _ "$recorded_tp"
check "the service logged the event with its ids, on one line" \
    grep -q "^ordering: event OrderPlaced message_id=[0-9a-f-]* correlation_id=$placed_order causation_id=- traceparent=$recorded_tp\$" \
    "$tap_tmp/ordering.log"
done_testing
