#!/usr/bin/env bash
# The whole test suite: dev requirements, ruff, import boundaries (lint-imports),
# types (mypy), pytest on SQLite, then pytest
# on PostgreSQL (started, or installed, if it is not there). The browser tests
# (tests/e2e) run in both, on Debian's Chromium (installed if missing). Then
# the job tests once more on PostgreSQL with Redis as broker and cache
# (REDIS_URL, DB 3 of the Redis on 127.0.0.1:6379, started or installed if
# needed), including the scale-out test with two qcluster workers. Fails if
# any step fails or if no test ran.
source "$(dirname "$0")/_venv.sh"
ensure_venv requirements-dev.txt
bash scripts/ensure_postgres.sh
bash scripts/ensure_chromium.sh
bash scripts/ensure_redis.sh

echo "== ruff"
ruff check .
echo "== import boundaries (lint-imports)"
lint-imports
echo "== types (mypy)"
mypy

run_pytest() {
  local label="$1"; shift
  echo "== pytest on $label"
  set +e
  python -m pytest "$@"
  local rc=$?
  set -e
  if [ "$rc" -eq 5 ]; then echo "no test ran on $label" >&2; exit 1; fi
  if [ "$rc" -ne 0 ]; then exit "$rc"; fi
}

TMP_SQLITE="$(mktemp -d)"
trap 'rm -rf "$TMP_SQLITE"' EXIT
DATABASE_URL="sqlite:///$TMP_SQLITE/test.sqlite3" FASTDSO_VAR_DIR="$TMP_SQLITE/var" run_pytest SQLite "$@"
PG_URL="${FASTDSO_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/fastdso}"
DATABASE_URL="$PG_URL" FASTDSO_VAR_DIR="$TMP_SQLITE/var-pg" run_pytest PostgreSQL "$@"
# The Redis leg: the job tests (every tests/fastdso/test_*job*, *qcluster*,
# *redis*, *upload_storage* file) on PostgreSQL + Redis.
shopt -s nullglob
REDIS_TESTS=(tests/fastdso/test_*job*.py tests/fastdso/test_*qcluster*.py tests/fastdso/test_*redis*.py
  tests/fastdso/test_upload_storage.py)
shopt -u nullglob
REDIS_URL="${FASTDSO_TEST_REDIS_URL:-redis://127.0.0.1:6379/3}" DATABASE_URL="$PG_URL" \
  FASTDSO_VAR_DIR="$TMP_SQLITE/var-redis" run_pytest "PostgreSQL + Redis" "${REDIS_TESTS[@]}" -p no:cacheprovider
echo "== all green on SQLite, PostgreSQL and PostgreSQL + Redis"
