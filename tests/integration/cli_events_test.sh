#!/bin/sh
# tests/integration/cli_events_test.sh — the event store seen from the command line:
# four orders' events, written to ordering.events as Ordering's event store writes them
# (one transaction per append, in the shapes of infrastructure/ordering/order_codec.c):
# one placed and confirmed, one placed and cancelled, two placed.  Then
# `shop order history` and `shop events tail` show them, and refuse bad input with the
# exit codes of docs/cli.md.  Runs in a database of its own, dropped at the end.
set -u
. "$top_srcdir/tests/support/tap.sh"
shop=$top_builddir/shop

use_own_database shop_cli_events_test

expect_exit 0 "a new database, migrated" "$shop" db migrate
order=0190a6f4-8d1e-7c3a-9b2f-000000000001
cancelled=0190a6f4-8d1e-7c3a-9b2f-000000000002
served=0190a6f4-8d1e-7c3a-9b2f-000000000003
replica_order=0190a6f4-8d1e-7c3a-9b2f-000000000004
append() { # ORDER VERSION TYPE DATA: one event, one transaction, as the event store appends
    psql -d "$db" -v ON_ERROR_STOP=1 -qAtc \
        "INSERT INTO ordering.events (stream_id, stream_version, type, schema_version, data,
                                      message_id, correlation_id)
         VALUES ('order-$1', $2, '$3', 1 + ('$3' = 'OrderPlaced')::int, '$4'::jsonb,
                 gen_random_uuid(), '$1')" >/dev/null
}
placed() { # ORDER: two lines of the same SKU merged, and another: 29.75 EUR
    append "$1" 1 OrderPlaced '{"order_id": "'"$1"'", "customer": "demo-customer",
        "ship_to": "1 Demo Street, Springfield", "postcode": "12345",
        "lines": [{"sku": "DEMO-MUG", "quantity": 3, "unit_price": "8.50 EUR", "line_total": "25.50 EUR"},
                  {"sku": "DEMO-TEA", "quantity": 1, "unit_price": "4.25 EUR", "line_total": "4.25 EUR"}],
        "total": "29.75 EUR", "placed_at_us": "1718000000000000"}'
}
placed "$order"
append "$order" 2 OrderConfirmed '{"order_id": "'"$order"'", "confirmed_at_us": "1718000001000000"}'
placed "$cancelled"
append "$cancelled" 2 OrderCancelled \
    '{"order_id": "'"$cancelled"'", "reason": "changed my mind", "cancelled_at_us": "1718000002000000"}'
placed "$served"
placed "$replica_order"
check "the four orders' six events are in the event store" \
    [ "$(psql -d "$db" -qAtc "SELECT count(*) FROM ordering.events")" = 6 ]

expect_exit 0 "order history of the confirmed order" "$shop" order history "$order"
check "history lists OrderPlaced as version 1" contains "$out" "v1 "
check "history lists OrderPlaced" contains "$out" "OrderPlaced"
check "history lists OrderConfirmed" contains "$out" "OrderConfirmed"
check "history shows the merged lines and the exact total" contains "$out" "2 lines, total 29.75 EUR"
check "history ends with the state the events fold to" contains "$out" "Now: confirmed at version 2"

expect_exit 0 "order history --as-of 1" "$shop" order history "$order" --as-of 1
check "as of version 1 the order was only placed" contains "$out" "Then: placed at version 1"
check "as of version 1 the confirmation is not shown" sh -c '! printf "%s" "$1" | grep -q OrderConfirmed' _ "$out"

expect_exit 1 "order history --as-of a time before the order is exit 1" \
    "$shop" order history "$order" --as-of 2000-01-01
check "it says the order had no events by then" contains "$err" "has no events as of 2000-01-01"
expect_exit 0 "order history of the cancelled order" "$shop" order history "$cancelled"
check "the cancelled order shows its reason" contains "$out" "reason: changed my mind"
check "the cancelled order folds to cancelled" contains "$out" "Now: cancelled at version 2"

expect_exit 0 "order history --json" "$shop" --json order history "$order"
check "history --json is an array of two events" \
    sh -c '[ "$(printf "%s" "$1" | grep -c "\"stream_version\":")" -eq 2 ]' _ "$out"
check "history --json gives data in today's schema, money as a string" \
    contains "$out" '"total":	"29.75 EUR"'
check "history --json carries the correlation id (the order)" contains "$out" "\"correlation_id\":	\"$order\""

unknown=01234567-89ab-7def-8123-456789abcdef
expect_exit 1 "history of an order that does not exist is exit 1" "$shop" order history $unknown
check "it says the order was not found, in one line" one_line "$err"
check "the line names the order" contains "$err" "order $unknown not found"
expect_exit 2 "a malformed order id is exit 2" "$shop" order history not-an-id
check "the refusal is one line naming the rule" contains "$err" "is not a UUID"
expect_exit 2 "a malformed --as-of is exit 2" "$shop" order history "$order" --as-of yesterday
check "the refusal says what a time looks like" contains "$err" "YYYY-MM-DD"
expect_exit 2 "--as-of 0 is exit 2" "$shop" order history "$order" --as-of 0
expect_exit 2 "history without an order id is exit 2" "$shop" order history

