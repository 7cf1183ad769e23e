#!/bin/sh
# tests/contract/published_language_test.sh — the published language holds together:
# every schema of docs/contracts/events/ is a valid JSON Schema (draft 2020-12), every
# golden example passes its schema, every event of the table has both files, and each
# schema REFUSES the payloads a careless publisher could send (a price without its
# currency, a missing order_id, a quantity of 0, a time without microseconds, ...): a
# schema that accepted everything would otherwise look the same as a good one.
# Needs python3 with the jsonschema module (scripts/lib.sh installs python3-jsonschema);
# without it the test fails, it does not skip.
# Read next: docs/contracts/events/README.md, tests/unit/published_language_test.c
set -u
. "$top_srcdir/tests/support/tap.sh"
dir=$top_srcdir/docs/contracts/events

if ! python3 -c 'import jsonschema; jsonschema.Draft202012Validator' >/dev/null 2>&1; then
    echo "Bail out! python3 with the jsonschema module is needed (apt-get install python3-jsonschema, or ./scripts/test)"
    exit 1
fi

# validate SCHEMA-FILE JSON-TEXT: exit 0 if the text is valid, else 1 with the reasons.
validate() {
    python3 - "$1" "$2" <<'PY'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1], encoding="utf-8"))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(
    schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
errors = list(v.iter_errors(json.loads(sys.argv[2])))
for e in errors:
    print(e.message)
sys.exit(1 if errors else 0)
PY
}

# mutate EXAMPLE-FILE PYTHON: the example after the Python statements, on `d`.
mutate() {
    python3 - "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
exec(sys.argv[2])
print(json.dumps(d, ensure_ascii=False))
PY
}

types="catalog.ProductAdded catalog.PriceChanged ordering.OrderPlaced ordering.OrderConfirmed ordering.OrderCancelled"
# the fulfilment saga's commands (infrastructure/ordering/saga_messages.c)
types="$types ordering.ReserveStock ordering.ReleaseReservation ordering.CommitReservation"
types="$types ordering.AuthorizePayment ordering.CapturePayment ordering.VoidPayment"
types="$types ordering.ScheduleShipment ordering.CancelShipment"
# the saga's participants: their replies, and Inventory's receipts
types="$types inventory.StockReserved inventory.StockReservationRejected inventory.ReservationReleased"
types="$types inventory.ReservationCommitted inventory.StockReceived"
types="$types payments.PaymentAuthorized payments.PaymentDeclined payments.PaymentCaptured payments.PaymentVoided"
types="$types shipping.ShipmentScheduled shipping.ShipmentRejected shipping.ShipmentCancelled"

for t in $types; do
    schema=$dir/$t.v1.schema.json example=$dir/$t.v1.example.json
    check "$t has a schema and an example" [ -f "$schema" -a -f "$example" ]
    run python3 -c 'import json, sys, jsonschema
jsonschema.Draft202012Validator.check_schema(json.load(open(sys.argv[1])))' "$schema"
    check "$t: the schema is a valid draft 2020-12 JSON Schema" [ "$status" = 0 ]
    run validate "$schema" "$(cat "$example")"
    check "$t: the golden example passes its schema" [ "$status" = 0 ]
    run mutate "$example" 'd["a_field_of_tomorrow"] = 1'
    run validate "$schema" "$out"
    check "$t: an unknown field is tolerated (readers ignore it)" [ "$status" = 0 ]
done
n_types=$(echo $types | wc -w)
check "no schema without its event in the table" \
    [ "$(ls "$dir"/*.schema.json | wc -l)" -eq "$n_types" -a "$(ls "$dir"/*.example.json | wc -l)" -eq "$n_types" ]

# refuses TYPE DESCRIPTION PYTHON: the schema of TYPE refuses its example so changed.
refuses() {
    run mutate "$dir/$1.v1.example.json" "$3"
    if [ "$status" != 0 ]; then
        tap_result 1 "$1 refuses $2 (the mutation failed: $err)"
        return
    fi
    run validate "$dir/$1.v1.schema.json" "$out"
    check "$1 refuses $2" [ "$status" = 1 ]
}

