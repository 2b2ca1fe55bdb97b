"""Signs of life for whoever runs DetoxFlow: `/healthz` (the process answers) and `/readyz` (it can do its work).

Both are open without sign-in, so a load balancer or a monitoring probe can ask, and say nothing about patients:
only which check failed and why, in words an on-call engineer can act on. Neither writes anything, nor audits:
a probe every few seconds would otherwise fill the audit trail with noise.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from detoxflow.jobs.tasks import housekeeping

# Housekeeping runs every HOUSEKEEPING_EVERY; missing this many runs in a row means no worker is taking jobs.
MISSED_RUNS_BEFORE_STALE = 3


@login_not_required
@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and answering. Touches no database: a database outage is /readyz's to report."""
    return JsonResponse({"status": "ok"})


@login_not_required
@require_safe
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, every migration is applied and a background worker is taking jobs; else
    503 naming each check that failed."""
    checks = readiness(timezone.now())
    ready = all(check["ok"] for check in checks.values())
    response = JsonResponse(
        {"status": "ready" if ready else "not ready", "checks": checks}, status=200 if ready else 503
    )
    if not ready:
        response["Retry-After"] = "10"
    return response


def readiness(now: dt.datetime) -> dict[str, dict[str, Any]]:
    """Each check's result, in order; a check after a failed database check is not attempted."""
    checks = {"database": _database()}
    if not checks["database"]["ok"]:
        skipped = {"ok": False, "detail": "not checked: the database is not answering"}
        return checks | {"migrations": skipped, "worker": skipped}
    return checks | {"migrations": _migrations(), "worker": _worker(now)}


def _database() -> dict[str, Any]:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return {"ok": False, "detail": f"the database is not answering ({type(error).__name__})"}
    return {"ok": True, "detail": "answering"}


def _migrations() -> dict[str, Any]:
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _backwards in pending[:5])
        return {"ok": False, "detail": f"{len(pending)} migration(s) not applied: {names}; run manage.py migrate"}
    return {"ok": True, "detail": "all applied"}


def _worker(now: dt.datetime) -> dict[str, Any]:
    """Fresh when housekeeping, the periodic job every worker keeps scheduled, last ended a short while ago."""
    every: dt.timedelta = settings.HOUSEKEEPING_EVERY
    last = (
        DBTaskResult.objects.filter(task_path=housekeeping.module_path, status=TaskResultStatus.SUCCESSFUL)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    if last is None:
        return {"ok": False, "detail": "no background worker has run yet; start manage.py worker"}
    age = now - last
    if age > every * MISSED_RUNS_BEFORE_STALE:
        return {
            "ok": False,
            "detail": f"no background worker for {int(age.total_seconds())} s (housekeeping is due every "
            f"{int(every.total_seconds())} s); check manage.py worker",
        }
    return {"ok": True, "detail": f"housekeeping ran {int(age.total_seconds())} s ago"}
