#!/bin/sh
# tests/integration/breaker_outage_test.sh — the circuit breaker in front of the payment
# gateway, on real processes: `shop serve payments` in front of `shop serve payment-gateway
# --outage 3:14`, watched with `shop breaker status` (docs/patterns/circuit-breaker.md).
#
#   before the outage   a payment P is authorized; the breaker is CLOSED
#   in the outage       P's capture is asked for again and again (the same idempotency key,
#                       "<P>:capture", every time): 503s; the breaker decides once its
#                       window holds 4 calls, as configured (window 4, minimum 4 calls,
#                       50%): P's authorization and 3 failed captures, 75% — not before;
#   while OPEN          calls fail at once, well under the 2 s deadline, and the gateway
#                       sees no request at all;
#   after the outage    HALF_OPEN once the wait is over, CLOSED after its 2 probes; P is
#                       captured, and the gateway's ledger shows it captured once and
#                       charged once, however often it was asked.
# Every wait is for a condition, with a deadline.
set -u
. "$top_srcdir/tests/support/tap.sh"
. "$top_srcdir/tests/support/http.sh"
shop=$top_builddir/shop

use_own_database shop_breaker_outage_test

base=$(api_base 7)
export SHOP_API_URL="http://127.0.0.1:$base"
unset SHOP_PAYMENTS_URL SHOP_SHIPPING_URL SHOP_PAYMENT_GATEWAY_URL
payments=http://127.0.0.1:$((base + 4))
gateway=http://127.0.0.1:$((base + 8))
# A small breaker for the test: it decides over the last 4 calls, once it has 4, opens at
# a failure rate of 50%, waits 3 s in OPEN (long enough for the checks made while it is
# open, on a loaded machine too), and closes after 2 good probes.
export SHOP_BREAKER_PAYMENT_GATEWAY_WINDOW=4 SHOP_BREAKER_PAYMENT_GATEWAY_MINIMUM_CALLS=4
export SHOP_BREAKER_PAYMENT_GATEWAY_FAILURE_RATE=50 SHOP_BREAKER_PAYMENT_GATEWAY_WAIT_MS=3000
export SHOP_BREAKER_PAYMENT_GATEWAY_HALF_OPEN_CALLS=2

