"""FHIR read and search endpoints, and the capability statement. Same sign-in, permissions and audit as the rest."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement

from detoxflow.accounts.models import User
from detoxflow.accounts.permissions import Action, role_may
from detoxflow.audit.models import Outcome
from detoxflow.audit.services import client_address, record_request_event
from detoxflow.consent.coverage import REDISCLOSURE_NOTICE
from detoxflow.errors import InvalidInput
from detoxflow.interop.fhir import bulk
from detoxflow.interop.fhir.batch import BundleRefused, import_patients
from detoxflow.interop.fhir.common import fhir_response, operation_outcome
from detoxflow.interop.fhir.registry import KINDS, ResourceKind
from detoxflow.interop.models import ExportStatus
from detoxflow.interop.queries import find_export_for
from detoxflow.patients.models import Patient
from detoxflow.patients.queries import find_patient_for
from detoxflow.web.downloads import content_disposition
from detoxflow.web.identifiers import MAX_ID

View = Callable[..., HttpResponseBase]
DEFAULT_COUNT = 50
MAX_COUNT = 100
MAX_PAGE = 10_000
BULK_DATA = "http://hl7.org/fhir/uv/bulkdata"


def fhir_view(action: Action) -> Callable[[View], View]:
    """Signed-in staff whose role allows `action`; otherwise a FHIR OperationOutcome, audited."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not isinstance(user, User):
                return operation_outcome(401, "login", "Sign in first.")
            if not role_may(user.role, action):
                record_request_event(request, "fhir.read", outcome=Outcome.DENIED, object_type=request.path[:64])
                return operation_outcome(403, "forbidden", f"Your role may not {action.label.lower()}.")
            try:
                return view(request, user, *args, **kwargs)
            except PermissionDenied as refused:  # another unit's patient, or an export outside the user's scope
                return operation_outcome(403, "forbidden", str(refused))

        return wrapper

    return decorate


