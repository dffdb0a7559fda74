# Throwaway PostgreSQL cluster for tests. Source it, then call pg_cluster_start / pg_cluster_stop.
# pg_cluster_start sets NC_TEST_PG_URL. As root the cluster runs as an unprivileged user,
# because PostgreSQL refuses to run as root.

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_TEST_USER=${PG_TEST_USER:-nc-pgtest}

_pg_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u "$PG_TEST_USER" -- "$@"
  else
    "$@"
  fi
}

_pg_free_port() {
  local port
  for _ in $(seq 1 200); do
    # Below the kernel's ephemeral range (32768 and up here): a port an outgoing connection
    # holds answers no connect test, yet cannot be listened on.
    port=$((20000 + RANDOM % 12000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  return 1
}

pg_cluster_start() {
  if [ "$(id -u)" -eq 0 ] && ! id "$PG_TEST_USER" >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_TEST_USER"
  fi
  PG_TEST_DIR=$(mktemp -d /tmp/nc-pg.XXXXXX)
  chmod 755 "$PG_TEST_DIR"
  [ "$(id -u)" -eq 0 ] && chown "$PG_TEST_USER" "$PG_TEST_DIR"
  PG_TEST_PORT=$(_pg_free_port)
  _pg_as_owner "$PG_BIN/initdb" -D "$PG_TEST_DIR/data" -U postgres -A trust --no-sync \
    -E UTF8 --locale=C.UTF-8 >"$PG_TEST_DIR/initdb.log" 2>&1 ||
    { cat "$PG_TEST_DIR/initdb.log"; return 1; }
  _pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_TEST_DIR/data" -l "$PG_TEST_DIR/server.log" -w -t 60 \
    -o "-p $PG_TEST_PORT -k $PG_TEST_DIR -c listen_addresses=127.0.0.1 -c fsync=off \
        -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null ||
    { cat "$PG_TEST_DIR/server.log"; return 1; }
  export NC_TEST_PG_URL="postgresql://postgres@127.0.0.1:$PG_TEST_PORT/postgres"
  export PG_TEST_DIR PG_TEST_PORT
  echo "PostgreSQL test cluster on port $PG_TEST_PORT ($PG_TEST_DIR)"
}

pg_cluster_stop() {
  [ -n "${PG_TEST_DIR:-}" ] || return 0
  _pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_TEST_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$PG_TEST_DIR"
  PG_TEST_DIR=
}
