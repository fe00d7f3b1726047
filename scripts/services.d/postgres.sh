#!/usr/bin/env bash
# PostgreSQL for the data/Postgres and data/SqlScript tests (idempotent; instant when already up):
#  1. installs Debian's `postgresql` when no server binary is present (root + apt only);
#  2. creates a cluster if there is none and starts it (Debian's default listens on localhost:5432);
#  3. creates the test role and database: actorflow / actorflow, database actorflow_test
#     (the tests' default ACTORFLOW_TEST_PG_URL=postgres://actorflow:actorflow@127.0.0.1:5432/actorflow_test).
# Where it cannot (not root, no apt), it says so and exits 0: the tests then skip, except under CI.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../apt.sh"
say() { echo "actorflow: postgres: $*" >&2; }
ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
as_postgres() { runuser -u postgres -- "$@"; }

if ready && PGPASSWORD=actorflow psql -h 127.0.0.1 -U actorflow -d actorflow_test -tAc 'SELECT 1' >/dev/null 2>&1; then
  exit 0
fi
if ! can_apt; then
  say "PostgreSQL is not running with the test database and only root with apt can set it up; its tests will skip"
  exit 0
fi

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  say "installing postgresql"
  apt_install postgresql
fi

if ! ready; then
  # pg_lsclusters -h: "<version> <name> <port> <status> <owner> <datadir> <log>"
  cluster="$(pg_lsclusters -h | awk '$3 == 5432 { print $1 " " $2; exit }')"
  if [ -z "$cluster" ]; then
    version="$(ls /usr/lib/postgresql | sort -V | tail -1)"
    say "creating cluster $version/main on port 5432"
    pg_createcluster --port 5432 "$version" main >/dev/null
    cluster="$version main"
  fi
  say "starting cluster $cluster"
  # shellcheck disable=SC2086 # "<version> <name>" are two arguments
  pg_ctlcluster $cluster start
  for _ in $(seq 1 100); do ready && break; sleep 0.1; done
  ready || { say "the server did not come up within 10 s; see /var/log/postgresql/"; exit 1; }
fi

if [ "$(as_postgres psql -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'actorflow'")" != 1 ]; then
  as_postgres psql -q -c "CREATE ROLE actorflow LOGIN PASSWORD 'actorflow'"
fi
if [ "$(as_postgres psql -tAc "SELECT 1 FROM pg_database WHERE datname = 'actorflow_test'")" != 1 ]; then
  as_postgres psql -q -c "CREATE DATABASE actorflow_test OWNER actorflow"
fi
say "ready on 127.0.0.1:5432 (database actorflow_test)"
