"""Periodic upkeep on the background queue; each run queues its own next run."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks import task
from django_tasks.base import Task

from detoxflow.audit.services import write_checkpoints
from detoxflow.jobs.services import keep_scheduled, recover_abandoned


@task()
def housekeeping() -> dict[str, int]:
    """Find jobs whose worker died (exports are retried or failed), then queue the next look."""
    now = timezone.now()
    done = recover_abandoned(now)
    keep_scheduled(housekeeping, settings.HOUSEKEEPING_EVERY, now)
    return done


@task()
def write_audit_checkpoints() -> int:
    """Every chain's head, signed, to the checkpoint file outside the database, on a clock as well as by count,
    so a quiet facility's chain is still held against a recent checkpoint."""
    written = len(write_checkpoints())
    keep_scheduled(write_audit_checkpoints, settings.AUDIT_CHECKPOINT_INTERVAL, timezone.now())
    return written


def periodic() -> list[tuple[Task[Any, Any], dt.timedelta]]:
    """Every periodic job and how often it runs: later scheduled work joins this list."""
    return [(housekeeping, settings.HOUSEKEEPING_EVERY), (write_audit_checkpoints, settings.AUDIT_CHECKPOINT_INTERVAL)]
