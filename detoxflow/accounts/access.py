"""Permission checks that also leave a trace: every refusal is audited before it is raised."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from detoxflow.accounts.models import EmergencyAccess, User
from detoxflow.accounts.permissions import Action, role_may
from detoxflow.audit.models import Outcome
from detoxflow.audit.services import record_request_event


def staff_member(request: HttpRequest) -> User:
    """The signed-in user of a request that has passed sign-in (middleware or API auth)."""
    if not isinstance(request.user, User):
        raise PermissionDenied("Sign in first.")
    return request.user


def require(request: HttpRequest, action: Action, **audit_fields: Any) -> None:
    """Raise PermissionDenied (and audit it) unless the signed-in user's role allows `action`."""
    user = request.user
    if isinstance(user, User) and role_may(user.role, action):
        return
    record_request_event(request, action.value, outcome=Outcome.DENIED, **audit_fields)
    raise PermissionDenied(f"Your role may not {action.label.lower()}.")


class OutsideUnit(PermissionDenied):
    """The patient is on another unit than the user's; emergency access with a reason opens it."""

    def __init__(self, patient_id: int) -> None:
        super().__init__("This patient is on another unit. In an emergency, record why and open the record.")
        self.patient_id = patient_id


def require_unit_scope(request: HttpRequest, patient_id: int, unit_id: int | None, now: dt.datetime) -> None:
    """Allow if the user has no home unit, the patient is on it (or on none), or an emergency grant is open."""
    user = staff_member(request)
    if user.unit_id is None or unit_id is None or unit_id == user.unit_id:
        return
    if EmergencyAccess.objects.filter(user=user, patient_id=patient_id, expires_at__gt=now).exists():
        record_request_event(request, "emergency_access.read", patient_id=patient_id)
        return
    record_request_event(request, "patient.outside_unit", outcome=Outcome.DENIED, patient_id=patient_id)
    raise OutsideUnit(patient_id)
