#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests (Debian's postgresql, installed when missing): its own
# cluster in $STEVEDORE_PG_DIR on 127.0.0.1:$STEVEDORE_PG_PORT, trust auth on loopback only, run as
# the postgres user. Sourced after ensure-engine.sh (for apt_install); exports STEVEDORE_TEST_PG_URL,
# the server's admin URL (tests make a database of their own on it), and stop_test_postgres.
set -euo pipefail

STEVEDORE_PG_DIR=${STEVEDORE_PG_DIR:-/tmp/stevedore-pg}
STEVEDORE_PG_PORT=${STEVEDORE_PG_PORT:-54329}
export STEVEDORE_TEST_PG_URL="postgresql://postgres@127.0.0.1:${STEVEDORE_PG_PORT}/postgres"

apt_install postgresql
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_postgres() { runuser -u postgres -- "$@"; }
pg_answers() { "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$STEVEDORE_PG_PORT"; }

STEVEDORE_STARTED_PG=0
if ! pg_answers; then
  if [ ! -f "$STEVEDORE_PG_DIR/PG_VERSION" ]; then
    install -d -o postgres -g postgres -m 700 "$STEVEDORE_PG_DIR"
    as_postgres "$pg_bin/initdb" -D "$STEVEDORE_PG_DIR" -U postgres --auth=trust --locale=C.UTF-8 --encoding=UTF8 >/dev/null
  fi
  # No fsync: a test database is thrown away, and the suite runs faster for it.
  as_postgres "$pg_bin/pg_ctl" -D "$STEVEDORE_PG_DIR" -l "$STEVEDORE_PG_DIR/server.log" -w -t 30 \
    -o "-h 127.0.0.1 -p $STEVEDORE_PG_PORT -k $STEVEDORE_PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" start >/dev/null
  STEVEDORE_STARTED_PG=1
fi

stop_test_postgres() {
  if [ "$STEVEDORE_STARTED_PG" = 1 ]; then as_postgres "$pg_bin/pg_ctl" -D "$STEVEDORE_PG_DIR" -m fast stop >/dev/null 2>&1 || true; fi
}
