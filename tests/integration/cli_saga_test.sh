#!/bin/sh
# tests/integration/cli_saga_test.sh — `shop saga list | show` on a real database of this
# test's own: three sagas are seeded with SQL in ordering.sagas, in the shape the saga
# store writes (infrastructure/ordering/saga_store_pg.c) — one stuck, one waiting for a
# reply, one confirmed — and the operator's command line lists them newest first (all, or
# in one state), shows one with its steps, deadline and reason, and refuses what it must:
# an unknown state or an id that is not a UUID (exit 2), an order without a saga (exit 1),
# a database it cannot reach (exit 3); with the --json shapes of docs/cli.md.
set -u
. "$top_srcdir/tests/support/tap.sh"
shop=$top_builddir/shop

use_own_database shop_cli_saga_test
sql() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$db" -c "$1"; }

stuck=0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90
waiting=0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a91
confirmed=0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a92
never=0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a99

expect_exit 0 "shop db migrate" "$shop" db migrate
expect_exit 0 "no sagas: saga list is exit 0" "$shop" saga list
check "it says there are none" contains "$out" "No sagas."
expect_exit 0 "saga list --json with none" "$shop" --json saga list
check "is an empty array" [ "$(printf '%s' "$out" | tr -d ' \n\t')" = "[]" ]

# seed ORDER STATE DEADLINE_US REASON UPDATED_US STEPS: one row as the store writes it
# (times in microseconds since the epoch; DEADLINE_US 0 for none).
now=$(sql "SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint")
seed() {
    sql "SET ROLE shop_ordering;
         INSERT INTO ordering.sagas (order_id, state, version, data, deadline, reason,
                                     started_at, updated_at)
         VALUES ('$1', '$2', 3, jsonb_build_object(
                     'order_id', '$1', 'state', '$2', 'customer', 'c-42',
                     'ship_to', 'Ada Lovelace, 1 Main St', 'postcode', '00000',
                     'lines', jsonb_build_array(jsonb_build_object('sku', 'LAMP-1', 'quantity', 2)),
                     'total', '24.00 EUR', 'card', 'tok_visa', 'stock_reserved', true,
                     'payment_authorized', true, 'shipment_scheduled', false,
                     'order_cancelled', false, 'reason', '$4', 'attempt', 1,
                     'deadline_us', '$3', 'started_at_us', '$now', 'updated_at_us', '$5',
                     'steps', '$6'::jsonb),
                 CASE WHEN $3 = 0 THEN NULL ELSE to_timestamp($3 / 1e6) END, '$4',
                 to_timestamp($now / 1e6), to_timestamp($5 / 1e6))" >/dev/null
}
steps() { # NAME... : one step a second after $now
    printf '['
    i=0
    for name in "$@"; do
        [ $i -gt 0 ] && printf ','
        printf '{"name": "%s", "at_us": "%s"}' "$name" $((now + i * 1000000))
        i=$((i + 1))
    done
    printf ']'
}
seed "$stuck" stuck 0 "voiding the payment got no reply after 5 attempts (undeliverable)" \
    $((now + 3000000)) "$(steps "order placed" "stock reserved" "payment authorized" \
                              "shipment rejected" "stuck voiding the payment")"
seed "$waiting" releasing_stock $((now + 600000000)) "payment declined" $((now + 2000000)) \
    "$(steps "order placed" "stock reserved" "payment declined")"
seed "$confirmed" confirmed 0 "" $((now + 1000000)) "$(steps "order placed" "order confirmed")"

expect_exit 0 "saga list" "$shop" saga list
check "a header and three sagas" [ "$(printf '%s\n' "$out" | wc -l)" -eq 4 ]
check "newest first" [ "$(printf '%s\n' "$out" | sed -n '2,4p' | cut -c1-36 | tr '\n' ' ')" = "$stuck $waiting $confirmed " ]
check "the stuck saga says which compensation got no reply" \
    sh -c 'printf "%s\n" "$1" | grep "^$2" | grep " stuck " | grep -q "voiding the payment got no reply after 5 attempts"' _ "$out" "$stuck"
