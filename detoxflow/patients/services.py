"""The only writers of patient demographics and allergies; each write is audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from detoxflow.accounts.models import User
from detoxflow.audit.services import record_event
from detoxflow.errors import Conflict, InvalidInput
from detoxflow.patients.models import Allergy, Patient, Sex, mrn_problem

DEMOGRAPHIC_FIELDS = (
    "mrn",
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "pregnancy_capable",
    "phone",
    "emergency_contact_name",
    "emergency_contact_phone",
)


def _check_demographics(values: dict[str, Any], today: dt.date) -> None:
    for name, value in values.items():
        if value is None:
            raise InvalidInput(name, "This field cannot be empty.")
    for name in ("mrn", "given_name", "family_name"):
        if name in values and not str(values[name]).strip():
            raise InvalidInput(name, "This field is required.")
    # Every door (form, API, FHIR import, booking) comes through here, so no unsafe record number is written.
    problem = mrn_problem(str(values["mrn"])) if "mrn" in values else None
    if problem:
        raise InvalidInput("mrn", problem)
    if "sex" in values and values["sex"] not in Sex.values:
        raise InvalidInput("sex", f"Choose one of: {', '.join(Sex.values)}.")
    dob = values.get("date_of_birth")
    if dob is not None:
        if dob > today:
            raise InvalidInput("date_of_birth", "Date of birth cannot be in the future.")
        if dob < today.replace(year=today.year - 120):
            raise InvalidInput("date_of_birth", "Date of birth is more than 120 years ago; check the year.")


def register_patient(actor: User, values: dict[str, Any], *, address: str | None, now: dt.datetime) -> Patient:
    """Create a patient in the actor's facility; a medical record number already in use is refused."""
    _check_demographics(values, timezone.localdate(now))
    patient = Patient(facility_id=actor.facility_id, **{k: values[k] for k in DEMOGRAPHIC_FIELDS if k in values})
    try:
        with transaction.atomic():
            patient.save()
            record_event(
                actor=actor,
                action="patient.register",
                patient_id=patient.pk,
                object_type="Patient",
                object_id=patient.pk,
                address=address,
            )
    except IntegrityError:
        raise Conflict("mrn", f"Medical record number {values['mrn']} is already used in this facility.") from None
    return patient


def update_patient(
    actor: User, patient: Patient, values: dict[str, Any], *, address: str | None, now: dt.datetime
) -> Patient:
    """Change demographics; the audit event lists which fields changed, not their values."""
    _check_demographics(values, timezone.localdate(now))
    changed = [k for k in DEMOGRAPHIC_FIELDS if k in values and getattr(patient, k) != values[k]]
    original = {k: getattr(patient, k) for k in changed}
    for name in changed:
        setattr(patient, name, values[name])
    try:
        with transaction.atomic():
            patient.save(update_fields=changed or None)
            record_event(
                actor=actor,
                action="patient.update",
                patient_id=patient.pk,
                object_type="Patient",
                object_id=patient.pk,
                address=address,
                detail={"fields": changed},
            )
    except IntegrityError:
        for name, value in original.items():
            setattr(patient, name, value)
        raise Conflict("mrn", f"Medical record number {values['mrn']} is already used in this facility.") from None
    return patient


def record_allergy(actor: User, patient: Patient, substance: str, reaction: str, *, address: str | None) -> Allergy:
    """Add an allergy to the patient's record."""
    if not substance.strip():
        raise InvalidInput("substance", "Name the substance the patient is allergic to.")
    with transaction.atomic():
        allergy = Allergy.objects.create(
            facility_id=patient.facility_id, patient=patient, substance=substance.strip(), reaction=reaction.strip()
        )
        record_event(
            actor=actor,
            action="allergy.record",
            patient_id=patient.pk,
            object_type="Allergy",
            object_id=allergy.pk,
            address=address,
        )
    return allergy
