#!/usr/bin/env bash
# Starts and stops a throwaway PostgreSQL server for the integration tests:
# a private cluster in a directory of the caller's choosing, listening only on
# 127.0.0.1 at a free port, with trust authentication and fsync off (or, with
# PG_DURABLE=1, PostgreSQL's durable defaults, for benchmarks whose figures
# must mean something). It never touches the system service, its clusters or
# port 5432.
#
#   scripts/pg.sh start DIR   installs Debian's postgresql package if it is
#                             missing, creates DIR, initialises a cluster in
#                             DIR/data, starts it and prints one line on
#                             stdout, the admin URL
#                               postgres://postgres@127.0.0.1:PORT/postgres
#   scripts/pg.sh stop DIR    stops that cluster if it runs; quiet otherwise,
#                             and never fails
#
# DIR must be creatable, and either not exist yet, be empty (a `mktemp -d` is
# fine) or hold a stopped cluster made by this script (it is started again, on
# a new port). Layout: DIR/data (the cluster), DIR/postgres.log (the server
# log), and the server's Unix socket in DIR itself.
#
# PostgreSQL refuses to run as root, so when run as root the cluster belongs
# to the `postgres` user: DIR is created owned by it, and if the directory DIR
# is created in (its nearest existing ancestor) is a private root directory,
# as `mktemp -d` makes, that gets o+x (search only) so that `postgres` can
# reach DIR. Any other unreachable ancestor is an error.
# When not run as root, everything runs as the current user.
#
# Only Debian's versioned binaries (/usr/lib/postgresql/N/bin, newest N) are
# used, never whatever `initdb` or `pg_ctl` is first on PATH.
set -euo pipefail

die() { echo "pg.sh: $*" >&2; exit 1; }
usage() { die "usage: $0 start DIR | $0 stop DIR"; }

