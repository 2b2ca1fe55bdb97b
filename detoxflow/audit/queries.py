"""Read side of the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from detoxflow.audit.models import AuditEvent


def audit_events(facility_id: int, filters: dict[str, Any], limit: int = 500) -> QuerySet[AuditEvent]:
    """The newest events of a facility matching the filters (patient id, username, local date range)."""
    events = AuditEvent.objects.filter(facility_id=facility_id).order_by("-pk")
    if filters.get("patient"):
        events = events.filter(patient_id=filters["patient"])
    if filters.get("user"):
        events = events.filter(user_name=filters["user"])
    if filters.get("start"):
        start = dt.datetime.combine(filters["start"], dt.time.min, tzinfo=timezone.get_current_timezone())
        events = events.filter(at__gte=start)
    if filters.get("end"):
        end = dt.datetime.combine(
            filters["end"] + dt.timedelta(days=1), dt.time.min, tzinfo=timezone.get_current_timezone()
        )
        events = events.filter(at__lt=end)
    return events[:limit]
