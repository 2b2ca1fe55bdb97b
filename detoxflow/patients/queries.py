"""Read side for patients: access within the facility, and the patient page in constant queries."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404, HttpRequest

from detoxflow.accounts.access import find_for, get_for, require, staff_member
from detoxflow.accounts.permissions import Action
from detoxflow.episodes.models import Episode, StageTransition
from detoxflow.patients.models import Patient


def get_patient_for(request: HttpRequest, patient_id: int, action: Action) -> Patient:
    """The patient if the role allows `action` (403), in the user's facility (404) and within their unit (403)."""
    return get_for(
        request,
        Patient,
        patient_id,
        action,
        missing="No such patient in your facility.",
        patient_id=patient_id,
        object_type="Patient",
        object_id=patient_id,
    )


def find_patient_for(request: HttpRequest, patient_id: int) -> Patient | None:
    """The patient if in the user's facility, else None; 403 OutsideUnit if on another unit (FHIR's lookups)."""
    return find_for(request, Patient.objects.filter(pk=patient_id))


def get_patient_for_emergency_access(request: HttpRequest, patient_id: int) -> Patient:
    """For breaking the glass: a patient of the user's facility on whatever unit (404 outside the facility),
    if the role allows emergency access (403). The recorded grant, not this lookup, opens the record."""
    require(request, Action.EMERGENCY_ACCESS, patient_id=patient_id)
    patient = Patient.objects.in_facility_of(staff_member(request)).filter(pk=patient_id).first()
    if patient is None:
        raise Http404("No such patient in your facility.")
    return patient


def patient_record(patient_id: int) -> Patient:
    """A patient with allergies and episodes (bed, unit, timeline, care team, assessments): six queries."""
    transitions = StageTransition.objects.order_by("at", "pk")
    episodes = Episode.objects.select_related("bed", "unit").prefetch_related(
        Prefetch("transitions", queryset=transitions), "care_team", "withdrawal_assessments"
    )
    # all() first: the django-stubs plugin cannot follow a Prefetch called on a custom manager directly.
    patients = Patient.objects.all()
    return patients.prefetch_related("allergies", Prefetch("episodes", queryset=episodes)).get(pk=patient_id)
