#!/usr/bin/env bash
# The whole suite: lint, unit + DB tests on SQLite, the same on PostgreSQL, then the browser tests.
# Installs what it needs (PostgreSQL, Chromium) from Debian packages and stops what it starts.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
source scripts/postgres.sh
source scripts/system-packages.sh
need_debian_packages chromium "${PDF_PACKAGES[@]}"

failed=()
run() {  # $1: label; rest: command
  local label=$1; shift
  echo "== $label"
  "$@" || failed+=("$label")
}

run "lint (ruff, mypy)" make --no-print-directory lint
run "tests on SQLite" env -u DATABASE_URL $PY -m pytest -q -m "not browser"
# fsync off: a throwaway test server needs speed, not durability.
start_postgres "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
run "tests on PostgreSQL" env DATABASE_URL="$DATABASE_URL_PG" $PY -m pytest -q -m "not browser"
mkdir -p test-artifacts
run "browser tests (headless Chromium)" env -u DATABASE_URL $PY -m pytest -q -m browser -p no:randomly

if [ ${#failed[@]} -gt 0 ]; then
  printf '== FAILED: %s\n' "${failed[@]}"
  exit 1
fi
echo "== all passed"