refuses catalog.ProductAdded "a price without its currency" 'd["price"] = "12.50"'
refuses catalog.ProductAdded "a price as a JSON number" 'd["price"] = 12.5'
refuses catalog.ProductAdded "a lower-case SKU" 'd["sku"] = "mug-red"'
refuses catalog.ProductAdded "a missing name" 'del d["name"]'
refuses catalog.ProductAdded "an empty name" 'd["name"] = ""'
refuses catalog.ProductAdded "a catalog_version other than 1" 'd["catalog_version"] = 2'
refuses catalog.ProductAdded "a time without microseconds" 'd["added_at"] = "2024-06-10T06:13:20Z"'
refuses catalog.ProductAdded "a time with an offset" 'd["added_at"] = "2024-06-10T08:13:20.000000+02:00"'
refuses catalog.PriceChanged "a price without its currency" 'd["price"] = "13.00"'
refuses catalog.PriceChanged "a missing catalog_version" 'del d["catalog_version"]'
refuses catalog.PriceChanged "a catalog_version as a string" 'd["catalog_version"] = "2"'
refuses catalog.PriceChanged "a catalog_version of 1 (that is the add)" 'd["catalog_version"] = 1'
refuses catalog.PriceChanged "a missing sku" 'del d["sku"]'
refuses ordering.OrderPlaced "a missing order_id" 'del d["order_id"]'
refuses ordering.OrderPlaced "an order_id that is not a UUID" 'd["order_id"] = "order-42"'
refuses ordering.OrderPlaced "no lines" 'd["lines"] = []'
refuses ordering.OrderPlaced "51 lines" 'd["lines"] = [d["lines"][0]] * 51'
refuses ordering.OrderPlaced "a quantity of 0" 'd["lines"][0]["quantity"] = 0'
refuses ordering.OrderPlaced "a quantity of 1000" 'd["lines"][0]["quantity"] = 1000'
refuses ordering.OrderPlaced "a unit price without its currency" 'd["lines"][1]["unit_price"] = "19.99"'
refuses ordering.OrderPlaced "a line without its line_total" 'del d["lines"][0]["line_total"]'
refuses ordering.OrderPlaced "a total as a JSON number" 'd["total"] = 57.49'
refuses ordering.OrderPlaced "a missing customer" 'del d["customer"]'
refuses ordering.OrderPlaced "a lower-case postcode" 'd["postcode"] = "sw1a 1aa"'
refuses ordering.OrderConfirmed "a missing order_id" 'del d["order_id"]'
refuses ordering.OrderConfirmed "a missing confirmed_at" 'del d["confirmed_at"]'
refuses ordering.OrderCancelled "a missing order_id" 'del d["order_id"]'
refuses ordering.OrderCancelled "an empty reason" 'd["reason"] = ""'
refuses ordering.OrderCancelled "a missing reason" 'del d["reason"]'
refuses ordering.OrderPlaced "a card with a space" 'd["card"] = "tok visa"'
refuses ordering.ReserveStock "no lines" 'd["lines"] = []'
refuses ordering.ReserveStock "a quantity of 0" 'd["lines"][0]["quantity"] = 0'
refuses ordering.ReserveStock "a lower-case SKU" 'd["lines"][0]["sku"] = "mug-red"'
refuses ordering.ReleaseReservation "a missing order_id" 'del d["order_id"]'
refuses ordering.CommitReservation "an order_id that is not a UUID" 'd["order_id"] = "order-42"'
refuses ordering.AuthorizePayment "an amount without its currency" 'd["amount"] = "57.49"'
refuses ordering.AuthorizePayment "a missing card" 'del d["card"]'
refuses ordering.AuthorizePayment "an empty card" 'd["card"] = ""'
refuses ordering.AuthorizePayment "a missing payment_id" 'del d["payment_id"]'
refuses ordering.CapturePayment "an amount as a JSON number" 'd["amount"] = 57.49'
refuses ordering.VoidPayment "a missing payment_id" 'del d["payment_id"]'
refuses ordering.ScheduleShipment "a missing ship_to" 'del d["ship_to"]'
refuses ordering.ScheduleShipment "a lower-case postcode" 'd["postcode"] = "sw1a 1aa"'
refuses ordering.CancelShipment "a missing order_id" 'del d["order_id"]'
refuses inventory.StockReserved "no lines" 'd["lines"] = []'
refuses inventory.StockReserved "a quantity of 0" 'd["lines"][0]["quantity"] = 0'
refuses inventory.StockReserved "a lower-case SKU" 'd["lines"][0]["sku"] = "mug-red"'
refuses inventory.StockReserved "a missing reserved_at" 'del d["reserved_at"]'
refuses inventory.StockReservationRejected "an empty reason" 'd["reason"] = ""'
refuses inventory.ReservationReleased "a line without its quantity" 'del d["lines"][0]["quantity"]'
refuses inventory.ReservationReleased "a missing order_id" 'del d["order_id"]'
refuses inventory.ReservationCommitted "no lines" 'd["lines"] = []'
refuses inventory.StockReceived "a quantity of 0" 'd["quantity"] = 0'
refuses inventory.StockReceived "on_hand as a string" 'd["on_hand"] = "25"'
refuses payments.PaymentAuthorized "an amount without its currency" 'd["amount"] = "57.49"'
refuses payments.PaymentAuthorized "an amount as a JSON number" 'd["amount"] = 57.49'
refuses payments.PaymentAuthorized "a missing payment_id" 'del d["payment_id"]'
refuses payments.PaymentDeclined "the gateway's own code as the reason" 'd["reason"] = "card_declined"'
refuses payments.PaymentCaptured "a time without microseconds" 'd["captured_at"] = "2024-06-10T06:13:28Z"'
refuses payments.PaymentVoided "a payment_id that is not a UUID" 'd["payment_id"] = "pay-1"'
refuses shipping.ShipmentScheduled "a missing scheduled_at" 'del d["scheduled_at"]'
refuses shipping.ShipmentRejected "another reason than undeliverable" 'd["reason"] = "too heavy"'
refuses shipping.ShipmentCancelled "an order_id in upper case" 'd["order_id"] = d["order_id"].upper()'

done_testing
