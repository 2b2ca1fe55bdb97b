"""Template access to the permission table: `{% if can.view_audit_log %}`."""

from __future__ import annotations

from django.http import HttpRequest

from detoxflow.accounts.permissions import Action, role_may


def permissions(request: HttpRequest) -> dict[str, dict[str, bool]]:
    user = getattr(request, "user", None)
    role = getattr(user, "role", "") if user is not None and user.is_authenticated else ""
    return {"can": {action.value: role_may(role, action) for action in Action}}
