#!/bin/sh
# tests/integration/cli_dlq_test.sh — `shop dlq list | show | replay | discard` on a real
# database of this test's own: dead letters are seeded with SQL as the context roles that
# write them (Ordering publishes to the bus, the Notifications consumer gives up on a
# message), and the operator's command line sees them through the row-level security,
# shows one with its bus message, replays one into messaging.retries (attempts 0, due now,
# in its stream's partition, still owned by the context's role so its consumer sees it),
# and discards one; with the exit codes of docs/cli.md and the --json shapes.
set -u
. "$top_srcdir/tests/support/tap.sh"
shop=$top_builddir/shop

use_own_database shop_cli_dlq_test
sql() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$db" -c "$1"; }
# the value of "key": "..." in a JSON document (good enough for our own output)
json_string() { printf '%s' "$1" | tr -d '\n' | sed -n "s/.*\"$2\":[[:space:]]*\"\([^\"]*\)\".*/\1/p"; }

order=0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90
placed=0190b000-0000-7000-8000-000000000001
confirmed=0190b000-0000-7000-8000-000000000002
price=0190b000-0000-7000-8000-000000000003

expect_exit 0 "shop db migrate" "$shop" db migrate
expect_exit 0 "no dead letters: dlq list is exit 0" "$shop" dlq list
check "it says there are none" contains "$out" "No dead letters"
expect_exit 0 "dlq list --json with none" "$shop" --json dlq list
check "is an empty array" [ "$(printf '%s' "$out" | tr -d ' \n\t')" = "[]" ]