# The log is read gap-free: an event counts once every transaction older than its own has
# ended, in the whole cluster, where other tests run at the same time.  Wait until all of
# the fixture's do, so "the last N" are the fixture's last N.
all_settled() {
    [ "$(psql -d "$db" -qAtc "SELECT count(*) FROM ordering.events
                              WHERE transaction_id >= pg_snapshot_xmin(pg_current_snapshot())")" = 0 ]
}
settled_within() { # within SECONDS: all_settled
    i=0
    while [ $i -lt $(($1 * 10)) ]; do
        all_settled && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}
check "every event of the fixture is in the log, no older transaction running" settled_within 30
expect_exit 0 "events tail" "$shop" events tail
check "tail shows the fixture's events" contains "$out" "order-$order v2  OrderConfirmed"
check "tail shows the last 10 at most" sh -c '[ "$(printf "%s\n" "$1" | wc -l)" -le 10 ]' _ "$out"
expect_exit 0 "events tail --from 1 --json" "$shop" --json events tail --from 1
check "every event of the fixture is in the log (2 + 2 + 1 + 1)" \
    sh -c '[ "$(printf "%s" "$1" | grep -c "\"global_position\":")" -eq 6 ]' _ "$out"
expect_exit 0 "events tail --lines 1" "$shop" events tail --lines 1
check "--lines 1 shows one event" sh -c '[ "$(printf "%s\n" "$1" | wc -l)" -eq 1 ]' _ "$out"
check "--lines 1 shows the newest event: the last order placed" \
    contains "$out" "order-$replica_order v1  OrderPlaced"
expect_exit 0 "events tail --from 3" "$shop" events tail --from 3
# (positions come from a sequence: a refused append may leave a gap, never a reordering)
check "--from 3 shows the third to sixth events, from position 3 on" \
    sh -c '[ "$(printf "%s\n" "$1" | awk "\$1 >= 3 && \$1 > last { n++; last = \$1 } END { print n }")" = 4 ] &&
           [ "$(printf "%s\n" "$1" | head -1 | awk "{print \$1}")" = 3 ] &&
           [ "$(printf "%s\n" "$1" | wc -l)" = 4 ]' _ "$out"
expect_exit 0 "events tail --from a position after the end" "$shop" events tail --from 1000000
check "it prints no events" [ -z "$out" ]
expect_exit 2 "events tail --from abc is exit 2" "$shop" events tail --from abc
check "the refusal names the option" contains "$err" "--from"
expect_exit 2 "events tail --lines 0 is exit 2" "$shop" events tail --lines 0

# A damaged stream: history shows what it can, then says what the state leaves out (exit 1).
sql() { psql -d "$db" -v ON_ERROR_STOP=1 -qAtc "$1" >/dev/null; }
copy_event() { # copy_event FROM_STREAM FROM_VERSION TO_VERSION: into the confirmed order's stream
    sql "INSERT INTO ordering.events (stream_id, stream_version, type, schema_version, data)
         SELECT 'order-$order', $3, type, schema_version, data FROM ordering.events
          WHERE stream_id = '$1' AND stream_version = $2"
}
sql "INSERT INTO ordering.events (stream_id, stream_version, type, schema_version, data)
     VALUES ('order-$order', 3, 'OrderCancelled', 1, '{\"nonsense\": true}')"
expect_exit 1 "history of an order with an event that cannot be read is exit 1" \
    "$shop" order history "$order"
check "it still shows the history" contains "$out" "Now: confirmed at version 3"
check "it marks the damaged event" contains "$out" "(cannot be read:"
check "it ends saying the state leaves the event out, in one line" one_line "$err"
check "the line counts the event" \
    contains "$err" "1 event could not be read; the state above leaves it out"

copy_event "order-$cancelled" 2 4
copy_event "order-$order" 2 6
expect_exit 1 "history with an event of another order and a missing version is exit 1" \
    "$shop" order history "$order"
check "the state still ends at the last version" contains "$out" "Now: confirmed at version 6"
check "the other order's cancellation is neither shown nor folded in" \
    sh -c '! printf "%s" "$1" | grep -q "changed my mind"' _ "$out"
check "the other order's event is marked" contains "$out" "an event of order $cancelled"
check "the missing version is shown" contains "$out" "v5   (missing)"
check "the line counts both unreadable events and the missing version" contains "$err" \
    "2 events could not be read and the history is incomplete: 1 version is missing; the state above leaves them out"
expect_exit 1 "history --json of a damaged stream is exit 1 too" "$shop" --json order history "$order"
check "history --json still lists the events" \
    sh -c '[ "$(printf "%s" "$1" | grep -c "\"stream_version\":")" -eq 5 ]' _ "$out"
expect_exit 0 "history --as-of before the damage is exit 0" "$shop" order history "$order" --as-of 2

done_testing