check "the waiting one shows its deadline to come" \
    sh -c 'printf "%s\n" "$1" | grep "^$2" | grep "releasing_stock" | grep -q " in [0-9]*s "' _ "$out" "$waiting"
check "an ended one has no deadline" \
    sh -c 'printf "%s\n" "$1" | grep "^$2" | grep -q "confirmed  *-"' _ "$out" "$confirmed"

expect_exit 0 "saga list --state stuck" "$shop" saga list --state stuck
check "only the stuck saga" [ "$(printf '%s\n' "$out" | wc -l)" -eq 2 ] && contains "$out" "$stuck"
expect_exit 0 "saga list --state capturing_payment (none)" "$shop" saga list --state capturing_payment
check "it says there are none in that state" contains "$out" "No sagas in state capturing_payment."
expect_exit 2 "saga list --state shipped: not a state" "$shop" saga list --state shipped
check "one line on stderr" one_line "$err"
check "it names the option and lists the states" contains "$err" "--state 'shipped': expected one of reserving_stock"

expect_exit 0 "saga list --json" "$shop" --json saga list
check "--json: three sagas" [ "$(printf '%s' "$out" | grep -c '"order_id":')" -eq 3 ]
for key in state deadline reason updated_at version; do
    check "--json: every saga has $key" [ "$(printf '%s' "$out" | grep -c "\"$key\":")" -eq 3 ]
done
check "--json: the ended sagas have a null deadline" [ "$(printf '%s' "$out" | grep -c '"deadline":	null')" -eq 2 ]
check "--json: the version is a number" contains "$out" '"version":	3'

expect_exit 0 "saga show" "$shop" saga show "$waiting"
check "it shows the state and version" contains "$out" "releasing_stock (version 3)"
check "it shows the reason" contains "$out" "Reason    payment declined"
check "it shows the deadline" contains "$out" "Deadline  20"
check "it shows every step with its time" [ "$(printf '%s\n' "$out" | grep -c '^  20[0-9-]*T')" -eq 3 ]
check "the steps in order" [ "$(printf '%s\n' "$out" | grep '^  20' | sed 's/^  [^ ]*  //' | tr '\n' '|')" = "order placed|stock reserved|payment declined|" ]

expect_exit 0 "saga show --json" "$shop" --json saga show "$stuck"
for key in order_id state steps deadline reason version; do
    check "--json: it has $key" contains "$out" "\"$key\":"
done
check "--json: five steps, each with name and at" \
    [ "$(printf '%s' "$out" | grep -c '"at":')" -eq 5 ] && [ "$(printf '%s' "$out" | grep -c '"name":')" -eq 5 ]
check "--json: a stuck saga's deadline is null" contains "$out" '"deadline":	null'
check "--json: the state" contains "$out" '"state":	"stuck"'

expect_exit 1 "saga show of an order without a saga" "$shop" saga show "$never"
check "it says so in one line" [ "$err" = "shop: no saga for order $never" ]
expect_exit 2 "saga show of something that is not an order id" "$shop" saga show not-a-uuid
check "the message names ORDER_ID" contains "$err" "ORDER_ID 'not-a-uuid'"
expect_exit 2 "saga show without an order id" "$shop" saga show
expect_exit 0 "saga show --help" "$shop" saga show --help
check "the help names the JSON shape" contains "$out" "steps: [{name, at}]"
expect_exit 0 "saga list --help" "$shop" saga list --help

expect_exit 3 "saga list with the database down" "$shop" --db "host=127.0.0.1 port=1 connect_timeout=2" saga list
expect_exit 3 "saga show with the database down" "$shop" --db "host=127.0.0.1 port=1 connect_timeout=2" saga show "$stuck"

done_testing