# http_post URL [BODY]: "STATUS MILLISECONDS" on the first line, then the body.
http_post() {
    bash -c '
        rest=${1#http://} && hostport=${rest%%/*} && path=/${rest#*/}
        t0=$(date +%s%N)
        exec 3<>"/dev/tcp/${hostport%:*}/${hostport##*:}" || exit 3
        printf "POST %s HTTP/1.0\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" \
            "$path" "$hostport" "${#2}" "$2" >&3
        IFS= read -r status <&3 || exit 3
        while IFS= read -r line <&3 && [ "${line%$(printf "\r")}" != "" ]; do :; done
        body=$(cat <&3)
        t1=$(date +%s%N)
        status=${status#* }
        echo "${status%% *} $(((t1 - t0) / 1000000))"
        printf "%s\n" "$body"' _ "$1" "${2:-}" 2>/dev/null
}
# post URL [BODY]: http_post into $code, $ms and $body.
post() {
    reply=$(http_post "$@")
    code=$(printf '%s\n' "$reply" | head -n 1 | cut -d' ' -f1)
    ms=$(printf '%s\n' "$reply" | head -n 1 | cut -d' ' -f2)
    body=$(printf '%s\n' "$reply" | tail -n +2)
}
# The gateway breaker's state as `shop breaker status --json` says ("closed", "open", ...).
state() {
    "$shop" --json breaker status --only payments | tr -d ' \t\n' |
        sed -n 's/.*"name":"payment-gateway","state":"\([a-z_]*\)".*/\1/p'
}
state_is() { [ "$(state)" = "$1" ]; }
# Requests the gateway answered on its /v1 routes, whatever the answer.
gateway_requests() {
    http_get "$gateway/metrics" | grep '^shop_http_requests_total{.*route="/v1/' |
        awk '{ n += $2 } END { print n + 0 }'
}
gateway_metric() { http_get "$gateway/metrics" | awk -v m="$1" '{ sub(/\{.*/, "", $1) } $1 == m { print $2 }'; }
outage_over() { http_get "$gateway/v1/charges/ch_none" | grep -q resource_missing; }
in_outage() { http_get "$gateway/v1/charges/ch_none" | grep -q "outage"; }

expect_exit 0 "shop db migrate" "$shop" db migrate

logs=$tap_tmp
"$shop" serve payments >"$logs/payments.log" 2>&1 &
payments_pid=$!
gateway_pid=
trap 'kill "$payments_pid" $gateway_pid 2>/dev/null; dropdb --if-exists --force "$db" >/dev/null 2>&1; rm -rf "$tap_tmp"' EXIT
if ! eventually 10 http_get "$payments/health"; then
    echo "Bail out! shop serve payments did not start: $(cat "$logs/payments.log")"
    exit 1
fi

expect_exit 0 "breaker status before any call" "$shop" breaker status --only payments
check "the gateway's breaker is there, CLOSED" sh -c 'printf "%s\n" "$1" | grep -q "^payment-gateway  *CLOSED "' _ "$out"
check "no rate below the minimum number of calls" sh -c 'printf "%s\n" "$1" | grep -q "^payment-gateway  *CLOSED  *-  *-  *0 "' _ "$out"
expect_exit 3 "breaker status with Shipping down is exit 3" "$shop" breaker status
check "Shipping's breaker is shown as UNKNOWN" contains "$out" "carrier          UNKNOWN"
check "the gateway's all the same" contains "$out" "payment-gateway  CLOSED"
check "one line on stderr" one_line "$err"
check "it says shipping did not answer" contains "$err" "shipping did not answer"

# The gateway, with an outage from 3 s to 14 s after it starts.
"$shop" serve payment-gateway --outage 3:14 >"$logs/gateway.log" 2>&1 &
gateway_pid=$!
if ! eventually 10 http_get "$gateway/health"; then
    echo "Bail out! shop serve payment-gateway did not start: $(cat "$logs/gateway.log")"
    exit 1
fi

order=0190a6f4-8d1e-7c3a-9b2f-4e5d6c7b8a90
post "$payments/payments" "{\"order_id\":\"$order\",\"amount\":\"37.50 EUR\",\"card\":\"tok_visa\"}"
check "before the outage, a payment is authorized (201)" [ "$code" = 201 ]
p=$(printf '%s' "$body" | sed -n 's/.*"payment_id":"\([^"]*\)".*/\1/p')
check "it has an id" [ -n "$p" ]

check "the outage begins" eventually 10 in_outage

# In the outage: P's capture, under its one key, until the breaker opens.
opened_at=0
for i in 1 2 3 4 5 6; do
    post "$payments/payments/$p/capture"
    [ "$code" = 503 ] || break
    if state_is open; then
        opened_at=$i
        break
    fi
done
check "captures in the outage answer 503" [ "$code" = 503 ]
check "the breaker opens at the 4th call of its window, the 3rd failed capture (it opened at $opened_at)" [ "$opened_at" = 3 ]
expect_exit 0 "breaker status while open" "$shop" breaker status --only payments
check "it shows OPEN at a failure rate of 75% over 4 calls" sh -c 'printf "%s\n" "$1" | grep -q "^payment-gateway  *OPEN  *75.0%  *0.0%  *4 "' _ "$out"
expect_exit 0 "breaker status --json" "$shop" --json breaker status --only payments
json=$(printf '%s' "$out" | tr -d ' \t\n')
check "--json: state open" contains "$json" '"state":"open"'
check "--json: failure_rate 75" contains "$json" '"failure_rate":75,'
check "--json: calls 4" contains "$json" '"calls":4'
check "--json: since, in RFC 3339" sh -c 'printf "%s" "$1" | grep -q "\"since\":\"20[0-9-]*T[0-9:.]*Z\""' _ "$json"

# While open: at once, and without a request to the gateway.
before=$(gateway_requests)
slowest=0
fast_503=0
for i in 1 2 3 4 5; do
    post "$payments/payments/$p/capture"
    [ "$code" = 503 ] && contains "$body" "circuit breaker payment-gateway is open" && fast_503=$((fast_503 + 1))
    [ "$ms" -gt "$slowest" ] && slowest=$ms
done
post "$payments/payments" "{\"order_id\":\"$order\",\"amount\":\"5.00 EUR\",\"card\":\"tok_visa\"}"
check "an authorization while open is refused too" [ "$code" = 503 ] && contains "$body" "circuit breaker payment-gateway is open"
[ "$ms" -gt "$slowest" ] && slowest=$ms
check "while open, calls fail with 'circuit breaker payment-gateway is open' ($fast_503 of 5)" [ "$fast_503" = 5 ]
check "they fail fast: the slowest took $slowest ms, the deadline is 2000 ms" [ "$slowest" -lt 300 ]
after=$(gateway_requests)
check "the gateway saw no request while the breaker was open ($before, then $after)" [ "$before" = "$after" ]
check "the gateway is still in its outage (so the breaker was open in it)" in_outage
metrics=$(http_get "$payments/metrics")
check "/metrics: shop_breaker_state open is 1" contains "$metrics" 'shop_breaker_state{name="payment-gateway",state="open"} 1'
check "/metrics: 6 calls not permitted" contains "$metrics" 'shop_breaker_calls_total{name="payment-gateway",kind="not_permitted"} 6'
check "/metrics: the state change was observed" contains "$metrics" 'shop_domain_events_total{context="resilience",type="BreakerStateChanged"} 1'

# After the outage: HALF_OPEN, then CLOSED after the probes.
check "the outage ends" eventually 20 outage_over
check "the breaker goes HALF_OPEN once its wait is over" eventually 10 state_is half_open
post "$payments/payments/$p/capture"
check "P's capture, retried with the same key after the outage, succeeds (200)" [ "$code" = 200 ]
check "P is captured" contains "$body" '"status":"captured"'
check "one probe is not enough to close it" state_is half_open
post "$payments/payments" "{\"order_id\":\"$order\",\"amount\":\"5.00 EUR\",\"card\":\"tok_visa\"}"
check "a new authorization goes through (201)" [ "$code" = 201 ]
check "after 2 good probes the breaker is CLOSED" state_is closed
post "$payments/payments/$p/capture"
check "P's capture asked once more: 200" [ "$code" = 200 ]

check "the gateway charged twice in all: P and the new payment" [ "$(gateway_metric payment_gateway_charges_total)" = 2 ]
check "and captured P once, however often it was asked" [ "$(gateway_metric payment_gateway_captures_total)" = 1 ]

log=$(cat "$logs/payments.log")
check "the event log has CLOSED -> OPEN" contains "$log" "circuit breaker payment-gateway: CLOSED -> OPEN"
check "then OPEN -> HALF_OPEN" contains "$log" "circuit breaker payment-gateway: OPEN -> HALF_OPEN"
check "then HALF_OPEN -> CLOSED" contains "$log" "circuit breaker payment-gateway: HALF_OPEN -> CLOSED"

# A setting out of range: the service refuses to start and names it.
expect_exit 2 "a breaker setting out of range stops the service from starting (exit 2)" \
    timeout 10 env SHOP_BREAKER_PAYMENT_GATEWAY_WINDOW=0 "$shop" serve payments --listen 127.0.0.1:$((base + 10))
check "the message names the variable" contains "$err" "SHOP_BREAKER_PAYMENT_GATEWAY_WINDOW: must be a whole number 1-100000"

done_testing
