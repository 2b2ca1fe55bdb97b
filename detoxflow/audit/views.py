"""The audit log for managers: who looked at or changed which record, and when."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from detoxflow.accounts.access import require, staff_member
from detoxflow.accounts.permissions import Action
from detoxflow.audit.actions import AuditAction
from detoxflow.audit.forms import AuditFilterForm
from detoxflow.audit.queries import audit_events, audit_rows, patients_by_id, unacknowledged_emergency_access
from detoxflow.audit.services import latest_checkpoints, record_request_event


def audit_log(request: HttpRequest) -> HttpResponse:
    """Filterable list of the facility's newest audit events, in words: who, in which role, did what, to whom."""
    require(request, Action.VIEW_AUDIT_LOG)
    user = staff_member(request)
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = list(audit_events(user, filters)) if not form.errors else []
    # Reading the trail is itself a read of patient data, so it is audited too.
    record_request_event(request, AuditAction.AUDIT_VIEW, detail={k: str(v) for k, v in filters.items() if v})
    alerts = list(unacknowledged_emergency_access(user.facility_id))
    named = patients_by_id(user, [a.patient_id for a in alerts])
    # The facility's chain as the last signed checkpoint outside the database saw it.
    checkpoint = latest_checkpoints().get(user.facility_id)
    return render(
        request,
        "audit/log.html",
        {
            "form": form,
            "events": events,
            "rows": audit_rows(user, events),
            "alerts": alerts,
            "alert_rows": [(a, named.get(a.patient_id)) for a in alerts],
            "checkpoint": checkpoint,
        },
        status=400 if form.errors else 200,
    )
