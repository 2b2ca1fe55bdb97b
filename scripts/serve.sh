#!/usr/bin/env bash
# `make serve`: the production stack — production settings on PostgreSQL, gunicorn with WEB_CONCURRENCY workers,
# the background worker beside it, migrations checked before anything listens. Ctrl-C (or SIGTERM) stops both.
#
# With DATABASE_URL set (a postgres:// URL) it serves that database and refuses to start while migrations are
# not applied (MIGRATE_ON_START=true applies them first). Without it, for a first try on a fresh machine, it
# starts a throwaway PostgreSQL on loopback (scripts/postgres.sh), migrates it and loads the synthetic demo.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export DJANGO_SETTINGS_MODULE=detoxflow.settings.production
BIND=${BIND:-127.0.0.1:8000}

if [ -z "${DATABASE_URL:-}" ]; then
  source scripts/postgres.sh
  start_postgres ""
  export DATABASE_URL=$DATABASE_URL_PG MIGRATE_ON_START=true SEED_DEMO=true
  # A throwaway database on loopback with no TLS in front: fresh keys for this run, no HTTPS redirect.
  export SECRET_KEY=${SECRET_KEY:-$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')}
  export AUDIT_HMAC_KEY=${AUDIT_HMAC_KEY:-$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')}
  export SECURE_SSL_REDIRECT=${SECURE_SSL_REDIRECT:-false} REQUIRE_TOTP=${REQUIRE_TOTP:-false}
  export ALLOWED_HOSTS=${ALLOWED_HOSTS:-127.0.0.1,localhost}
  export AUDIT_CHECKPOINT_FILE=${AUDIT_CHECKPOINT_FILE:-$PG_DIR/audit-checkpoints.jsonl}
  export FHIR_EXPORT_ROOT=${FHIR_EXPORT_ROOT:-$PG_DIR/exports}
fi
case "$DATABASE_URL" in
  postgres://*|postgresql://*) ;;
  *) echo "make serve runs on PostgreSQL: DATABASE_URL must be a postgres:// URL (SQLite is for make demo)." >&2; exit 2 ;;
esac

if [ "${MIGRATE_ON_START:-false}" = true ]; then
  $PY manage.py migrate --noinput --verbosity 0
elif ! $PY manage.py migrate --check --verbosity 0 >/dev/null 2>&1; then
  echo "Migrations are not applied to this database: run 'manage.py migrate' (or set MIGRATE_ON_START=true)." >&2
  exit 2
fi
if [ "${SEED_DEMO:-false}" = true ]; then
  $PY manage.py seed
fi
# A deployment check that fails on an error (a throwaway run on loopback warns that HTTPS is off, and says so).
$PY manage.py check --deploy
$PY manage.py collectstatic --noinput --verbosity 0

$PY manage.py worker --no-reload --verbosity 0 &
worker=$!
.venv/bin/gunicorn detoxflow.wsgi:application --bind "$BIND" --workers "${WEB_CONCURRENCY:-2}" \
  --access-logfile - --graceful-timeout 20 --timeout "${WEB_TIMEOUT:-60}" &
web=$!
# Not exec: this shell outlives gunicorn, to stop the worker (and a throwaway PostgreSQL) with it.
trap 'kill "$web" "$worker" 2>/dev/null || true; wait "$web" "$worker" 2>/dev/null || true; if declare -F stop_postgres >/dev/null; then stop_postgres; fi' EXIT
trap 'exit 0' INT TERM
echo "DetoxFlow (production settings) on http://$BIND: gunicorn with ${WEB_CONCURRENCY:-2} workers (pid $web), background worker (pid $worker)."
wait "$web"
