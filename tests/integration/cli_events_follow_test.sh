#!/bin/sh
# tests/integration/cli_events_follow_test.sh — `shop events tail --follow`: the global
# event log as it grows.  `shop events tail --follow` runs in the background; other commands
# append events; it must print them as they commit — in log order even when an older
# transaction commits after a younger one — and end cleanly on SIGINT and on SIGTERM
# (exit 0, its database connection closed).  Every wait has a deadline; nothing sleeps a
# fixed time to let things settle.  Runs in a database of its own, dropped at the end.
set -u
. "$top_srcdir/tests/support/tap.sh"
shop=$top_builddir/shop

use_own_database shop_cli_events_follow_test
follower=
trap '[ -n "$follower" ] && kill "$follower" 2>/dev/null; wait 2>/dev/null;
      dropdb --if-exists --force "$db" >/dev/null 2>&1; rm -rf "$tap_tmp"' EXIT

sql() { psql -d "$db" -v ON_ERROR_STOP=1 -qAtc "$1"; }
append() { # append STREAM VERSION TYPE: one event, committed by a command of its own
    sql "INSERT INTO ordering.events (stream_id, stream_version, type, schema_version, data)
         VALUES ('$1', $2, '$3', 1, '{\"n\": $2}')"
}
# within SECONDS CMD...: true as soon as CMD is, false if it is still false after SECONDS
within() {
    limit=$(($1 * 10))
    shift
    i=0
    while [ $i -lt $limit ]; do
        "$@" && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}
shows() { grep -q -- "$1" "$tap_tmp/follow.out"; }
gone() { ! kill -0 "$follower" 2>/dev/null; }
backends() { sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = '$app'"; }
no_backend() { [ "$(backends)" = 0 ]; }

# start_follow ARGS...: `shop events tail --follow ARGS` in the background, its output in
# follow.out, its connection named $app
start_follow() {
    app=shop-follow-$$-$1
    shift
    PGAPPNAME=$app "$shop" "$@" >"$tap_tmp/follow.out" 2>"$tap_tmp/follow.err" &
    follower=$!
}
# stop_follow SIGNAL: sends it and waits (at most 10 s) for the exit; $stopped is its status
stop_follow() {
    kill -"$1" "$follower"
    if within 10 gone; then
        stopped=0
        wait "$follower" || stopped=$?
    else
        stopped=timeout
        kill -KILL "$follower" 2>/dev/null
    fi
    follower=
}

expect_exit 0 "shop db migrate" "$shop" db migrate
append order-a 1 OrderPlaced
append order-b 1 OrderPlaced

# ---- text: the last line, then what commits
# The log is read gap-free: an event counts once every transaction older than its own has
# ended, in the whole cluster, where other tests run at the same time.  Until then the
# "last event" is order-a.  Wait until order-b counts, so "the last one" is one event.
settled() {
    [ "$(sql "SELECT count(*) FROM ordering.events WHERE stream_id = '$1'
              AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())")" = 1 ]
}
check "order-b is in the log, no older transaction running" within 30 settled order-b
start_follow text events tail --follow --lines 1
check "it first prints the last event of the log" within 10 shows "order-b v1  OrderPlaced"
check "and only that one" sh -c '! grep -q "order-a" "$1"' _ "$tap_tmp/follow.out"
check "it keeps its connection open while following" within 10 sh -c '[ "$(psql -d "$1" -Atc "SELECT count(*) FROM pg_stat_activity WHERE application_name = '\''$2'\''")" = 1 ]' _ "$db" "$app"
append order-a 2 OrderConfirmed
check "an event committed by another command appears" within 10 shows "order-a v2  OrderConfirmed"
append order-c 1 OrderPlaced
append order-c 2 OrderCancelled
check "events keep appearing, each once" within 10 shows "order-c v2  OrderCancelled"
check "order-c v1 appears once" [ "$(grep -c "order-c v1  OrderPlaced" "$tap_tmp/follow.out")" = 1 ]

# An older transaction that commits after a younger one: the younger one's event must wait
# for it, and the two come out in log order — none skipped.
psql -d "$db" -v ON_ERROR_STOP=1 -qAt >/dev/null 2>&1 <<'SQL' &
BEGIN;
INSERT INTO ordering.events (stream_id, stream_version, type, schema_version, data)
VALUES ('order-slow', 1, 'OrderPlaced', 1, '{}');
SELECT pg_sleep(2);
COMMIT;
SQL
slow=$!
check "a slow transaction has written its event and is still open" \
    within 10 sh -c '[ "$(psql -d "$1" -Atc "SELECT count(*) FROM pg_stat_activity WHERE datname = '\''$1'\'' AND query LIKE '\''%pg_sleep%'\'' AND pid <> pg_backend_pid()")" = 1 ]' _ "$db"
append order-fast 1 OrderPlaced
wait "$slow"
check "after it commits, both events appear" within 10 shows "order-fast v1"
check "the older transaction's event comes first (log order), the younger's after it" \
    sh -c '[ "$(grep -n "order-slow v1" "$1" | cut -d: -f1)" -lt "$(grep -n "order-fast v1" "$1" | cut -d: -f1)" ]' _ "$tap_tmp/follow.out"

stop_follow INT
check "SIGINT ends it with exit 0" [ "$stopped" = 0 ]
check "it wrote nothing on stderr" [ ! -s "$tap_tmp/follow.err" ]
check "its database connection is closed" within 10 no_backend
check "it printed six events in all" [ "$(wc -l <"$tap_tmp/follow.out")" = 6 ]

# ---- --json --from: one JSON object per line, from the start of the log
start_follow json --json events tail --follow --from 1
check "--json prints the seven events so far, one object a line" \
    within 10 sh -c '[ "$(grep -c "^{.*\"global_position\":" "$1")" = 7 ]' _ "$tap_tmp/follow.out"
append order-d 1 OrderPlaced
check "--json: a new event appears as one more object" \
    within 10 sh -c 'grep -q "^{.*\"stream_id\":\"order-d\".*\"data\":{\"n\":1}}$" "$1"' _ "$tap_tmp/follow.out"
stop_follow TERM
check "SIGTERM ends it with exit 0" [ "$stopped" = 0 ]
check "--json: every line is an object" \
    sh -c '[ "$(grep -vc "^{.*}$" "$1")" = 0 ] && [ "$(wc -l <"$1")" = 8 ]' _ "$tap_tmp/follow.out"
check "its database connection is closed too" within 10 no_backend

# ---- from a position past the end: nothing yet, then what comes
start_follow empty events tail --follow --from 1000000
check "it waits, connected" within 10 sh -c '[ "$(psql -d "$1" -Atc "SELECT count(*) FROM pg_stat_activity WHERE application_name = '\''$2'\''")" = 1 ]' _ "$db" "$app"
append order-e 1 OrderPlaced
check "it prints the events that come after the position asked for" \
    within 10 shows "order-e v1  OrderPlaced"
stop_follow INT
check "SIGINT ends it with exit 0 again" [ "$stopped" = 0 ]

expect_exit 2 "--follow with --lines 0 is exit 2, as without it" \
    "$shop" events tail --follow --lines 0
check "the refusal names the option" contains "$err" "--lines"
expect_exit 3 "--follow with no database is exit 3" \
    "$shop" events tail --follow --db "host=127.0.0.1 port=1 connect_timeout=2"

done_testing
