"""Permission checks that also leave a trace: every refusal is audited before it is raised."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest
from django.utils import timezone

from detoxflow.accounts.models import User
from detoxflow.accounts.permissions import Action, role_may
from detoxflow.accounts.scope import ScopedQuerySet, patient_path, rows_of
from detoxflow.audit.models import Outcome
from detoxflow.audit.services import record_request_event

_M = TypeVar("_M", bound=models.Model)


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


def find_for(request: HttpRequest, rows: ScopedQuerySet[_M]) -> _M | None:
    """The first of `rows` in the user's facility (None if there is none there), within their unit's reach.

    Another unit's patient raises OutsideUnit, audited, so the page offers emergency access; a read opened
    by an emergency grant is audited as such. The role is not checked here: callers have required it.
    """
    user = staff_member(request)
    row = rows.reach_of(user, timezone.now()).first()
    if row is None or user.unit_id is None or patient_path(rows.model) is None:
        return row
    reach = row.__dict__  # the annotations ScopedQuerySet.reach_of put on the row
    unit_id, patient_id = reach["reach_unit_id"], reach["reach_patient_id"]
    if unit_id is None or unit_id == user.unit_id:
        return row
    if reach["reach_by_emergency"]:
        record_request_event(request, "emergency_access.read", patient_id=patient_id)
        return row
    record_request_event(request, "patient.outside_unit", outcome=Outcome.DENIED, patient_id=patient_id)
    raise OutsideUnit(patient_id)


def get_for(
    request: HttpRequest,
    rows: type[_M] | ScopedQuerySet[_M],
    pk: Any,
    action: Action,
    *,
    missing: str = "",
    **audit_fields: Any,
) -> _M:
    """Row `pk` of a facility-carrying model if the role allows `action` (403), it is in the user's facility
    (404, so other sites stay invisible) and within their unit's reach (403 OutsideUnit)."""
    queryset = rows if isinstance(rows, ScopedQuerySet) else rows_of(rows)
    meta = queryset.model._meta
    require(request, action, **(audit_fields or {"object_type": meta.object_name, "object_id": pk}))
    row = find_for(request, queryset.filter(pk=pk))
    if row is None:
        raise Http404(missing or f"No such {meta.verbose_name} in your facility.")
    return row
