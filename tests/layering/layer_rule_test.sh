#!/bin/sh
#
# tests/layering/layer_rule_test.sh — the dependency rule of docs/architecture.md §4, as a
# TAP test in `make check`.
#
# The first test runs tests/layering/check-layers.sh on the real source tree.  The
# others prove that the checker would notice if the rule were broken: each plants one
# violation in a throw-away copy of the tree and expects the checker to fail and to
# name the planted file and line.  A checker that silently passes everything would
# otherwise look exactly like a tree that keeps the rule.
#
# Run by automake's tap-driver.sh with top_srcdir in the environment; by hand:
#   top_srcdir=. sh tests/layering/layer_rule_test.sh
# Read next: tests/layering/check-layers.sh (the rule itself), docs/testing.md

set -u
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
. "$top_srcdir/tests/support/tap.sh"
checker=$top_srcdir/tests/layering/check-layers.sh
tree=$tap_tmp/tree     # tap.sh removes $tap_tmp when the test ends
output=$tap_tmp/output

# A fresh copy of the three rings of the real tree; nothing else is needed.
fresh_tree() {
    rm -rf "$tree"
    mkdir -p "$tree"
    for ring in domain application infrastructure; do
        if [ -d "$top_srcdir/$ring" ]; then
            cp -R "$top_srcdir/$ring" "$tree/$ring"
        fi
    done
}

# plant FILE LINE...: writes FILE (a path inside the tree) with a header comment and
# an innocent include on lines 1-3, then the given lines from line 4 on.
plant() {
    file=$1
    shift
    mkdir -p "$(dirname "$tree/$file")"
    {
        echo "/* $file — planted by tests/layering/layer_rule_test.sh */"
        echo "#include <stddef.h>"
        echo ""
        for line in "$@"; do
            echo "$line"
        done
    } >"$tree/$file"
}

# refused DESCRIPTION FILE INCLUDE: plants INCLUDE at line 4 of FILE in a fresh copy and
# expects the checker to fail, naming FILE:4.
refused() {
    fresh_tree
    plant "$2" "$3"
    if sh "$checker" "$tree" >"$output" 2>&1; then
        echo "check-layers.sh passed a tree with a violation planted in $2" >>"$output"
        tap_result 1 "$1" "$output"
    elif grep -q "^$2:4: " "$output"; then
        tap_result 0 "$1"
    else
        echo "check-layers.sh failed, but did not name $2:4" >>"$output"
        tap_result 1 "$1" "$output"
    fi
}

# accepted DESCRIPTION FILE LINE...: plants the lines in a fresh copy; the checker must
# pass.
accepted() {
    description=$1
    shift
    fresh_tree
    plant "$@"
    sh "$checker" "$tree" >"$output" 2>&1
    tap_result $? "$description" "$output"
}

sh "$checker" "$top_srcdir" >"$output" 2>&1
tap_result $? "the source tree keeps the dependency rule" "$output"

refused "a domain file that includes libpq is refused" \
    domain/shared/planted.c '#  include <libpq-fe.h>  /* the database, in the domain */'
refused "a domain file that includes an infrastructure header is refused" \
    domain/shared/planted.c '#include "infrastructure/postgres/connection.h"'
refused "an application file that includes cJSON is refused" \
    application/operations/planted.c '#include <cjson/cJSON.h> // JSON belongs to adapters'
refused "an application file that includes an infrastructure header is refused" \
    application/operations/planted.c '# include "infrastructure/postgres/connection.h"'
refused "the ordering domain including the payments domain is refused" \
    domain/ordering/planted.c '#include "domain/payments/payment.h"'
refused "an application service including another context's application port is refused" \
    application/ordering/planted.c '#include "application/payments/payment_gateway.h"'
refused "the shared kernel including a context is refused" \
    domain/shared/planted.c '#include "domain/ordering/order.h"'
refused "the event-store port including a context's domain is refused" \
    application/eventstore/planted.c '#include "domain/ordering/order.h"'
accepted "an adapter of a context may use the event-store port" \
    infrastructure/ordering/planted.c '#include "application/eventstore/event_store.h"'
refused "the messaging building block including a context's domain is refused" \
    application/messaging/planted.c '#include "domain/catalog/product.h"'
accepted "an application service of a context may use the messaging building block" \
    application/notifications/planted.c '#include "application/messaging/message.h"'
refused "Ordering's application (where the saga lives) including another context's port is refused" \
    application/ordering/planted.c '#include "application/payments/payment_gateway.h"'
accepted "an include inside a comment is not a violation" \
    domain/shared/planted.c '/* for example, never in domain/:' '#include <libpq-fe.h>' '*/'

done_testing
