"""`manage.py worker`: the background worker. django-tasks' database worker, started with our upkeep.

Before taking jobs it retries or fails what a killed worker left running, and makes sure every periodic job is
scheduled. Run one beside the web server (`make demo` does); more than one is safe, each claims its own jobs.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorker

from detoxflow.jobs.services import keep_scheduled, recover_abandoned
from detoxflow.jobs.tasks import periodic


class Command(DatabaseWorker):
    help = "Run background jobs (FHIR exports, housekeeping) from the database queue."

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        recovered = recover_abandoned(now)
        if any(recovered.values()):
            self.stdout.write(
                f"Left by a stopped worker: {recovered['exports']} export(s) retried or failed, "
                f"{recovered['jobs']} other job(s) failed."
            )
        for task, _every in periodic():
            # The first look soon after start; then each run queues its own next one.
            keep_scheduled(task, dt.timedelta(0), now)
        super().handle(*args, **options)
