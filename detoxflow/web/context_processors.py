"""Template context on every page: the permission table (`{% if can.view_audit_log %}`), the patient banner."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from detoxflow.accounts.permissions import Action, role_may
from detoxflow.web.banner import EPISODE_OF, banner_for_path

BANNER_KEYS = {"episode_id", "patient_id", *EPISODE_OF}


def permissions(request: HttpRequest) -> dict[str, dict[str, bool]]:
    user = getattr(request, "user", None)
    role = getattr(user, "role", "") if user is not None and user.is_authenticated else ""
    return {"can": {action.value: role_may(role, action) for action in Action}}


def patient_banner(request: HttpRequest) -> dict[str, Any]:
    """`patient_banner` on every screen about one patient (its URL names the episode, patient or order).

    Lazy: built only when a template shows it, so pages without a banner (and JSON) cost nothing.
    """
    match = getattr(request, "resolver_match", None)
    if match is None or not BANNER_KEYS & set(match.kwargs):
        return {}
    user = getattr(request, "user", None)
    return {"patient_banner": SimpleLazyObject(lambda: banner_for_path(user, match.kwargs))}
