# tests/support/http.sh — for shell tests that watch a running system, sourced after
# tap.sh: a plain HTTP GET, and waiting for a condition with a deadline (never a fixed
# sleep).
#   http_get URL              the body on stdout; exit 0 for a 2xx answer, 1 for another,
#                             3 for none
#   eventually SECONDS CMD... runs CMD (quietly) until it succeeds; 1 if it has not by then
#   replica_has URL SKU PRICE [VERSION]
#                             Ordering at URL prices SKU at PRICE ("19.90 EUR") in its
#                             replica of Catalog's prices (GET /prices/SKU), from that
#                             catalog_version if given (docs/api/ordering.md)

# HTTP/1.0 over bash's /dev/tcp: nothing to install, and quick enough to poll with.
http_get() {
    bash -c '
        rest=${1#http://} && hostport=${rest%%/*} && path=/${rest#*/}
        exec 3<>"/dev/tcp/${hostport%:*}/${hostport##*:}" || exit 3
        printf "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n" "$path" "$hostport" >&3
        IFS= read -r status <&3 || exit 3
        while IFS= read -r line <&3 && [ "${line%$(printf "\r")}" != "" ]; do :; done
        cat <&3
        case $status in "HTTP/1."?" 2"*) exit 0 ;; *) exit 1 ;; esac' _ "$1" 2>/dev/null
}

eventually() {
    eventually_deadline=$(($(date +%s) + $1))
    shift
    until "$@" >/dev/null 2>&1; do
        [ "$(date +%s)" -ge "$eventually_deadline" ] && return 1
        sleep 0.1
    done
}

replica_has() {
    http_get "$1/prices/$2" |
        grep -q "\"price\":\"$3\",\"catalog_version\":${4:-[0-9]*}[,}]"
}
