"""Read side of interoperability: a bulk export for the user who asks for its status or its files."""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from detoxflow.accounts.access import staff_member
from detoxflow.accounts.permissions import Action
from detoxflow.audit.models import Outcome
from detoxflow.audit.services import record_request_event
from detoxflow.interop.models import BulkExport


def find_export_for(request: HttpRequest, export_id: str) -> BulkExport | None:
    """The export if the user started it or may read all it holds; None if it is not known in their facility.

    The status and file URLs are handed around (a manifest is an ordinary JSON document), so holding one
    proves nothing: an export that exists but holds more than the user may read answers 403, audited.
    """
    try:
        key = uuid.UUID(export_id)
    except ValueError:
        return None
    user = staff_member(request)
    export = BulkExport.objects.in_facility_of(user).filter(pk=key).first()
    if export is None:
        return None
    # Staff with no home unit may read every export of their facility, so only unit-bound users need the check.
    if user.unit_id is None or BulkExport.objects.restrict(user, Action.DISCLOSE).filter(pk=export.pk).exists():
        return export
    record_request_event(
        request,
        "fhir.export.outside_scope",
        outcome=Outcome.DENIED,
        patient_id=export.patient_id,
        object_type="BulkExport",
        object_id=str(export.pk),
    )
    raise PermissionDenied("This export holds records you may not read; ask the colleague who started it.")
