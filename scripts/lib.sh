# scripts/lib.sh — shared by scripts/test and scripts/demo: install what is missing,
# build, and find PostgreSQL.  Sourced, not run.  POSIX sh.

PG_MAJOR=15
PACKAGES="gcc make autoconf automake libtool pkg-config
libpq-dev libcjson-dev libcriterion-dev libssl-dev libevent-dev
postgresql-$PG_MAJOR postgresql-client-$PG_MAJOR postgresql-common
python3-jsonschema"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo "$@"
    else die "need root to run: $* (install sudo, or run as root)"
    fi
}

# Installs the Debian packages of $PACKAGES that are not installed yet.
install_missing_packages() {
    missing=""
    for p in $PACKAGES; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
            missing="$missing $p"
        fi
    done
    [ -z "$missing" ] && return 0
    command -v apt-get >/dev/null 2>&1 || die "missing packages:$missing (and no apt-get to install them)"
    say "installing Debian packages:$missing"
    # A fresh machine may have no package lists yet: update once, then retry.
    # shellcheck disable=SC2086
    if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing; then
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
    fi
}

# build BUILD_DIR [configure flags...]: autoreconf once, configure once per build
# directory (again when the flags change), then make.
build() {
    build_dir=$1; shift
    if [ ! -x ./configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt configure ]; then
        say "autoreconf"
        autoreconf -fi >/dev/null
    fi
    mkdir -p "$build_dir"
    flags="$*"
    if [ ! -f "$build_dir/Makefile" ] || [ "$(cat "$build_dir/.configure-flags" 2>/dev/null)" != "$flags" ]; then
        say "configure $flags (in $build_dir)"
        # shellcheck disable=SC2086
        src=$(pwd)
        (cd "$build_dir" && "$src/configure" --quiet $flags) || die "configure failed; see $build_dir/config.log"
        printf '%s' "$flags" > "$build_dir/.configure-flags"
    fi
    say "make (in $build_dir)"
    make -C "$build_dir" -j"$(nproc 2>/dev/null || echo 2)" >/dev/null || die "build failed"
}

pg_bindir() {
    d=/usr/lib/postgresql/$PG_MAJOR/bin
    [ -x "$d/postgres" ] || die "PostgreSQL $PG_MAJOR server not found in $d"
    printf '%s' "$d"
}
