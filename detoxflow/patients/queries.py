"""Read side for patients: access within the facility, and the patient page in constant queries."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from detoxflow.accounts.access import require, require_unit_scope, staff_member
from detoxflow.accounts.models import User
from detoxflow.accounts.permissions import Action
from detoxflow.episodes.models import Episode, StageTransition
from detoxflow.patients.models import Patient


def get_patient_for(request: HttpRequest, patient_id: int, action: Action) -> Patient:
    """The patient if the user's role allows `action` and the patient is in their facility; else 403/404."""
    require(request, action, patient_id=patient_id, object_type="Patient", object_id=patient_id)
    user = staff_member(request)
    patient = Patient.objects.filter(pk=patient_id, facility_id=user.facility_id).first()
    if patient is None:
        raise Http404("No such patient in your facility.")
    open_unit = patient.episodes.filter(discharged_at__isnull=True).values_list("unit_id", flat=True).first()
    require_unit_scope(request, patient.pk, open_unit, timezone.now())
    return patient


def patient_record(patient_id: int) -> Patient:
    """A patient with allergies and episodes (bed, unit, timeline, care team, assessments): six queries."""
    transitions = StageTransition.objects.order_by("at", "pk")
    episodes = Episode.objects.select_related("bed", "unit").prefetch_related(
        Prefetch("transitions", queryset=transitions), "care_team", "withdrawal_assessments"
    )
    return Patient.objects.prefetch_related("allergies", Prefetch("episodes", queryset=episodes)).get(pk=patient_id)


def patients_for(user: User) -> QuerySet[Patient]:
    """Patients of the user's facility."""
    return Patient.objects.filter(facility_id=user.facility_id)
