#!/usr/bin/env bash
# `make test`: lint, check translations, run the whole suite. Uses PostgreSQL and Redis when they
# answer on this machine (or when TEST_DATABASE_URL / TEST_BROKER_URL say where), SQLite and the
# filesystem broker otherwise, and says which.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

if [ -z "${TEST_DATABASE_URL:-}" ]; then
  if $BIN/python - <<'PY' 2>/dev/null
import psycopg
psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres", connect_timeout=2).close()
PY
  then
    export TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:5432/feedback_test"
  else
    echo "make test: PostgreSQL is not reachable at 127.0.0.1:5432, so the suite runs on SQLite."
  fi
fi
if [ -z "${TEST_BROKER_URL:-}" ]; then
  if $BIN/python -c "import redis; redis.Redis(host='127.0.0.1', socket_timeout=2).ping()" 2>/dev/null; then
    export TEST_BROKER_URL="redis://127.0.0.1:6379/15"
  else
    echo "make test: Redis is not reachable at 127.0.0.1:6379, so the worker tests use the filesystem broker."
  fi
fi
echo "make test: database ${TEST_DATABASE_URL:-SQLite}, broker ${TEST_BROKER_URL:-filesystem://}"

$BIN/ruff check .
$BIN/python -m pytest "$@"
