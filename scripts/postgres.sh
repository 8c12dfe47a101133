#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests, on 127.0.0.1 only, in a temporary folder.
#
#   eval "$(bash scripts/postgres.sh start)"   # prints the exports below, logs to stderr
#   ... swift test ...                         # SSCL_TEST_POSTGRES_URL is set
#   bash scripts/postgres.sh stop              # stops it and deletes the folder
#
# `start` runs Debian's initdb and pg_ctl (/usr/lib/postgresql/*/bin, from the `postgresql`
# package) as an unprivileged user: the caller, or when run as root the `postgres` system user
# (created if missing). The server listens on a free port, password authentication over TCP,
# and gets a superuser role `sscl_test` (the tests create and drop a database per store).
# It prints:
#   export SSCL_TEST_POSTGRES_URL=postgres://sscl_test:...@127.0.0.1:PORT/postgres
#   export SSCL_TEST_POSTGRES_DIR=/tmp/sscl-postgres.XXXX    (what `stop` needs)
set -euo pipefail

bindir() {
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [[ -n "$found" && -x "$found/initdb" ]]; then echo "$found"; return; fi
  if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return; fi
  echo "postgres.sh: no initdb found; install Debian's postgresql package (bash scripts/setup.sh --test)" >&2
  exit 1
}

# Runs a command as the server's unprivileged owner.
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u "$owner" -- "$@"
  else
    "$@"
  fi
}

free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
    return
  fi
  local port
  for port in $(seq 54320 54420); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
  echo "postgres.sh: no free port in 54320-54420" >&2
  exit 1
}

owner=$(id -un)
if [[ $(id -u) -eq 0 ]]; then
  owner=postgres
  if ! id "$owner" >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin "$owner"
  fi
fi

case "${1:-}" in
  start)
    bin=$(bindir)
    dir=$(mktemp -d /tmp/sscl-postgres.XXXXXX)
    chmod 700 "$dir"
    [[ $(id -u) -eq 0 ]] && chown "$owner" "$dir"
    password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
    printf '%s\n' "$password" > "$dir/pwfile"
    [[ $(id -u) -eq 0 ]] && chown "$owner" "$dir/pwfile"
    # The bootstrap superuser is the test role itself: no other role exists.
    as_owner "$bin/initdb" -D "$dir/data" --username=sscl_test --pwfile="$dir/pwfile" \
      --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    rm -f "$dir/pwfile"
    port=$(free_port)
    # Unix sockets in the folder itself (not /var/run/postgresql, which only root may create);
    # no fsync (the data is thrown away) unless SSCL_POSTGRES_FSYNC=on (benchmarks/store.py:
    # a benchmark measures the durable server users run).
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -c listen_addresses=127.0.0.1 -k $dir -c fsync=${SSCL_POSTGRES_FSYNC:-off} -c max_connections=200" start >&2 \
      || { cat "$dir/server.log" >&2; exit 1; }
    echo "postgres.sh: PostgreSQL $("$bin/pg_ctl" --version | awk '{print $3}') on 127.0.0.1:$port, data in $dir" >&2
    echo "export SSCL_TEST_POSTGRES_URL=postgres://sscl_test:$password@127.0.0.1:$port/postgres"
    echo "export SSCL_TEST_POSTGRES_DIR=$dir"
    ;;
  stop)
    dir="${2:-${SSCL_TEST_POSTGRES_DIR:-}}"
    if [[ -z "$dir" || ! -d "$dir" ]]; then echo "postgres.sh stop: give the folder (or set SSCL_TEST_POSTGRES_DIR)" >&2; exit 1; fi
    if [[ "$dir" != /tmp/sscl-postgres.* ]]; then echo "postgres.sh stop: $dir is not a folder this script made" >&2; exit 1; fi
    bin=$(bindir)
    if [[ -f "$dir/data/postmaster.pid" ]]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >&2 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: eval \"\$(bash scripts/postgres.sh start)\"; bash scripts/postgres.sh stop [DIR]" >&2
    exit 2
    ;;
esac
