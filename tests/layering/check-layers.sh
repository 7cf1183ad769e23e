#!/bin/sh
#
# tests/layering/check-layers.sh — enforces the dependency rule of the hexagon
# (docs/architecture.md §4) by reading the #include lines of every .c and .h file.
#
#   domain/          may include libc headers and domain/ headers, nothing else;
#   application/     may include libc headers, domain/ and application/ headers:
#                    never infrastructure/, never a library (libpq, cJSON, libevent,
#                    OpenSSL, Criterion, ...); those belong to infrastructure/;
#   infrastructure/  may include anything.
#
# and, inside those rings, a bounded context sees only itself and the shared kernel:
#
#   domain/<ctx>/            domain/<ctx>/, domain/shared/
#   application/<ctx>/       application/<ctx>/, application/shared/,
#                            domain/<ctx>/, domain/shared/
#   infrastructure/<ctx>/    the same two rings of <ctx> and shared (plus anything
#                            from infrastructure/ and outside); infrastructure/<tech>/
#                            folders such as postgres/ or cli/ serve every context
#
# Building blocks: application/eventstore/ is not a context but a port that every
# event-sourced context (Ordering, Payments, Shipping) uses, and application/messaging/
# (integration messages, the observer dispatcher) serves every context that publishes or
# subscribes, so any context may include them; they, in turn, see only themselves and
# the shared kernel, never a context.
#
# No exception: the fulfilment saga lives in Ordering (domain/ordering/fulfilment.c) and
# reaches the other contexts only by messages on the bus (docs/adr/0011), so it includes
# nothing of theirs.
# The shared kernel is a context like the others here: domain/shared/ includes only
# domain/shared/.
#
# Usage: check-layers.sh SRCROOT
# Prints one line per violation,
#   domain/shared/money.c:12: domain/ may include only libc and domain/ headers, found <libpq-fe.h>
# and exits 1 if there is any, 0 if there is none, 2 on a usage error.
#
# How includes are read: `#include` with any spacing ("#  include"), both <...> and
# "..." forms, comments anywhere on the line; includes inside /* ... */ comments do not
# count.  A "..." header is looked up first next to the including file, then from
# SRCROOT, as the compiler does with -I$(srcdir).  The rule is textual: an include under
# `#if 0` still counts.  Needs only a POSIX shell, find, sort and awk (mawk will do).
# Read next: tests/layering/layer_rule_test.sh, which proves this script catches each
# kind of violation; docs/testing.md.

# ---------------------------------------------------------------------------------
# The libc allow-list: the headers domain/ and application/ may include with <...>.
# Adding a header here is a design decision: it must come with the C library, never
# from a package of its own.

# the C11 standard library
C11_HEADERS='
    assert.h complex.h ctype.h errno.h fenv.h float.h inttypes.h iso646.h limits.h
    locale.h math.h setjmp.h signal.h stdalign.h stdarg.h stdatomic.h stdbool.h
    stddef.h stdint.h stdio.h stdlib.h stdnoreturn.h string.h tgmath.h threads.h
    time.h uchar.h wchar.h wctype.h'

# POSIX.1-2008 (the headers it adds to C)
POSIX_HEADERS='
    aio.h arpa/inet.h cpio.h dirent.h dlfcn.h fcntl.h fmtmsg.h fnmatch.h ftw.h glob.h
    grp.h iconv.h langinfo.h libgen.h monetary.h mqueue.h ndbm.h net/if.h netdb.h
    netinet/in.h netinet/tcp.h nl_types.h poll.h pthread.h pwd.h regex.h sched.h
    search.h semaphore.h spawn.h strings.h stropts.h sys/ipc.h sys/mman.h sys/msg.h
    sys/resource.h sys/select.h sys/sem.h sys/shm.h sys/socket.h sys/stat.h
    sys/statvfs.h sys/time.h sys/times.h sys/types.h sys/uio.h sys/un.h
    sys/utsname.h sys/wait.h syslog.h tar.h termios.h ulimit.h unistd.h utime.h
    utmpx.h wordexp.h'

# glibc: byte order, and getrandom() for identifiers
GLIBC_HEADERS='
    endian.h sys/random.h'

LIBC_HEADERS="$C11_HEADERS $POSIX_HEADERS $GLIBC_HEADERS"

