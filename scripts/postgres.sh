# Sourced by test.sh and bench.sh: a throwaway PostgreSQL on loopback, stopped on exit.
# Installs Debian's postgresql if no server binaries are present. Sets DATABASE_URL_PG.

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

ensure_postgres_installed() {
  if [ -z "$(pg_bin)" ]; then
    echo "== installing PostgreSQL from Debian packages"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
}

start_postgres() {  # $1: extra server options (e.g. fsync=off for tests only)
  ensure_postgres_installed
  local bin; bin=$(pg_bin)
  PG_DIR=$(mktemp -d /tmp/detoxflow-pg.XXXXXX)
  chown postgres "$PG_DIR"
  PG_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  su postgres -c "$bin/initdb -D $PG_DIR/data -A trust -U postgres" >/dev/null
  su postgres -c "$bin/pg_ctl -D $PG_DIR/data -l $PG_DIR/log -w start -o \"-k $PG_DIR -p $PG_PORT -c listen_addresses=127.0.0.1 $1\"" >/dev/null
  PG_BIN=$bin
  DATABASE_URL_PG="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
  trap stop_postgres EXIT
  echo "== PostgreSQL $($bin/postgres --version | awk '{print $3}') on 127.0.0.1:$PG_PORT"
}

stop_postgres() {
  if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ]; then
    su postgres -c "$PG_BIN/pg_ctl -D $PG_DIR/data -m fast -w stop" >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
}