# Ordering published two events of one order; the Notifications consumer (4 partitions)
# gave up on both.  Ordering's price-list consumer, which has no checkpoint here, gave up
# on a catalog event.
sql "SET ROLE shop_ordering;
     INSERT INTO messaging.bus (message_id, type, schema_version, source, stream, payload,
                                correlation_id, traceparent)
     VALUES ('$placed', 'ordering.OrderPlaced', 1, 'ordering', 'order-$order',
             '{\"order_id\": \"$order\", \"customer\": \"c-42\", \"lines\": [{\"sku\": \"MUG\", \"quantity\": 2}], \"total\": \"29.75 EUR\"}',
             '$order', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'),
            ('$confirmed', 'ordering.OrderConfirmed', 1, 'ordering', 'order-$order',
             '{\"order_id\": \"$order\"}', '$order', NULL)" >/dev/null
sql "SET ROLE shop_catalog;
     INSERT INTO messaging.bus (message_id, type, schema_version, source, stream, payload)
     VALUES ('$price', 'catalog.PriceChanged', 1, 'catalog', 'product-MUG',
             '{\"sku\": \"MUG\", \"price\": \"13.00 EUR\", \"catalog_version\": 2}')" >/dev/null
sql "SET ROLE shop_notifications;
     INSERT INTO messaging.subscriptions (subscriber, partition, partitions)
     SELECT 'notifications.order-outcomes', p, 4 FROM generate_series(0, 3) AS p;
     INSERT INTO messaging.dead_letters (subscriber, position, message_id, type, stream,
                                         attempts, last_error)
     SELECT 'notifications.order-outcomes', position, message_id, type, stream,
            5, 'notifications are down for maintenance'
       FROM messaging.bus WHERE source = 'ordering' ORDER BY position" >/dev/null
sql "SET ROLE shop_ordering;
     INSERT INTO messaging.dead_letters (subscriber, position, message_id, type, stream,
                                         attempts, last_error)
     SELECT 'ordering.price-list', position, message_id, type, stream, 1, 'price: bad money'
       FROM messaging.bus WHERE source = 'catalog'" >/dev/null
first=$(sql "SELECT id FROM messaging.dead_letters WHERE message_id = '$placed'")
second=$(sql "SELECT id FROM messaging.dead_letters WHERE message_id = '$confirmed'")
orphan=$(sql "SELECT id FROM messaging.dead_letters WHERE message_id = '$price'")
check "the seeded dead letters are there" [ -n "$first" ] && [ -n "$second" ] && [ -n "$orphan" ]
check "a context's role sees only its own dead letters (RLS)" \
    [ "$(sql "SET ROLE shop_notifications; SELECT count(*) FROM messaging.dead_letters")" = 2 ]

expect_exit 0 "dlq list" "$shop" dlq list
check "the operator sees every context's dead letters, and a header" \
    [ "$(printf '%s\n' "$out" | wc -l)" -eq 4 ]
check "a line names the subscriber, the type and the last error" \
    sh -c 'printf "%s\n" "$1" | grep "^ *$2 " | grep "notifications.order-outcomes" | grep "ordering.OrderPlaced" | grep -q "down for maintenance"' _ "$out" "$first"
expect_exit 0 "dlq list --json" "$shop" --json dlq list
check "--json: three dead letters" [ "$(printf '%s' "$out" | grep -c '"message_type":')" -eq 3 ]
for key in id subscriber message_type attempts last_error stream dead_at message_id; do
    check "--json: every dead letter has $key" [ "$(printf '%s' "$out" | grep -c "\"$key\":")" -eq 3 ]
done
check "--json: the id is a string of digits" contains "$out" "\"id\":	\"$first\""
check "--json: attempts is a number" contains "$out" '"attempts":	5'

expect_exit 0 "dlq show" "$shop" dlq show "$first"
check "it shows the subscriber" contains "$out" "notifications.order-outcomes"
check "it shows the message id" contains "$out" "$placed"
check "it shows the payload" contains "$out" '"customer":"c-42"'
check "it shows the correlation id" contains "$out" "correlation id  $order"
check "it shows the traceparent" contains "$out" "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
check "it shows who published it" contains "$out" "from            ordering, schema version 1"
expect_exit 0 "dlq show --json" "$shop" --json dlq show "$first"
check "--json: the payload is a JSON object" contains "$out" '"payload":	{'
check "--json: with the order id inside" contains "$out" "\"order_id\":	\"$order\""
check "--json: message_type" [ "$(json_string "$out" message_type)" = "ordering.OrderPlaced" ]
check "--json: correlation_id" [ "$(json_string "$out" correlation_id)" = "$order" ]
check "--json: source" [ "$(json_string "$out" source)" = "ordering" ]

expect_exit 1 "dlq show of an unknown id is exit 1" "$shop" dlq show 999999
check "it says no dead letter 999999, in one line" [ "$err" = "shop: no dead letter 999999" ]
expect_exit 2 "dlq show of an id that is not a number is exit 2" "$shop" dlq show abc
check "the message names ID" contains "$err" "ID 'abc'"
check "in one line" one_line "$err"
expect_exit 2 "dlq replay of id 0 is exit 2" "$shop" dlq replay 0
expect_exit 2 "dlq discard without an id is exit 2" "$shop" dlq discard
check "it says ID is missing" contains "$err" "ID is missing"
expect_exit 2 "dlq list with an argument is exit 2" "$shop" dlq list 1
expect_exit 2 "dlq show with two ids is exit 2" "$shop" dlq show 1 2

# --- replay
partition=$(sql "SELECT (hashtext('order-$order') & 2147483647) % 4")
expect_exit 0 "dlq replay" "$shop" dlq replay "$first"
check "it says the message is due again, and where" \
    contains "$out" "Replayed dead letter $first: ordering.OrderPlaced $placed is due again for notifications.order-outcomes (partition $partition)"
check "the dead letter is gone" \
    [ "$(sql "SELECT count(*) FROM messaging.dead_letters WHERE id = $first")" = 0 ]
check "the consumer's role sees it in retries: attempts 0, due now, its stream's partition, same position" \
    [ "$(sql "SET ROLE shop_notifications;
              SELECT r.attempts || '|' || r.partition || '|' || (r.next_attempt_at <= now()) || '|'
                     || (r.position = b.position) || '|' || r.stream || '|' || r.owner
                FROM messaging.retries r JOIN messaging.bus b USING (message_id)
               WHERE r.subscriber = 'notifications.order-outcomes' AND r.message_id = '$placed'")" \
      = "0|$partition|true|true|order-$order|shop_notifications" ]
expect_exit 1 "replaying it again is exit 1: it is no dead letter any more" "$shop" dlq replay "$first"
check "it says no dead letter $first" contains "$err" "no dead letter $first"
expect_exit 0 "dlq replay --json" "$shop" --json dlq replay "$second"
check "--json: attempts 0" contains "$out" '"attempts":	0'
check "--json: the partition" contains "$out" "\"partition\":	$partition"
check "--json: the message" [ "$(json_string "$out" message_id)" = "$confirmed" ]
check "two messages of the stream wait in retries" \
    [ "$(sql "SELECT count(*) FROM messaging.retries WHERE stream = 'order-$order'")" = 2 ]
expect_exit 1 "replaying for a subscriber with no checkpoint is refused (exit 1)" \
    "$shop" dlq replay "$orphan"
check "it says why, in one line" one_line "$err"
check "naming the subscriber" contains "$err" "ordering.price-list has no checkpoint"
check "and the dead letter is kept (the transaction rolled back)" \
    [ "$(sql "SELECT count(*) FROM messaging.dead_letters WHERE id = $orphan")" = 1 ]
check "and nothing was parked for it" \
    [ "$(sql "SELECT count(*) FROM messaging.retries WHERE message_id = '$price'")" = 0 ]

# --- discard
expect_exit 0 "dlq discard --json" "$shop" --json dlq discard "$orphan"
check "--json: what was discarded" [ "$(json_string "$out" message_type)" = "catalog.PriceChanged" ]
check "--json: its subscriber" [ "$(json_string "$out" subscriber)" = "ordering.price-list" ]
check "it is gone" [ "$(sql "SELECT count(*) FROM messaging.dead_letters")" = 0 ]
check "the message stays on the bus" \
    [ "$(sql "SELECT count(*) FROM messaging.bus WHERE message_id = '$price'")" = 1 ]
expect_exit 1 "discarding it again is exit 1" "$shop" dlq discard "$orphan"
check "it says no dead letter $orphan" [ "$err" = "shop: no dead letter $orphan" ]
sql "SET ROLE shop_notifications;
     INSERT INTO messaging.dead_letters (subscriber, position, message_id, type, stream,
                                         attempts, last_error)
     SELECT 'notifications.order-outcomes', position, message_id, type, stream, 1,
            'payload: not a JSON object' FROM messaging.bus WHERE message_id = '$confirmed'" >/dev/null
again=$(sql "SELECT id FROM messaging.dead_letters")
expect_exit 0 "dlq discard" "$shop" dlq discard "$again"
check "it prints what was discarded" \
    contains "$out" "Discarded dead letter $again: ordering.OrderConfirmed $confirmed for notifications.order-outcomes after 1 attempts (last error: payload: not a JSON object)"
expect_exit 0 "dlq list after all that" "$shop" dlq list
check "none left" contains "$out" "No dead letters"

expect_exit 3 "a database that cannot be reached is exit 3" \
    "$shop" --db "host=127.0.0.1 port=1 connect_timeout=2" dlq list
check "in one line" one_line "$err"

done_testing
