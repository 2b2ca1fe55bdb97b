"""Permission checks that also leave a trace: every refusal is audited before it is raised."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from detoxflow.accounts.models import User
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