def parse_id(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and 0 < int(raw) <= MAX_ID else None


@fhir_view(Action.VIEW_PATIENT)
def read(request: HttpRequest, user: User, kind: str, resource_id: str) -> HttpResponse:
    resource_kind = KINDS[kind]
    found = resource_kind.find_for(request, parse_id(resource_id) or 0)
    if found is None:
        return operation_outcome(404, "not-found", f"{kind}/{resource_id} is not known here.")
    record_request_event(request, "fhir.read", patient_id=found.subject_id, object_type=kind, object_id=found.pk)
    return fhir_response(resource_kind.build(found))


def _bounded(request: HttpRequest, name: str, default: int, ceiling: int) -> int | HttpResponse:
    raw = request.GET.get(name, str(default))
    if not raw.isdigit() or not 1 <= int(raw) <= ceiling:
        return operation_outcome(400, "invalid", f"{name} must be a whole number from 1 to {ceiling}.", name)
    return int(raw)


@fhir_view(Action.VIEW_PATIENT)
def search(request: HttpRequest, user: User, kind: str) -> HttpResponse:
    """[type]?patient=Patient/<id> (Patient: identifier=[system|]MRN), paged with _count and _page."""
    resource_kind = KINDS[kind]
    filter_name = "identifier" if kind == "Patient" else "patient"
    unknown = sorted(set(request.GET) - {filter_name, "_count", "_page"})
    if unknown:
        return operation_outcome(400, "not-supported", f"Search parameter '{unknown[0]}' is not supported.", unknown[0])
    count = _bounded(request, "_count", DEFAULT_COUNT, MAX_COUNT)
    page = _bounded(request, "_page", 1, MAX_PAGE)
    if isinstance(count, HttpResponse):
        return count
    if isinstance(page, HttpResponse):
        return page
    rows = resource_kind.scoped(user, Action.VIEW_PATIENT)
    patient_id = None
    if "identifier" in request.GET:
        rows = rows.filter(mrn=request.GET["identifier"].split("|")[-1])
    elif "patient" in request.GET:
        patient_id = parse_id(request.GET["patient"].removeprefix("Patient/"))
        if patient_id is None:
            return operation_outcome(400, "invalid", "patient must look like Patient/123.", "patient")
        find_patient_for(request, patient_id)  # 403 for another unit's patient, as on the patient page
        rows = rows.filter(subject_id=patient_id)
    elif user.unit_id is not None:
        return operation_outcome(
            403, "forbidden", "Staff assigned to a unit search one patient at a time: add patient=Patient/<id>."
        )
    found = list(rows[(page - 1) * count : page * count + 1])
    record_request_event(
        request, "fhir.search", patient_id=patient_id, object_type=kind, detail={"count": len(found[:count])}
    )
    return _bundle(request, resource_kind, found[:count], page, count, more=len(found) > count)


def _bundle(
    request: HttpRequest, kind: ResourceKind, rows: list[Any], page: int, count: int, *, more: bool
) -> HttpResponse:
    """A searchset page; `next` is given when another page exists (no total: counting a million rows is not free)."""
    base = request.build_absolute_uri(request.path)
    params = {k: v for k, v in request.GET.items() if k not in ("_page", "_count")}
    links = [{"relation": "self", "url": f"{base}?{urlencode(params | {'_count': count, '_page': page})}"}]
    if more:
        links.append({"relation": "next", "url": f"{base}?{urlencode(params | {'_count': count, '_page': page + 1})}"})
    resources = [kind.build(row) for row in rows]
    bundle = Bundle.model_validate(
        {
            "resourceType": "Bundle",
            "type": "searchset",
            "link": links,
            "entry": [
                {
                    "fullUrl": request.build_absolute_uri(f"/fhir/{kind.name}/{r.id}"),
                    "resource": r,
                    "search": {"mode": "match"},
                }
                for r in resources
            ],
        }
    )
    return fhir_response(bundle)


def metadata(request: HttpRequest) -> HttpResponse:
    """The capability statement: what this server can read and search."""
    resources = [
        {
            "type": kind.name,
            "interaction": [{"code": "read"}, {"code": "search-type"}],
            "searchParam": [
                {"name": "identifier", "type": "token"}
                if kind.name == "Patient"
                else {"name": "patient", "type": "reference"},
                {"name": "_count", "type": "number"},
            ],
        }
        for kind in KINDS.values()
    ]
    statement = CapabilityStatement.model_validate(
        {
            "resourceType": "CapabilityStatement",
            "status": "active",
            "date": "2026-11-25",
            "kind": "instance",
            "fhirVersion": "4.3.0",
            "format": ["application/fhir+json"],
            "software": {"name": "DetoxFlow"},
            "implementation": {"description": "DetoxFlow FHIR endpoint: read, search, bulk export, Patient import"},
            "rest": [
                {
                    "mode": "server",
                    "resource": resources,
                    "interaction": [{"code": "batch", "documentation": "Patient resources only"}],
                    "operation": [
                        {"name": "export", "definition": f"{BULK_DATA}/OperationDefinition/export"},
                        {"name": "patient-export", "definition": f"{BULK_DATA}/OperationDefinition/patient-export"},
                    ],
                }
            ],
        }
    )
    return fhir_response(statement)


EXPORT_PARAMETERS = {"_type", "_outputFormat", "recipient", "purpose"}
NDJSON_FORMATS = {"application/fhir+ndjson", "application/ndjson", "ndjson"}


@fhir_view(Action.DISCLOSE)
def export_facility(request: HttpRequest, user: User) -> HttpResponse:
    """[base]/$export: every patient of the facility, for one recipient under their consents."""
    if user.unit_id is not None:
        return operation_outcome(403, "forbidden", "Staff assigned to a unit export one patient at a time.")
    return _kick_off(request, user, None)


@fhir_view(Action.DISCLOSE)
def export_patient(request: HttpRequest, user: User, resource_id: str) -> HttpResponse:
    """[base]/Patient/<id>/$export: one patient's record, for one recipient under their consent."""
    found = find_patient_for(request, parse_id(resource_id) or 0)
    if found is None:
        return operation_outcome(404, "not-found", f"Patient/{resource_id} is not known here.")
    return _kick_off(request, user, found)


def _kick_off(request: HttpRequest, user: User, patient: Patient | None) -> HttpResponse:
    unknown = sorted(set(request.GET) - EXPORT_PARAMETERS)
    if unknown:
        return operation_outcome(400, "not-supported", f"Export parameter '{unknown[0]}' is not supported.", unknown[0])
    if request.headers.get("Prefer", "").strip() != "respond-async":
        return operation_outcome(400, "required", "Bulk export runs asynchronously: send 'Prefer: respond-async'.")
    if request.GET.get("_outputFormat", "application/fhir+ndjson") not in NDJSON_FORMATS:
        return operation_outcome(400, "not-supported", "Only NDJSON output is offered.", "_outputFormat")
    types = [t.strip() for t in request.GET.get("_type", "").split(",") if t.strip()]
    try:
        export = bulk.kick_off(
            user,
            patient=patient,
            types=types,
            recipient=request.GET.get("recipient", ""),
            purpose=request.GET.get("purpose", ""),
            request_url=request.build_absolute_uri(),
            now=timezone.now(),
            address=client_address(request),
        )
    except InvalidInput as refused:
        return operation_outcome(400, "invalid", refused.message, refused.field)
    response = HttpResponse(status=202)
    response["Content-Location"] = request.build_absolute_uri(f"/fhir/$export-status/{export.id}")
    return response


@fhir_view(Action.DISCLOSE)
def export_status(request: HttpRequest, user: User, export_id: str) -> HttpResponse:
    """202 with progress while running; the manifest when done; DELETE stops it and removes its files."""
    export = find_export_for(request, export_id)
    if export is None or export.status == ExportStatus.CANCELLED:
        return operation_outcome(404, "not-found", f"No export {export_id} here (deleted, or never started).")
    if request.method == "DELETE":
        bulk.delete(user, export, address=client_address(request))
        return HttpResponse(status=202)
    if request.method != "GET":
        return operation_outcome(405, "not-supported", "Use GET for the status, DELETE to cancel.")
    if export.status in (ExportStatus.QUEUED, ExportStatus.RUNNING):
        response = HttpResponse(status=202)
        progress = f"{export.status}: {export.written} resources written"
        if export.status == ExportStatus.QUEUED and export.attempts:
            progress += (
                f"; its worker stopped during attempt {export.attempts}, so it will retry "
                f"(attempt {export.attempts + 1} of {settings.BACKGROUND_JOB_ATTEMPTS})"
            )
        response["X-Progress"] = progress
        response["Retry-After"] = "5"
        return response
    if export.status == ExportStatus.FAILED:
        return operation_outcome(500, "exception", f"The export failed: {export.failure}")
    files = request.build_absolute_uri(f"/fhir/$export-file/{export.id}/")
    manifest = {
        "transactionTime": export.requested_at.isoformat(),
        "request": export.request_url,
        "requiresAccessToken": True,
        "output": [
            {"type": o["type"], "url": f"{files}{o['type']}.ndjson", "count": o["count"]} for o in export.output
        ],
        "error": [{"type": "OperationOutcome", "url": f"{files}{bulk.REFUSED_FILE}", "count": export.refused_patients}],
        "extension": {"recipient": export.recipient, "purpose": export.purpose, "notice": REDISCLOSURE_NOTICE},
    }
    return HttpResponse(json.dumps(manifest), content_type="application/json")


@fhir_view(Action.DISCLOSE)
def export_file(request: HttpRequest, user: User, export_id: str, file_name: str) -> HttpResponseBase:
    """One NDJSON file of a completed export, streamed from disk."""
    export = find_export_for(request, export_id)
    names = {f"{o['type']}.ndjson" for o in export.output} | {bulk.REFUSED_FILE} if export else set()
    if export is None or export.status != ExportStatus.COMPLETED or file_name not in names:
        return operation_outcome(404, "not-found", f"No file {file_name} in export {export_id}.")
    record_request_event(
        request, "fhir.export.download", patient_id=export.patient_id, object_type="BulkExport", object_id=export_id
    )
    response = FileResponse((bulk.folder(export) / file_name).open("rb"), content_type="application/fhir+ndjson")
    response["Content-Disposition"] = content_disposition(file_name, inline=True)
    return response


@fhir_view(Action.REGISTER_PATIENT)
def batch(request: HttpRequest, user: User) -> HttpResponse:
    """POST [base] with a batch Bundle of Patient resources: a batch-response, one answer per entry."""
    if request.method != "POST":
        return operation_outcome(405, "not-supported", "POST a batch Bundle of Patient resources here.")
    if request.content_type not in ("application/fhir+json", "application/json"):
        return operation_outcome(415, "not-supported", "Send the Bundle as application/fhir+json.")
    try:
        response = import_patients(user, request.body, address=client_address(request))
    except BundleRefused as refused:
        return operation_outcome(400, "invalid", str(refused), refused.expression)
    return fhir_response(response)
