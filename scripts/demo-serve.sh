#!/usr/bin/env bash
# The demo's web server with its background worker beside it (FHIR exports, housekeeping); Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
$PY manage.py worker --no-reload --verbosity 0 &
worker=$!
trap 'kill "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true' EXIT
echo "Background worker running (pid $worker)."
$PY manage.py runserver 127.0.0.1:8000
