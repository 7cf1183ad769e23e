#!/bin/sh
# tests/system/up_test.sh — `shop up` and `shop status` on real processes, ports and a
# real database: the checks before starting (migrated, reachable), every service started
# and supervised with prefixed output, a child killed and restarted with a new pid, an
# address already taken, the monolith (one pid for every context), and an orderly stop
# (exit 0, nothing left running or listening).  Every service must open (a check says
# which do); a service that cannot is restarted with backoff, and the checks that need a
# service up use those that open.
set -u
. "$top_srcdir/tests/support/tap.sh"
shop=$top_builddir/shop
use_own_database shop_up_test
port=$(api_base 4)
export SHOP_API_URL="http://127.0.0.1:$port"
log=$tap_tmp/up.out

skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1 # SKIP $2"; }
alive() { [ -d "/proc/$1" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }
wait_for() { # PATTERN [SECONDS]: until shop up's output has it
    tries=$((${2:-10} * 10))
    while [ "$tries" -gt 0 ]; do
        grep -q -- "$1" "$log" && return 0
        sleep 0.1
        tries=$((tries - 1))
    done
    return 1
}
wait_up() { # NAME... : until `shop status --only` says every one is up (10 s)
    only=$(echo "$*" | tr ' ' ',')
    for i in $(seq 100); do
        "$shop" status --only "$only" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    return 1
}
# status_pid NAME: the pid `shop status --json` reports for NAME
status_pid() {
    "$shop" --json status --only "$1" 2>/dev/null | tr -d '\n\t ' | sed -n 's/.*"pid":\([0-9]*\).*/\1/p'
}
started_pids() { sed -n 's/.*started [a-z-]* (pid \([0-9]*\)).*/\1/p' "$log"; }
stop_up() { # PID: SIGTERM, wait, $status
    kill -TERM "$1"
    status=0
    wait "$1" || status=$?
}
# opens NAME: can this service open at all, alone, on a port the kernel chooses?
opens() {
    "$shop" serve "$1" --listen 127.0.0.1:0 >"$tap_tmp/probe" 2>&1 &
    p=$!
    for i in $(seq 30); do
        if grep -q "listening on" "$tap_tmp/probe"; then kill -TERM $p; wait $p; return 0; fi
        alive $p || break
        sleep 0.1
    done
    kill -TERM $p 2>/dev/null
    wait $p 2>/dev/null
    return 1
}

# --- before anything starts
expect_exit 1 "a database that is not migrated is refused (exit 1)" "$shop" up
check "in one line that says what to run" sh -c 'one_line() { [ "$(printf "%s\n" "$1" | wc -l)" -eq 1 ]; }; one_line "$1"' _ "$err"
check "the line says: run shop db migrate" contains "$err" "run 'shop db migrate'"
expect_exit 3 "a database that cannot be reached is exit 3" \
    "$shop" --db "host=127.0.0.1 port=1 connect_timeout=2" up
expect_exit 2 "--only with a service that does not exist is exit 2" "$shop" up --only catalog,nosuch
check "the message names it" contains "$err" "'nosuch'"
expect_exit 2 "an unknown option is exit 2" "$shop" up --bogus
expect_exit 0 "migrate" "$shop" db migrate

expect_exit 3 "status with nothing running is exit 3" "$shop" --json status
check "it still lists every service, down" [ "$(printf '%s' "$out" | grep -c '"state":[[:space:]]*"down"')" -eq 9 ]
check "with its address" contains "$out" "\"address\":	\"http://127.0.0.1:$((port + 1))\""
check "and says which are down in one line" contains "$err" "9 of 9 services down"
expect_exit 2 "status --only with a service that does not exist is exit 2" "$shop" status --only nosuch
expect_exit 2 "status --only with no name at all is exit 2" "$shop" status --only ""

working=""
for s in catalog ordering inventory payments shipping reporting notifications payment-gateway carrier; do
    opens "$s" && working="$working $s"
done
echo "# services that open:${working:- none}"
check "every service of the table opens" \
    [ "$working" = " catalog ordering inventory payments shipping reporting notifications payment-gateway carrier" ]

# --- one process per service
"$shop" up >"$log" 2>&1 &
up=$!
wait_for "started carrier" 5
check "every service is started" sh -c '[ "$(grep -c "^shop up  *| started [a-z-]* (pid [0-9]*)$" "$1")" -ge 9 ]' _ "$log"
for s in catalog ordering inventory payments shipping reporting notifications payment-gateway carrier; do
    case " $working " in *" $s "*) ;; *)
        check "$s, which does not open yet, says why under its name" wait_for "^$s  *| shop: "
        check "$s is restarted after 0.5 s, then 1 s" wait_for "^shop up  *| $s (pid [0-9]*) exited with status [0-9]* after .* restarting in 1.0 s$"
        break ;;
    esac
