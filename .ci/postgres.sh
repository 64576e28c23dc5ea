#!/usr/bin/env bash
# Installs PostgreSQL (Debian package) when missing, starts a private cluster for the
# tests and prints the line to export its URL:
#
#   eval "$(bash .ci/postgres.sh)"      # sets DATABASE_URL
#   bash .ci/postgres.sh stop           # stops the cluster again
#
# The cluster lives in CURIO_PG_DIR (default /tmp/curio-pg) and listens on 127.0.0.1:CURIO_PG_PORT
# (default 55432) with trust authentication: a throwaway database for tests, never for data.
# Running it again while the cluster is up only prints the URL. Everything but the export
# line goes to stderr.
set -euo pipefail

PGDIR="${CURIO_PG_DIR:-/tmp/curio-pg}"
PORT="${CURIO_PG_PORT:-55432}"
DATA="$PGDIR/data"
LOG="$PGDIR/server.log"

log() { echo "postgres.sh: $*" >&2; }

find_bin() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && echo "$d"
  return 0
}

BIN=$(find_bin)
if [ -z "$BIN" ]; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    log "PostgreSQL is not installed and cannot be installed here (needs root and apt-get)"
    exit 1
  fi
  log "installing PostgreSQL from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  BIN=$(find_bin)
  [ -n "$BIN" ] || { log "PostgreSQL installed, but no initdb/pg_ctl under /usr/lib/postgresql"; exit 1; }
fi

# initdb refuses to run as root: run the server as the postgres system user then
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir "$PGDIR" --shell /usr/sbin/nologin postgres
  as_owner() { runuser -u postgres -- "$@"; }
  OWNER=postgres
else
  as_owner() { "$@"; }
  OWNER=$(id -un)
fi

if [ "${1:-}" = "stop" ]; then
  if [ -f "$DATA/postmaster.pid" ]; then as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >&2; fi
  exit 0
fi

mkdir -p "$PGDIR"
chown "$OWNER" "$PGDIR"
chmod 700 "$PGDIR"

if [ ! -f "$DATA/PG_VERSION" ]; then
  log "initialising a cluster in $DATA"
  as_owner "$BIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null 2>"$PGDIR/initdb.log" \
    || as_owner "$BIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --no-locale >&2
fi

if ! as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
  log "starting PostgreSQL on 127.0.0.1:$PORT"
  # test files create a database each and run in parallel: room for their pools;
  # durability is not needed for a throwaway test cluster
  as_owner "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 \
    -o "-p $PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$PGDIR -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >&2 || { cat "$LOG" >&2; exit 1; }
fi

for _ in $(seq 1 50); do
  if "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT"; then break; fi
  sleep 0.2
done
"$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" || { log "PostgreSQL did not become ready"; cat "$LOG" >&2; exit 1; }

echo "export DATABASE_URL=postgres://postgres@127.0.0.1:$PORT/postgres"
