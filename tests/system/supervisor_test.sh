#!/bin/sh
# tests/system/supervisor_test.sh — what `shop up` promises about its children, checked on
# the supervisor itself (tests/system/supervise: shell commands as children, short delays):
# every line of a child comes out prefixed with its name; a child that dies is started
# again with a new pid, after delays that double up to a bound; a stop signal ends every
# child (SIGKILL for one that ignores SIGTERM) and exits 0; if the supervisor is killed,
# its children die too.  Needs no database and no service.
set -u
. "$top_srcdir/tests/support/tap.sh"
supervise=$top_builddir/tests/system/supervise
log=$tap_tmp/supervise.out

# alive PID: the process exists and is not a zombie
alive() { [ -d "/proc/$1" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }
# wait_for PATTERN [SECONDS]: until the supervisor's output has a line matching PATTERN
wait_for() {
    tries=$((${2:-5} * 10))
    while [ "$tries" -gt 0 ]; do
        grep -q -- "$1" "$log" && return 0
        sleep 0.1
        tries=$((tries - 1))
    done
    return 1
}
# wait_gone PID [SECONDS]
wait_gone() {
    tries=$((${2:-5} * 10))
    while [ "$tries" -gt 0 ]; do
        alive "$1" || return 0
        sleep 0.1
        tries=$((tries - 1))
    done
    return 1
}
# the pid of the last "started NAME (pid N)"
started_pid() { sed -n "s/.*started $1 (pid \([0-9]*\)).*/\1/p" "$log" | tail -n 1; }

# --- one run with four children
"$supervise" "alpha=printf 'hello\\nno newline at the end'; exec sleep 60" \
    "beta=exec sleep 60" "gamma=echo failing; exit 3" \
    "delta=trap '' TERM; echo ignoring SIGTERM; while :; do sleep 0.1; done" >"$log" 2>&1 &
sup=$!

check "a child's line comes out after its name, aligned" wait_for '^alpha     | hello$'
check "the supervisor's own lines are prefixed too" wait_for '^supervise | started beta (pid [0-9]*)$'
check "a failing child's output is shown" wait_for '^gamma     | failing$'
check "its end is explained: status and time up" \
    wait_for '^supervise | gamma (pid [0-9]*) exited with status 3 after [0-9.]* s; restarting in 0.2 s$'
check "the next delay doubles" wait_for 'gamma (pid [0-9]*) exited with status 3 .*restarting in 0.4 s$'
check "and stops doubling at the bound" wait_for 'gamma (pid [0-9]*) exited with status 3 .*restarting in 0.8 s$'
sleep 1
check "the bound holds" [ "$(grep -c 'gamma .*restarting in 1.6 s' "$log")" -eq 0 ]

beta=$(started_pid beta)
check "beta runs" alive "$beta"
kill -KILL "$beta"
check "a killed child is reported with its signal" wait_for "beta (pid $beta) killed by signal 9 (Killed) after"
check "and started again" wait_for "restarting in 0.2 s" 
check "with a new pid" sh -c 'for i in $(seq 20); do p=$(sed -n "s/.*started beta (pid \([0-9]*\)).*/\1/p" "$1" | tail -n 1); [ "$p" != "$2" ] && exit 0; sleep 0.1; done; exit 1' _ "$log" "$beta"
beta2=$(started_pid beta)
check "the new beta runs" alive "$beta2"

alpha=$(started_pid alpha)
delta=$(started_pid delta)
kill -TERM "$sup"
status=0
wait "$sup" || status=$?
check "SIGTERM: the supervisor exits 0" [ "$status" = 0 ]
check "it says why it stops" grep -q '^supervise | SIGTERM: stopping$' "$log"
check "a child that ignores SIGTERM gets SIGKILL after the grace time" \
    grep -q "delta (pid $delta) still running 1 s after SIGTERM: SIGKILL" "$log"
check "and is reaped" grep -q "delta (pid $delta) killed by signal 9" "$log"
check "a child's last line without a newline is not lost" grep -q '^alpha     | no newline at the end$' "$log"
check "no child is left: alpha" sh -c '! [ -d /proc/$1 ]' _ "$alpha"
check "no child is left: beta" sh -c '! [ -d /proc/$1 ]' _ "$beta2"
check "no child is left: delta" sh -c '! [ -d /proc/$1 ]' _ "$delta"
check "no restart after the stop" [ "$(sed -n '/SIGTERM: stopping/,$p' "$log" | grep -c 'started ')" -eq 0 ]
check "the last line says it stopped" [ "$(tail -n 1 "$log")" = "supervise | stopped" ]

# --- SIGHUP (the terminal went away) stops everything too
"$supervise" "one=exec sleep 60" >"$log" 2>&1 &
sup=$!
wait_for 'started one'
one=$(started_pid one)
kill -HUP "$sup"
status=0
wait "$sup" || status=$?
check "SIGHUP: the supervisor exits 0" [ "$status" = 0 ]
check "SIGHUP: its child is gone" sh -c '! [ -d /proc/$1 ]' _ "$one"

# --- a supervisor killed without a chance to clean up still leaves no child behind
"$supervise" "orphan=exec sleep 60" >"$log" 2>&1 &
sup=$!
wait_for 'started orphan'
orphan=$(started_pid orphan)
check "the child runs" alive "$orphan"
kill -KILL "$sup"
wait "$sup" 2>/dev/null
check "SIGKILL to the supervisor: its child dies too" wait_gone "$orphan"

# --- usage
run "$supervise" "no-equals-sign"
check "a bad argument is exit 2" [ "$status" = 2 ]

done_testing