done
if [ -n "$working" ]; then
    first=${working# }
    first=${first%% *}
    check "$first: shop status says up" wait_up $first
    pid1=$(status_pid "$first")
    check "$first: status gives the pid of one of the children" sh -c 'started_pids() { sed -n "s/.*started [a-z-]* (pid \([0-9]*\)).*/\1/p" "$1"; }; started_pids "$1" | grep -qx "$2"' _ "$log" "$pid1"
    kill -KILL "$pid1"
    check "$first: its death is reported" wait_for "$first (pid $pid1) killed by signal 9"
    check "$first: it is up again" wait_up $first
    pid2=$(status_pid "$first")
    check "$first: with a new pid" sh -c '[ -n "$1" ] && [ "$1" != "$2" ]' _ "$pid2" "$pid1"
    check "$first's output is prefixed with its name" wait_for "^$first  *| $first: listening on http://127.0.0.1:"
else
    skip "a service up, killed and restarted with a new pid" "no service opens yet"
fi
pids=$(started_pids)
stop_up $up
check "SIGTERM: shop up exits 0" [ "$status" = 0 ]
check "it says it stopped" [ "$(tail -n 1 "$log" | tr -s ' ')" = "shop up | stopped" ]
left=""
for p in $pids; do alive "$p" && left="$left $p"; done
check "no child is left running" [ -z "$left" ]
expect_exit 3 "nothing listens any more" "$shop" status

# --- a service whose address is taken
if [ -n "$working" ]; then
    "$shop" serve "$first" >"$tap_tmp/squatter" 2>&1 &
    squatter=$!
    wait_up $first
    "$shop" up --only "$first" >"$log" 2>&1 &
    up=$!
    check "an address taken: the service's one-line error under its name" \
        wait_for "^$first  *| shop: .*cannot listen on 127.0.0.1:[0-9]*: "
    check "and it is restarted with backoff" wait_for "restarting in 1.0 s"
    stop_up $up
    check "shop up still stops with exit 0" [ "$status" = 0 ]
    check "the other process keeps the address" alive $squatter
    kill -TERM $squatter
    wait $squatter
else
    skip "an address taken: error and backoff" "no service opens yet"
fi

# --- the monolith
contexts=""
for s in $working; do case $s in payment-gateway | carrier) ;; *) contexts="$contexts,$s" ;; esac; done
contexts=${contexts#,}
if [ -n "$contexts" ]; then
    "$shop" up --monolith --only "$contexts,carrier" >"$log" 2>&1 &
    up=$!
    check "monolith: every context is up" wait_up $(echo "$contexts" | tr ',' ' ')
    same=yes
    for s in $(echo "$contexts" | tr ',' ' '); do [ "$(status_pid "$s")" = "$up" ] || same=no; done
    check "monolith: one pid, shop up's own, for every context" [ "$same" = yes ]
    case " $working " in *" carrier "*)
        check "monolith: the carrier, an external system, is up" wait_up carrier
        check "monolith: in a process of its own" sh -c '[ -n "$1" ] && [ "$1" != "$2" ]' _ "$(status_pid carrier)" "$up" ;;
    esac
    stop_up $up
    check "monolith: SIGTERM exits 0" [ "$status" = 0 ]
    expect_exit 3 "monolith: nothing listens any more" "$shop" status --only "$contexts"
else
    expect_exit 3 "monolith: a context that cannot open stops the start (exit 3)" \
        timeout 30 "$shop" up --monolith --only catalog
    check "in one line naming it" contains "$err" "catalog"
    skip "monolith: contexts up in one process" "no context opens yet"
fi

done_testing
