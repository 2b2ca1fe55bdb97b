"""Read side for patients: access within the facility, and the patient page in constant queries."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest

from detoxflow.accounts.access import find_for, get_for, require, staff_member
from detoxflow.accounts.models import User
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


# A search answers with a screenful: a returning patient is found by adding the date of birth, not by paging.
SEARCH_LIMIT = 20


def find_returning_patients(
    user: User,
    *,
    name: str = "",
    date_of_birth: dt.date | None = None,
    record_number: str = "",
    action: Action = Action.OPEN_EPISODE,
) -> QuerySet[Patient]:
    """Patients within the user's reach matching every criterion given, so a returning patient is booked rather
    than registered twice: each word of `name` in the given or family name, the date of birth, the record
    number (whole, any case). With no criterion, nobody: the search never lists the whole facility.

    Each row says whether the patient has an episode open (`has_open_episode`): one cannot be booked twice.
    """
    words = name.split()[:4]
    record_number = record_number.strip()
    patients = Patient.objects.restrict(user, action)
    if not (words or date_of_birth or record_number):
        return patients.none()
    for word in words:
        patients = patients.filter(Q(given_name__icontains=word) | Q(family_name__icontains=word))
    if date_of_birth is not None:
        patients = patients.filter(date_of_birth=date_of_birth)
    if record_number:
        patients = patients.filter(mrn__iexact=record_number)
    open_episodes = Episode.objects.filter(patient_id=OuterRef("pk"), discharged_at__isnull=True)
    return patients.annotate(has_open_episode=Exists(open_episodes)).order_by("family_name", "given_name", "pk")[
        :SEARCH_LIMIT
    ]


def same_person_registered(user: User, *, given_name: str, family_name: str, date_of_birth: dt.date) -> Patient | None:
    """A patient within the user's reach with this name and date of birth: very likely the same person."""
    return (
        Patient.objects.restrict(user, Action.OPEN_EPISODE)
        .filter(
            given_name__iexact=given_name.strip(), family_name__iexact=family_name.strip(), date_of_birth=date_of_birth
        )
        .order_by("pk")
        .first()
    )
