"""API for patients: list, read, register, edit, allergies. Every call is audited."""

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from detoxflow.accounts.access import require, staff_member
from detoxflow.accounts.permissions import Action
from detoxflow.audit.services import client_address, record_request_event
from detoxflow.patients import services
from detoxflow.patients.models import Patient
from detoxflow.patients.queries import get_patient_for
from detoxflow.patients.schemas import AllergyIn, PatientIn, PatientOut, PatientPatch
from detoxflow.web.identifiers import RecordId
from detoxflow.web.pagination import BoundedPagination

router = Router(tags=["patients"])


class PatientFilter(Schema):
    mrn: str | None = None
    family_name: str | None = None


@router.get("", response=list[PatientOut])
@paginate(BoundedPagination)
def list_patients(request: HttpRequest, filters: Query[PatientFilter]) -> QuerySet[Patient]:
    """Patients the user may read (their unit's, or the facility's), optionally by MRN or family name."""
    require(request, Action.VIEW_PATIENT, object_type="Patient")
    patients = (
        Patient.objects.restrict(staff_member(request), Action.VIEW_PATIENT)
        .prefetch_related("allergies")
        .order_by("family_name", "given_name", "pk")
    )
    if filters.mrn:
        patients = patients.filter(mrn=filters.mrn)
    if filters.family_name:
        patients = patients.filter(family_name__iexact=filters.family_name)
    record_request_event(request, "patient.list", object_type="Patient", detail=filters.dict(exclude_none=True))
    return patients


@router.post("", response={201: PatientOut})
def register_patient(request: HttpRequest, payload: PatientIn) -> Status[Patient]:
    """Register a patient; a medical record number in use answers 409 naming `mrn`."""
    require(request, Action.REGISTER_PATIENT, object_type="Patient")
    patient = services.register_patient(
        staff_member(request),
        payload.dict(),
        address=client_address(request),
        now=timezone.now(),
    )
    return Status(201, patient)


@router.get("/{patient_id}", response=PatientOut)
def read_patient(request: HttpRequest, patient_id: RecordId) -> Patient:
    """One patient with allergies."""
    patient = get_patient_for(request, patient_id, Action.VIEW_PATIENT)
    record_request_event(request, "patient.view", patient_id=patient.pk, object_type="Patient", object_id=patient.pk)
    return patient


@router.patch("/{patient_id}", response=PatientOut)
def update_patient(request: HttpRequest, patient_id: RecordId, payload: PatientPatch) -> Patient:
    """Change some demographics; fields left out stay as they are."""
    patient = get_patient_for(request, patient_id, Action.EDIT_PATIENT)
    return services.update_patient(
        staff_member(request),
        patient,
        payload.dict(exclude_unset=True),
        address=client_address(request),
        now=timezone.now(),
    )


@router.post("/{patient_id}/allergies", response={201: PatientOut})
def add_allergy(request: HttpRequest, patient_id: RecordId, payload: AllergyIn) -> Status[Patient]:
    """Record an allergy."""
    patient = get_patient_for(request, patient_id, Action.EDIT_PATIENT)
    services.record_allergy(
        staff_member(request), patient, payload.substance, payload.reaction, address=client_address(request)
    )
    return Status(201, patient)
