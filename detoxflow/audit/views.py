"""The audit log for managers: who looked at or changed which record, and when."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from detoxflow.accounts.access import require, staff_member
from detoxflow.accounts.permissions import Action
from detoxflow.audit.forms import AuditFilterForm
from detoxflow.audit.queries import audit_events, unacknowledged_emergency_access
from detoxflow.audit.services import latest_checkpoints, record_request_event


def audit_log(request: HttpRequest) -> HttpResponse:
    """Filterable list of the facility's newest audit events."""
    require(request, Action.VIEW_AUDIT_LOG)
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = list(audit_events(staff_member(request).facility_id, filters)) if not form.errors else []
    # Reading the trail is itself a read of patient data, so it is audited too.
    record_request_event(request, "audit.view", detail={k: str(v) for k, v in filters.items() if v})
    facility_id = staff_member(request).facility_id
    alerts = unacknowledged_emergency_access(facility_id)
    # The facility's chain as the last signed checkpoint outside the database saw it.
    checkpoint = latest_checkpoints().get(facility_id)
    return render(
        request,
        "audit/log.html",
        {"form": form, "events": events, "alerts": list(alerts), "checkpoint": checkpoint},
        status=400 if form.errors else 200,
    )
