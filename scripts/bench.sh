#!/usr/bin/env bash
# Benchmarks on SQLite and on a throwaway PostgreSQL (default durability settings), results printed.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
source scripts/postgres.sh
db=$(mktemp -d)/bench.sqlite3
echo "== Safety check (pure)"
$PY -m benchmarks.safety
echo "== SQLite"
DATABASE_URL="sqlite:///$db" $PY -m benchmarks.pages
DATABASE_URL="sqlite:///$db" $PY -m benchmarks.charting
DATABASE_URL="sqlite:///$db" $PY -m benchmarks.safety --db | tail -1
DATABASE_URL="sqlite:///$db" $PY -m benchmarks.export
rm -f "$db"
start_postgres ""
echo "== PostgreSQL"
DATABASE_URL="$DATABASE_URL_PG" $PY -m benchmarks.pages
DATABASE_URL="$DATABASE_URL_PG" $PY -m benchmarks.charting
DATABASE_URL="$DATABASE_URL_PG" $PY -m benchmarks.safety --db | tail -1
DATABASE_URL="$DATABASE_URL_PG" $PY -m benchmarks.export
