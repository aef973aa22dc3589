#!/usr/bin/env bash
# A throwaway PostgreSQL server for the test suite and the benchmark.
#
#   source .ci/postgres.sh; pg_start; ...; pg_stop      (what .ci/run does; sets PG_URL)
#   .ci/postgres.sh start    prints the URL;   .ci/postgres.sh stop
#
# Installs Debian's postgresql package when no server binaries are found, initdb's a
# cluster in a temporary folder (as the postgres user when run as root: initdb refuses
# root), starts it on 127.0.0.1 on a free port with durability off (fsync: test data
# only), creates the role and database "monitor" (the role may create databases: each
# test gets its own; pg_signal_backend lets the suite's final DROP DATABASE … WITH (FORCE)
# end background workers such as autovacuum, which run as no role), and prints postgresql+psycopg://monitor@127.0.0.1:PORT/monitor.

# One state file per calling shell (the sourcing shell, or the shell that runs this script),
# so two runs on one machine never stop each other's server; set PG_STATE_FILE to choose.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then _pg_caller=$PPID; else _pg_caller=$$; fi
PG_STATE_FILE="${PG_STATE_FILE:-/tmp/xicheng-monitor-pg.$(id -u).$_pg_caller.state}"

_pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [ -z "$dir" ]; then
    echo "== apt-get install postgresql" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    dir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  fi
  echo "$dir"
}

_pg_as_owner() {
  # initdb and postgres refuse to run as root: run them as the postgres user then.
  if [ "$(id -u)" = "0" ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

_pg_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

pg_start() {
  local bin dir port
  bin=$(_pg_bin)
  dir=$(mktemp -d /tmp/xicheng-pg.XXXXXX)
  chmod 755 "$dir"
  [ "$(id -u)" = "0" ] && chown postgres: "$dir"
  port=$(_pg_free_port)
  _pg_as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; return 1; }
  _pg_as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c autovacuum=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null || { cat "$dir/server.log" >&2; return 1; }
  "$bin/psql" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE monitor LOGIN CREATEDB" -c "GRANT pg_signal_backend TO monitor" -c "CREATE DATABASE monitor OWNER monitor" >/dev/null
  PG_URL="postgresql+psycopg://monitor@127.0.0.1:$port/monitor"
  export PG_URL
  printf '%s\n%s\n%s\n' "$bin" "$dir" "$PG_URL" >"$PG_STATE_FILE"
  echo "$PG_URL"
}

pg_stop() {
  [ -f "$PG_STATE_FILE" ] || return 0
  local bin dir
  bin=$(sed -n 1p "$PG_STATE_FILE")
  dir=$(sed -n 2p "$PG_STATE_FILE")
  _pg_as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir" "$PG_STATE_FILE"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  case "${1:-start}" in
    start) pg_start ;;
    stop) pg_stop ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
  esac
fi