[ $# -eq 2 ] || usage
cmd=$1
dir=$2
[ -n "$dir" ] || usage

is_root=false
[ "$(id -u)" -eq 0 ] && is_root=true

# Runs a command as USER (from / so that it never trips over an unreadable
# working directory), or directly when that is who we are already.
run_as() {
  local user=$1; shift
  if [ "$user" = "$(id -un)" ]; then
    (cd / && "$@")
  elif command -v runuser >/dev/null 2>&1; then
    (cd / && runuser -u "$user" -- "$@")
  else
    local q; printf -v q '%q ' "$@"
    (cd / && su "$user" -s /bin/sh -c "$q")
  fi
}

# The newest Debian PostgreSQL bin directory, or nothing.
pg_bindir() {
  local d best="" best_v=-1 v
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] || continue
    v=${d#/usr/lib/postgresql/}; v=${v%/bin}
    [[ $v =~ ^[0-9]+$ ]] || continue
    if [ "$v" -gt "$best_v" ]; then best_v=$v; best=$d; fi
  done
  [ -n "$best" ] && echo "$best"
}

# Same style as apt_install in scripts/setup.sh, but all output on stderr.
apt_install() {
  local SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  echo "pg.sh: installing Debian packages: $*" >&2
  $SUDO apt-get update -qq >&2
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# A TCP port on 127.0.0.1 that nothing listens on right now (never 5432).
free_port() {
  local p
  if command -v python3 >/dev/null 2>&1 &&
     p=$(python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])' 2>/dev/null) && [ "$p" != 5432 ]; then
    echo "$p"; return
  fi
  # No python3: try random high ports until one refuses connections.
  for _ in $(seq 100); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"; return
    fi
  done
  die "found no free port"
}

pg_start() {
  local bin
  bin=$(pg_bindir) || true
  if [ -z "$bin" ]; then
    apt_install postgresql
    bin=$(pg_bindir) || die "no /usr/lib/postgresql/*/bin/initdb after installing postgresql"
  fi

  local owner
  owner=$(id -un)
  if $is_root; then
    owner=postgres
    id -u postgres >/dev/null 2>&1 || die "there is no postgres user"
  fi

  # The nearest directory above DIR that exists already: the one that may
  # need o+x. Directories mkdir -p makes below it are 0755 anyway.
  [[ $dir = /* ]] || dir=$PWD/$dir
  local base
  base=$(dirname "$dir")
  while [ ! -d "$base" ]; do base=$(dirname "$base"); done

  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd -P)
  local data=$dir/data log=$dir/postgres.log

  # Unix socket paths are limited to 107 bytes.
  [ ${#dir} -le 90 ] || die "DIR is too long for a Unix socket path: $dir"

  if $is_root; then
    chown postgres: "$dir"
    chmod 700 "$dir"
    if ! run_as postgres test -x "$dir"; then
      base=$(cd "$base" && pwd -P)
      # Only a private directory of root's (as mktemp -d makes), never / or
      # root's home, and only search permission, not listing.
      if [ "$(stat -c %u "$base")" = 0 ] && [ "$base" != / ] &&
         [ "$base" != "$(cd ~root 2>/dev/null && pwd -P)" ]; then
        echo "pg.sh: chmod o+x $base so that postgres can reach $dir" >&2
        chmod o+x "$base"
      fi
      run_as postgres test -x "$dir" ||
        die "user postgres cannot reach $dir (an ancestor directory is not searchable)"
    fi
  fi

  if [ ! -f "$data/PG_VERSION" ]; then
    [ -z "$(ls -A "$data" 2>/dev/null)" ] || die "$data exists and is not a cluster"
    # initdb is chatty; show what it said only when it fails.
    local out
    out=$(run_as "$owner" "$bin/initdb" -D "$data" -A trust -U postgres --no-sync \
      -E UTF8 --locale=C 2>&1) || { echo "$out" >&2; die "initdb failed"; }
    # Settings that do not depend on the port; quotes in DIR are doubled.
    local sockdir=${dir//\'/\'\'}
    local durability="fsync = off
synchronous_commit = off
full_page_writes = off"
    [ "${PG_DURABLE:-0}" = 1 ] && durability="# durable: fsync, synchronous_commit and full_page_writes as shipped"
    cat >>"$data/postgresql.conf" <<EOF

# Added by scripts/pg.sh for a throwaway test server.
listen_addresses = '127.0.0.1'
unix_socket_directories = '$sockdir'
$durability
max_connections = 300
EOF
  elif run_as "$owner" "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    die "a server already runs in $data (run: $0 stop $dir)"
  fi

  # The port is free when picked but another process may take it before the
  # server binds it (two starts at once, say), so try a few ports.
  local port tries=0 logsize
  while :; do
    port=$(free_port)
    logsize=$(stat -c %s "$log" 2>/dev/null || echo 0)
    if run_as "$owner" "$bin/pg_ctl" -D "$data" -l "$log" -o "-p $port" \
         -w -t 60 -s start >&2; then
      break
    fi
    tries=$((tries + 1))
    if [ $tries -ge 5 ] || ! tail -c +"$((logsize + 1))" "$log" 2>/dev/null |
         grep 'could not bind\|Address already in use' >/dev/null; then
      tail -n 20 "$log" >&2 2>/dev/null || true
      die "the server did not start (log: $log)"
    fi
    echo "pg.sh: port $port was taken, trying another" >&2
  done

  local i
  for i in $(seq 120); do
    "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres && break
    [ "$i" -lt 120 ] || die "the server does not accept connections (log: $log)"
    sleep 0.5
  done

  echo "postgres://postgres@127.0.0.1:$port/postgres"
}

pg_stop() {
  local data=$dir/data
  [ -f "$data/postmaster.pid" ] || return 0
  local bin owner
  bin=$(pg_bindir) || return 0
  owner=$(stat -c %U "$data" 2>/dev/null) || return 0
  run_as "$owner" "$bin/pg_ctl" -D "$data" -m fast -w -t 60 -s stop >/dev/null 2>&1 || true
}

case $cmd in
  start) pg_start ;;
  stop) pg_stop || true ;;
  *) usage ;;
esac
