"""Read side of the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from detoxflow.accounts.access import require, staff_member
from detoxflow.accounts.models import EmergencyAccess
from detoxflow.accounts.permissions import Action
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


def unacknowledged_emergency_access(facility_id: int) -> QuerySet[EmergencyAccess]:
    """The facility's emergency-access grants no manager has acknowledged yet: the audit page's alerts."""
    return EmergencyAccess.objects.filter(facility_id=facility_id, acknowledged_at__isnull=True)


def get_emergency_access_for(request: HttpRequest, grant_id: int) -> EmergencyAccess:
    """An emergency-access grant of the user's facility for a manager to acknowledge (403 by role, else 404)."""
    require(request, Action.VIEW_AUDIT_LOG)
    grant = EmergencyAccess.objects.filter(pk=grant_id, facility_id=staff_member(request).facility_id).first()
    if grant is None:
        raise Http404("No such emergency access.")
    return grant
