"""Read side of the audit trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from detoxflow.accounts.access import require, staff_member
from detoxflow.accounts.models import EmergencyAccess
from detoxflow.accounts.permissions import Action, Role
from detoxflow.audit.actions import action_label
from detoxflow.audit.models import AuditEvent
from detoxflow.patients.models import Patient
from detoxflow.web.identifiers import MAX_ID

if TYPE_CHECKING:
    from detoxflow.accounts.models import User

_ROLES: dict[str, str] = {str(r.value): str(r.label) for r in Role}
# A name search looks at the first words only: enough for "Alex Sampleton", bounded for a pasted paragraph.
NAME_WORDS = 4


@dataclass(frozen=True)
class AuditRow:
    """One event as the audit page shows it: in words, with the patient named where the reader may see them."""

    event: AuditEvent
    action: str
    role: str
    patient: Patient | None


def patients_matching(user: User, text: str) -> QuerySet[Patient]:
    """Patients the user may see whose record number is `text` (any case) or whose names hold every word of it."""
    text = text.strip()
    words = text.split()[:NAME_WORDS]
    if not words:
        return Patient.objects.none()
    by_name = Q()
    for word in words:
        by_name &= Q(given_name__icontains=word) | Q(family_name__icontains=word)
    return Patient.objects.restrict(user, Action.VIEW_PATIENT).filter(Q(mrn__iexact=text) | by_name)


def patients_by_id(user: User, patient_ids: Iterable[int | None]) -> dict[int, Patient]:
    """The named patients among `patient_ids` the user may see, in one query (none when there are no ids).

    A role that may not read patient records (the administrator, minimum necessary) gets none: it sees
    record ids in the trail, not names.
    """
    wanted = {pk for pk in patient_ids if pk is not None}
    if not wanted:
        return {}
    found = Patient.objects.restrict(user, Action.VIEW_PATIENT).filter(pk__in=wanted)
    return {p.pk: p for p in found.only("pk", "mrn", "given_name", "family_name")}


def audit_rows(user: User, events: Iterable[AuditEvent]) -> list[AuditRow]:
    """The events in words: action and role labels, and each patient's name and record number (one query)."""
    events = list(events)
    patients = patients_by_id(user, (e.patient_id for e in events))
    return [
        AuditRow(
            event=e,
            action=action_label(e.action),
            role=_ROLES.get(e.role, e.role),
            patient=patients.get(e.patient_id) if e.patient_id is not None else None,
        )
        for e in events
    ]


def audit_events(user: User, filters: dict[str, Any], limit: int = 500) -> QuerySet[AuditEvent]:
    """The newest events of the user's facility matching the filters: patient (name, record number or record
    id), username, local date range."""
    events = AuditEvent.objects.filter(facility_id=user.facility_id).order_by("-pk")
    if filters.get("patient"):
        text = filters["patient"].strip()
        about = Q(patient_id__in=patients_matching(user, text).values("pk"))
        if text.isdigit() and 0 < int(text) <= MAX_ID:
            about |= Q(patient_id=int(text))  # a record id, as the trail stores it
        events = events.filter(about)
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
