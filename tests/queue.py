"""Run what is on the background queue, in this process, as `manage.py worker` would."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult


def run_queued_jobs(worker_id: str = "test-worker") -> int:
    """Claim and run every job that is due now, through the library's own run path; how many ran.

    The worker's loop also recycles database connections between jobs, which would end a test's transaction,
    so the loop is this one; claiming and running are the library's.
    """
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
    ran = 0
    while True:
        with transaction.atomic():
            job = DBTaskResult.objects.ready().get_locked()
            if job is None:
                return ran
            job.claim(worker_id)
        worker.run_task(job)
        ran += 1


def claim_and_abandon(job_id: str, worker_id: str = "killed-worker") -> DBTaskResult[Any, Any]:
    """A worker claims the job and then dies (kill -9): the row says running and nobody runs it."""
    job = DBTaskResult.objects.get(pk=job_id)
    job.claim(worker_id)
    return job
