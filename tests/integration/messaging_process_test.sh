#!/bin/sh
# tests/integration/messaging_process_test.sh — relays and consumers as real processes
# (tests/support/messaging_worker), killed where it hurts most, on a database of its own.
#
#   a. a relay killed by SIGKILL between its bus insert and its commit leaves the bus as
#      it was; restarted, the message is on the bus once and handled once.  Killed just
#      after the commit: published once, not again.  A consumer killed after its handler,
#      before its commit: restarted, each message handled once.
#   b. two consumer processes of one subscription, 500 messages over 20 streams: every
#      message handled exactly once, each stream in order, both processes took a share.
#   c. a consumer whose connection is terminated while the NOTIFY for a new message
#      fires still gets the message (it connects again, and polls).
#   d. a consumer that does not LISTEN gets messages by polling.
# Conditions are waited for with a deadline, never with a fixed sleep.
set -u
. "$top_srcdir/tests/support/tap.sh"
shop=$top_builddir/shop
worker=$top_builddir/tests/support/messaging_worker

out='' err=''
use_own_database shop_messaging_process_test
"$shop" db migrate >/dev/null || { echo "Bail out! cannot migrate $db"; exit 1; }

sql() { psql -d "$db" -XAtq -v ON_ERROR_STOP=1 -c "$1"; }
sql "CREATE TABLE ordering.worker_handled (id bigserial PRIMARY KEY, message_id uuid NOT NULL,
     stream text NOT NULL, seq int NOT NULL, pid int NOT NULL, subscriber text NOT NULL)"

# record SEQ [STREAM]: what Catalog does in the transaction of a change.
record() {
    sql "INSERT INTO catalog.outbox (message_id, type, schema_version, stream, payload)
         VALUES (gen_random_uuid(), 'catalog.PriceChanged', 1, '${2:-product-A}',
                 '{\"seq\": $1}')"
}

# wait_for SECONDS SQL EXPECTED: true once SQL prints EXPECTED, false at the deadline.
wait_for() {
    deadline=$(($(date +%s) + $1))
    while [ "$(sql "$2")" != "$3" ]; do
        [ "$(date +%s)" -ge "$deadline" ] && return 1
        sleep 0.05
    done
    return 0
}

# start NAME ARGS...: a worker in the background; its pid in $pid_NAME, its log in $tap_tmp.
start() {
    name=$1
    shift
    "$worker" "$@" --db "dbname=$db" >"$tap_tmp/$name.log" 2>&1 &
    eval "pid_$name=$!"
}
stop() { # NAME
    eval "p=\$pid_$1"
    kill -TERM "$p" 2>/dev/null
    wait "$p" 2>/dev/null
}
handled() { # SUBSCRIBER SEQ: how often it was handled
    sql "SELECT count(*) FROM ordering.worker_handled WHERE subscriber = '$1' AND seq = $2"
}

# ---- a. crashes between two steps
record 1
SHOP_CRASH_POINT=relay.after-publish timeout 30 "$worker" relay catalog --db "dbname=$db" \
    >"$tap_tmp/crash1.log" 2>&1
status=$?
check "a relay at relay.after-publish dies by SIGKILL" [ "$status" = 137 ]
check "it said where it died" grep -q "crash point relay.after-publish" "$tap_tmp/crash1.log"
check "the bus is unchanged: nothing was committed" [ "$(sql 'SELECT count(*) FROM messaging.bus')" = 0 ]
check "the message is still in the outbox" [ "$(sql 'SELECT count(*) FROM catalog.outbox')" = 1 ]

start relay relay catalog
start consumer consume proc.a --partitions 2
check "restarted, the relay publishes it and the consumer handles it" \
    wait_for 20 "SELECT count(*) FROM ordering.worker_handled WHERE seq = 1" 1
check "it is on the bus once" [ "$(sql "SELECT count(*) FROM messaging.bus WHERE payload->>'seq' = '1'")" = 1 ]
stop relay

record 2
SHOP_CRASH_POINT=relay.after-commit timeout 30 "$worker" relay catalog --db "dbname=$db" \
    >"$tap_tmp/crash2.log" 2>&1
status=$?
check "a relay at relay.after-commit dies by SIGKILL" [ "$status" = 137 ]
check "what it committed is on the bus, once" \
    [ "$(sql "SELECT count(*) FROM messaging.bus WHERE payload->>'seq' = '2'")" = 1 ]
check "and gone from the outbox" [ "$(sql 'SELECT count(*) FROM catalog.outbox')" = 0 ]
start relay relay catalog
record 3
check "the restarted relay goes on with the next message" wait_for 20 \
    "SELECT count(*) FROM ordering.worker_handled WHERE subscriber = 'proc.a' AND seq IN (2, 3)" 2
