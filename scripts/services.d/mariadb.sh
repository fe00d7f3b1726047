#!/usr/bin/env bash
# MariaDB for the data/MySql and data/SqlScript tests (idempotent; instant when already up):
#  1. installs Debian's `mariadb-server` when it is missing (root + apt only);
#  2. starts the server (Debian's default binds 127.0.0.1:3306) unless it already answers;
#  3. creates the test user and database: actorflow / actorflow, database actorflow_test
#     (the tests' default ACTORFLOW_TEST_MYSQL_URL=mysql://actorflow:actorflow@127.0.0.1:3306/actorflow_test).
# Where it cannot (not root, no apt), it says so and exits 0: the tests then skip, except under CI.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../apt.sh"
say() { echo "actorflow: mariadb: $*" >&2; }
alive() { mariadb-admin --protocol=socket ping >/dev/null 2>&1; }
test_login() { mariadb -h 127.0.0.1 -P 3306 -u actorflow -pactorflow actorflow_test -e 'SELECT 1' >/dev/null 2>&1; }
LOG=/var/log/actorflow-mariadb.log

command -v mariadb >/dev/null 2>&1 && test_login && exit 0
if ! can_apt; then
  say "MariaDB is not running with the test database and only root with apt can set it up; its tests will skip"
  exit 0
fi

if ! command -v mariadbd >/dev/null 2>&1; then
  say "installing mariadb-server"
  apt_install mariadb-server
fi

if ! alive; then
  say "starting mariadbd (log: $LOG)"
  install -d -o mysql -g mysql /run/mysqld
  [ -d /var/lib/mysql/mysql ] || mariadb-install-db --user=mysql --datadir=/var/lib/mysql >/dev/null
  nohup mariadbd-safe --user=mysql --bind-address=127.0.0.1 --port=3306 >"$LOG" 2>&1 </dev/null &
  for _ in $(seq 1 300); do alive && break; sleep 0.1; done
  alive || { say "the server did not come up within 30 s; see $LOG and /var/log/mysql/"; exit 1; }
fi

mariadb --protocol=socket <<'SQL'
CREATE DATABASE IF NOT EXISTS actorflow_test;
CREATE USER IF NOT EXISTS 'actorflow'@'127.0.0.1' IDENTIFIED BY 'actorflow';
CREATE USER IF NOT EXISTS 'actorflow'@'localhost' IDENTIFIED BY 'actorflow';
GRANT ALL PRIVILEGES ON actorflow_test.* TO 'actorflow'@'127.0.0.1';
GRANT ALL PRIVILEGES ON actorflow_test.* TO 'actorflow'@'localhost';
SQL
say "ready on 127.0.0.1:3306 (database actorflow_test)"
