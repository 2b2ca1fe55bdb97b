"""The background queue's own upkeep: jobs whose worker died, periodic jobs kept scheduled, failures audited.

The queue is django-tasks' database backend (`django_tasks_db`), run by `manage.py worker`. It claims a job by
marking it running, and nothing in it notices a worker that was killed mid-job: the job would stay running
forever. Housekeeping, itself a periodic job on the same queue (and run once whenever a worker starts), finds
such jobs, hands them back to their owner to retry or fail, and audits each failure.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django_tasks import TaskResultStatus
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

from detoxflow.audit.models import Outcome
from detoxflow.audit.services import record_event
from detoxflow.interop.fhir import bulk

WORKER_NAME = "background worker"  # who the audit trail names for what the queue did on nobody's request


class WorkerLost(Exception):
    """The job's worker stopped (killed, or its machine went) before the job ended."""


def recover_abandoned(now: dt.datetime) -> dict[str, int]:
    """Retry or fail every job whose worker died; counts of what was done, for the worker's log."""
    exports = bulk.recover_abandoned(now)  # exports keep their own heartbeat, so they decide for themselves
    # Other jobs are short (housekeeping, checkpoints): running this long means their worker is gone.
    stale = now - settings.BACKGROUND_JOB_STALLED_AFTER
    lost = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=stale).exclude(
        task_path=bulk.run_fhir_export.module_path
    )
    failed = 0
    for job in lost:
        with transaction.atomic():
            ended = DBTaskResult.objects.filter(pk=job.pk, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
                traceback=f"No sign of life since {job.started_at:%Y-%m-%d %H:%M:%S %Z}.",
            )
            if ended:
                failed += 1
                _audit_failure(str(job.pk), job.task_path, "its worker stopped")
    return {"exports": len(exports), "jobs": failed}


def keep_scheduled(task: Task[Any, Any], every: dt.timedelta, now: dt.datetime) -> None:
    """Queue the periodic `task`'s next run `every` from now, unless a run is already waiting.

    Two workers starting together may both queue one; the next run then sees the other waiting and does not
    queue again, so the schedule settles back to one run.
    """
    if not DBTaskResult.objects.filter(task_path=task.module_path, status=TaskResultStatus.READY).exists():
        task.using(run_after=now + every).enqueue()


def audit_failed_job(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """`task_finished` receiver: a job that raised is audited (an export records its own failures)."""
    if task_result.status == TaskResultStatus.FAILED:
        error = task_result.errors[-1].exception_class_path if task_result.errors else "unknown error"
        _audit_failure(str(task_result.id), task_result.task.module_path, error)


def _audit_failure(job_id: str, task_path: str, why: str) -> None:
    record_event(
        actor=None,
        user_name=WORKER_NAME,
        action="job.fail",
        outcome=Outcome.FAILED,
        object_type="Job",
        object_id=job_id,
        detail={"task": task_path, "why": why},
    )