check "every message is on the bus once" \
    [ "$(sql "SELECT count(*) || '/' || count(DISTINCT payload) FROM messaging.bus")" = "3/3" ]
check "and handled once" [ "$(handled proc.a 1)$(handled proc.a 2)$(handled proc.a 3)" = 111 ]
stop consumer

SHOP_CRASH_POINT=consumer.after-handle:2 timeout 30 "$worker" consume proc.crash --partitions 1 \
    --db "dbname=$db" >"$tap_tmp/crash3.log" 2>&1
status=$?
check "a consumer at consumer.after-handle:2 dies by SIGKILL" [ "$status" = 137 ]
check "nothing it handled in that transaction stayed" \
    [ "$(sql "SELECT count(*) FROM ordering.worker_handled WHERE subscriber = 'proc.crash'")" = 0 ]
check "nor in its inbox" \
    [ "$(sql "SELECT count(*) FROM ordering.inbox WHERE subscriber = 'proc.crash'")" = 0 ]
start crashed consume proc.crash --partitions 1
check "restarted, it handles the three messages" wait_for 20 \
    "SELECT count(*) FROM ordering.worker_handled WHERE subscriber = 'proc.crash'" 3
check "each once" [ "$(handled proc.crash 1)$(handled proc.crash 2)$(handled proc.crash 3)" = 111 ]
stop crashed

# ---- b. two competing consumer processes
start one consume proc.b --partitions 8
start two consume proc.b --partitions 8
i=0
while [ $i -lt 10 ]; do
    # ten transactions of fifty, over twenty streams
    sql "INSERT INTO catalog.outbox (message_id, type, schema_version, stream, payload)
         SELECT gen_random_uuid(), 'catalog.PriceChanged', 1, 'product-' || (s % 20),
                jsonb_build_object('seq', s)
           FROM generate_series($((i * 50 + 100)), $((i * 50 + 149))) AS s ORDER BY s"
    i=$((i + 1))
done
# (they also catch up on the three messages of part a: seq 1-3)
check "two consumers handle all 500 messages" wait_for 60 \
    "SELECT count(*) FROM ordering.worker_handled WHERE subscriber = 'proc.b' AND seq >= 100" 500
check "none twice" [ "$(sql "SELECT count(*) || '/' || count(DISTINCT message_id)
                             FROM ordering.worker_handled WHERE subscriber = 'proc.b'")" = 503/503 ]
check "each stream in order" [ "$(sql "SELECT count(*) FROM (SELECT seq, lag(seq) OVER
    (PARTITION BY stream ORDER BY id) AS before FROM ordering.worker_handled
    WHERE subscriber = 'proc.b') s WHERE seq < before")" = 0 ]
check "both processes took a share" [ "$(sql "SELECT count(DISTINCT pid) FROM ordering.worker_handled
                                             WHERE subscriber = 'proc.b'")" = 2 ]
stop one
stop two

# ---- c. a connection terminated while the NOTIFY fires
start lost consume proc.c --partitions 2 --poll-ms 500
check "the consumer is connected" wait_for 20 \
    "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'messaging-worker-$pid_lost'" 1
check "it is up to date" wait_for 20 \
    "SELECT count(*) FROM ordering.worker_handled WHERE subscriber = 'proc.c'" 503
old=$(sql "SELECT pid FROM pg_stat_activity WHERE application_name = 'messaging-worker-$pid_lost'")
# Its backend (and only its) is terminated in the same statement that records the change
# (the relay's NOTIFY comes while the consumer is away).
sql "SELECT pg_terminate_backend($old)" >/dev/null
record 900 product-Z
check "it still gets the message" wait_for 20 \
    "SELECT count(*) FROM ordering.worker_handled WHERE subscriber = 'proc.c' AND seq = 900" 1
check "on a new connection" [ "$(sql "SELECT count(*) FROM pg_stat_activity
    WHERE application_name = 'messaging-worker-$pid_lost' AND pid <> $old")" = 1 ]
check "it said it lost its connection" grep -q "lost its database connection" "$tap_tmp/lost.log"
stop lost

# ---- d. polling without LISTEN
start deaf consume proc.d --partitions 2 --poll-ms 200 --no-listen
check "a consumer that does not LISTEN catches up by polling" wait_for 20 \
    "SELECT count(*) FROM ordering.worker_handled WHERE subscriber = 'proc.d'" 504
record 901 product-Y
check "and gets a new message by polling" wait_for 20 \
    "SELECT count(*) FROM ordering.worker_handled WHERE subscriber = 'proc.d' AND seq = 901" 1
stop deaf
stop relay

# The workers' logs, when something failed.
[ "$tap_failed" = 0 ] || for log in "$tap_tmp"/*.log; do echo "# --- $log"; sed 's/^/# /' "$log"; done
done_testing
