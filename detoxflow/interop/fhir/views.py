"""FHIR read and search endpoints, and the capability statement. Same sign-in, permissions and audit as the rest."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement

from detoxflow.accounts.models import User
from detoxflow.accounts.permissions import Action, role_may
from detoxflow.audit.models import Outcome
from detoxflow.audit.services import record_request_event
from detoxflow.episodes.models import Episode
from detoxflow.interop.fhir import episode_of_care, patient
from detoxflow.interop.fhir.common import fhir_response, operation_outcome
from detoxflow.patients.models import Patient
from detoxflow.web.identifiers import MAX_ID

View = Callable[..., HttpResponse]


def fhir_view(view: View) -> View:
    """Signed-in staff whose role may read patients; otherwise a FHIR OperationOutcome, audited."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not isinstance(user, User):
            return operation_outcome(401, "login", "Sign in first.")
        if not role_may(user.role, Action.VIEW_PATIENT):
            record_request_event(request, "fhir.read", outcome=Outcome.DENIED, object_type=request.path[:64])
            return operation_outcome(403, "forbidden", "Your role may not read patient records.")
        return view(request, user, *args, **kwargs)

    return wrapper


def _id(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and 0 < int(raw) <= MAX_ID else None


@fhir_view
def read_patient(request: HttpRequest, user: User, resource_id: str) -> HttpResponse:
    found = (
        Patient.objects.select_related("facility")
        .filter(pk=_id(resource_id) or 0, facility_id=user.facility_id)
        .first()
    )
    if found is None:
        return operation_outcome(404, "not-found", f"Patient/{resource_id} is not known here.")
    record_request_event(request, "fhir.read", patient_id=found.pk, object_type="Patient", object_id=found.pk)
    return fhir_response(patient.to_fhir(found))


@fhir_view
def read_episode(request: HttpRequest, user: User, resource_id: str) -> HttpResponse:
    found = (
        Episode.objects.select_related("facility")
        .filter(pk=_id(resource_id) or 0, facility_id=user.facility_id)
        .first()
    )
    if found is None:
        return operation_outcome(404, "not-found", f"EpisodeOfCare/{resource_id} is not known here.")
    record_request_event(
        request,
        "fhir.read",
        patient_id=found.patient_id,
        episode_id=found.pk,
        object_type="EpisodeOfCare",
        object_id=found.pk,
    )
    return fhir_response(episode_of_care.to_fhir(found))


def _bundle(request: HttpRequest, resources: list[Any]) -> HttpResponse:
    bundle = Bundle.model_validate(
        {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": len(resources),
            "entry": [
                {
                    "fullUrl": request.build_absolute_uri(f"/fhir/{r.get_resource_type()}/{r.id}"),
                    "resource": r,
                    "search": {"mode": "match"},
                }
                for r in resources
            ],
        }
    )
    return fhir_response(bundle)


@fhir_view
def search_patients(request: HttpRequest, user: User) -> HttpResponse:
    """Patient?identifier=[system|]value (the MRN); other parameters are refused by name."""
    unknown = sorted(set(request.GET) - {"identifier"})
    if unknown:
        return operation_outcome(400, "not-supported", f"Search parameter '{unknown[0]}' is not supported.", unknown[0])
    found = Patient.objects.select_related("facility").filter(facility_id=user.facility_id)
    if "identifier" in request.GET:
        found = found.filter(mrn=request.GET["identifier"].split("|")[-1])
    rows = list(found.order_by("pk")[:100])
    record_request_event(request, "fhir.search", object_type="Patient", detail={"count": len(rows)})
    return _bundle(request, [patient.to_fhir(p) for p in rows])


@fhir_view
def search_episodes(request: HttpRequest, user: User) -> HttpResponse:
    """EpisodeOfCare?patient=Patient/<id>."""
    unknown = sorted(set(request.GET) - {"patient"})
    if unknown:
        return operation_outcome(400, "not-supported", f"Search parameter '{unknown[0]}' is not supported.", unknown[0])
    found = Episode.objects.select_related("facility").filter(facility_id=user.facility_id)
    if "patient" in request.GET:
        patient_id = _id(request.GET["patient"].split("/")[-1])
        if patient_id is None:
            return operation_outcome(400, "invalid", "patient must look like Patient/123.", "patient")
        found = found.filter(patient_id=patient_id)
    rows = list(found.order_by("pk")[:100])
    record_request_event(request, "fhir.search", object_type="EpisodeOfCare", detail={"count": len(rows)})
    return _bundle(request, [episode_of_care.to_fhir(e) for e in rows])


def metadata(request: HttpRequest) -> HttpResponse:
    """The capability statement: what this server can read and search."""
    resources = [
        {
            "type": "Patient",
            "interaction": [{"code": "read"}, {"code": "search-type"}],
            "searchParam": [{"name": "identifier", "type": "token"}],
        },
        {
            "type": "EpisodeOfCare",
            "interaction": [{"code": "read"}, {"code": "search-type"}],
            "searchParam": [{"name": "patient", "type": "reference"}],
        },
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
            "implementation": {"description": "DetoxFlow FHIR endpoint (read and search)"},
            "rest": [{"mode": "server", "resource": resources}],
        }
    )
    return fhir_response(statement)
