#!/usr/bin/env bash
# Runs a command with HADIR_TEST_POSTGRES pointing at a PostgreSQL server,
# so that `make test` exercises the PostgreSQL store on any machine:
#   - HADIR_TEST_POSTGRES already set: that server is used as it is;
#   - else Debian's pg_virtualenv (postgresql-common) starts a throwaway
#     cluster for the run, as root or as an ordinary user, and removes it
#     afterwards, whatever the command's outcome;
#   - else the command runs without it: the PostgreSQL tests skip on a
#     developer machine and fail in CI (CI=true), where a skip is a broken
#     set-up.
set -euo pipefail

if [ -n "${HADIR_TEST_POSTGRES:-}" ]; then
  exec "$@"
fi
if ! command -v pg_virtualenv >/dev/null 2>&1; then
  echo "with-postgres: pg_virtualenv not found (Debian package postgresql-common);" \
    "the PostgreSQL tests will skip (and fail under CI=true)" >&2
  exec "$@"
fi

# fsync off: the cluster lives for one run; crash-safety of the server's
# own writes is tested against the process, not the disk.
# max_connections: the store suite runs many tests in parallel.
exec pg_virtualenv -o fsync=off -o max_connections=300 -o shared_buffers=64MB \
  bash -c 'export HADIR_TEST_POSTGRES="postgres://${PGUSER}:${PGPASSWORD}@${PGHOST}:${PGPORT}/${PGDATABASE}?sslmode=disable"
echo "with-postgres: throwaway PostgreSQL ${PGVERSION} cluster on ${PGHOST}:${PGPORT}" >&2
exec "$@"' with-postgres "$@"