if [ $# -ne 1 ] || [ ! -d "$1" ]; then
    echo "usage: $0 SRCROOT" >&2
    exit 2
fi
cd "$1" || exit 2
if [ ! -d domain ]; then
    echo "$0: no domain/ in $1: is that the source tree?" >&2
    exit 2
fi

# Bounded contexts are the folders of domain/ and application/; the others found in
# infrastructure/ are technologies (postgres, messaging, cli, ...).
contexts=
for dir in domain/*/ application/*/; do
    [ -d "$dir" ] && contexts="$contexts $(basename "$dir")"
done

find domain application infrastructure -type f \( -name '*.c' -o -name '*.h' \) \
    2>/dev/null | LC_ALL=C sort |
awk -v libc_headers="$LIBC_HEADERS" -v context_names="$contexts" '
BEGIN {
    split(libc_headers, list)
    for (i in list)
        libc[list[i]] = 1
    # folders of application/ that serve every context, as application/shared/ does
    building_block["eventstore"] = 1
    building_block["messaging"] = 1
    split(context_names, list)
    for (i in list)
        if (list[i] != "shared" && !(list[i] in building_block))
            is_context[list[i]] = 1
    violations = 0
}

# The line without its comments.  in_comment carries a /* ... */ across lines; string
# and character literals are skipped so that "/*" inside one starts nothing.
function strip_comments(line,    out, i, n, c, two, quote) {
    if (!in_comment && index(line, "/") == 0)
        return line
    out = ""
    quote = ""
    n = length(line)
    for (i = 1; i <= n; i++) {
        c = substr(line, i, 1)
        two = substr(line, i, 2)
        if (in_comment) {
            if (two == "*/") { in_comment = 0; i++; out = out " " }
        } else if (quote != "") {
            out = out c
            if (c == "\\") { out = out substr(line, i + 1, 1); i++ }
            else if (c == quote) quote = ""
        } else if (two == "/*") {
            in_comment = 1; i++
        } else if (two == "//") {
            break
        } else {
            if (c == "\"" || c == "\047") quote = c
            out = out c
        }
    }
    return out
}

# "a/b/../c/./d.h" -> "a/c/d.h"; a path that climbs above SRCROOT keeps its "../".
function normalize(path,    parts, n, i, out, depth, stack) {
    n = split(path, parts, "/")
    depth = 0
    for (i = 1; i <= n; i++) {
        if (parts[i] == "" || parts[i] == ".")
            continue
        if (parts[i] == ".." && depth > 0 && stack[depth] != "..")
            depth--
        else
            stack[++depth] = parts[i]
    }
    out = ""
    for (i = 1; i <= depth; i++)
        out = out (i > 1 ? "/" : "") stack[i]
    return out
}

function exists(path,    probe, rc) {
    rc = (getline probe < path)
    if (rc >= 0)
        close(path)
    return rc >= 0
}

# Where a "..." include points, as a path from SRCROOT.
function resolve(file, header,    dir) {
    dir = file
    sub(/\/[^\/]*$/, "", dir)
    if (header ~ /^\.\.?\// || exists(dir "/" header))
        return normalize(dir "/" header)
    return normalize(header)
}

function layer_of(path) { return substr(path, 1, index(path "/", "/") - 1) }

# The context folder of a path: "ordering" for domain/ordering/order.c, "" for a file
# that sits directly in its layer, such as domain/rules.h (such files are treated as
# one more context, and may include each other and the shared kernel).
function context_of(path,    rest) {
    rest = substr(path, index(path, "/") + 1)
    if (index(rest, "/") == 0)
        return ""
    return substr(rest, 1, index(rest, "/") - 1)
}

function report(file, lineno, rule, found) {
    printf "%s:%d: %s, found %s\n", file, lineno, rule, found
    violations++
}

# May a file of context ctx (in layer) include the project header target?
function context_allows(layer, ctx, target,    tlayer, tctx) {
    tlayer = layer_of(target)
    if (tlayer != "domain" && tlayer != "application")
        return 1
    tctx = context_of(target)
    if (tctx == ctx || tctx == "shared")
        return 1
    # a building block serves every context, and no context serves it
    if (tlayer == "application" && (tctx in building_block))
        return 1
    return 0
}

function context_rule(layer, ctx,    own, rule) {
    own = ctx == "" ? "" : ctx "/"
    if (ctx == "shared" && layer == "domain")
        return "domain/shared/ is the shared kernel and may include only domain/shared/"
    if (ctx == "shared")
        return "application/shared/ may include only application/shared/ and domain/shared/"
    if (ctx in building_block)
        return "application/" ctx "/ serves every context and may include only itself, " \
            "application/shared/ and domain/shared/"
    if (ctx == "")
        return "a file directly in " layer "/ belongs to no context and may include only " \
            "the files beside it and the shared kernel"
    rule = layer "/" own " may include only "
    if (layer == "domain")
        return rule "domain/" own " and domain/shared/"
    rule = rule "application/" own ", application/shared/, domain/" own \
        " and domain/shared/"
    return rule
}

function check(file, lineno, code,    layer, ctx, delim, header, found, target) {
    layer = layer_of(file)
    ctx = context_of(file)
    sub(/^[ \t]*#[ \t]*include(_next)?[ \t]*/, "", code)
    delim = substr(code, 1, 1)
    if (delim == "<" && index(code, ">") > 0) {
        header = substr(code, 2, index(code, ">") - 2)
        found = "<" header ">"
    } else if (delim == "\"" && index(substr(code, 2), "\"") > 0) {
        header = substr(code, 2, index(substr(code, 2), "\"") - 1)
        found = "\"" header "\""
        target = resolve(file, header)
    } else {
        delim = ""
        found = "a computed #include " code
    }

    if (layer == "domain") {
        if (delim == "<" && (header in libc))
            return
        if (delim == "\"" && layer_of(target) == "domain") {
            if (context_allows(layer, ctx, target))
                return
            report(file, lineno, context_rule(layer, ctx), found)
            return
        }
        report(file, lineno, "domain/ may include only libc and domain/ headers", found)
    } else if (layer == "application") {
        if (delim == "<" && (header in libc))
            return
        if (delim == "\"" && layer_of(target) ~ /^(domain|application)$/) {
            if (context_allows(layer, ctx, target))
                return
            report(file, lineno, context_rule(layer, ctx), found)
            return
        }
        report(file, lineno,
            "application/ may include only libc, domain/ and application/ headers", found)
    } else if (delim == "\"" && (ctx in is_context) && !context_allows(layer, ctx, target)) {
        report(file, lineno, "infrastructure/" ctx "/ holds the adapters of context " ctx \
            " and may include only its own and the shared domain/ and application/ headers",
            found)
    }
}

{
    file = $0
    in_comment = 0
    lineno = 0
    while ((rc = (getline line < file)) > 0) {
        lineno++
        code = strip_comments(line)
        if (code ~ /^[ \t]*#[ \t]*include/)
            check(file, lineno, code)
    }
    if (rc < 0) {
        printf "%s: cannot be read\n", file
        violations++
    }
    close(file)
}

END { exit (violations > 0 ? 1 : 0) }
'
