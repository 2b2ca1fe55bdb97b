"""The only writers of patient demographics and allergies; each write is audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from detoxflow.accounts.models import User
from detoxflow.audit.actions import AuditAction
from detoxflow.audit.services import record_event
from detoxflow.errors import Conflict, InvalidInput
from detoxflow.facilities.models import Facility
from detoxflow.patients.models import (
    Allergy,
    Patient,
    RecordNumberSequence,
    Sex,
    mrn_problem,
    record_number_from,
    record_number_pattern_problem,
)

# How many numbers past a hand-typed one (a number kept from a previous system that the pattern also makes)
# are tried before asking for a number by hand; one query looks them all up.
_NUMBERS_TRIED = 50

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


def _record_number_in_use(mrn: str) -> Conflict:
    """The refusal when the database's unique (facility, record number) constraint stops a save.

    Registering and correcting demographics both meet it; the message names the number so the clerk can check
    the wristband or the previous system rather than retry."""
    return Conflict("mrn", f"Medical record number {mrn} is already used in this facility.")


def register_patient(actor: User, values: dict[str, Any], *, address: str | None, now: dt.datetime) -> Patient:
    """Create a patient in the actor's facility; a medical record number already in use is refused.

    With no number given, the next one is made from the facility's record-number pattern; a number typed by
    hand (one the patient already has from a previous system) is kept as typed.
    """
    values = dict(values)
    generate = not str(values.get("mrn") or "").strip()
    if generate:
        values.pop("mrn", None)
    _check_demographics(values, timezone.localdate(now))
    try:
        with transaction.atomic():
            if generate:
                values["mrn"] = _next_record_number(actor.facility, now)
            patient = Patient(
                facility_id=actor.facility_id, **{k: values[k] for k in DEMOGRAPHIC_FIELDS if k in values}
            )
            patient.save()
            record_event(
                actor=actor,
                action="patient.register",
                patient_id=patient.pk,
                object_type="Patient",
                object_id=patient.pk,
                address=address,
                detail={"record_number": "generated" if generate else "typed"},
            )
    except IntegrityError:
        raise _record_number_in_use(values["mrn"]) from None
    return patient


def _next_record_number(facility: Facility, now: dt.datetime) -> str:
    """The next number the facility's pattern makes that no patient holds, taken under a lock on its counter.

    The counter row is locked (SELECT ... FOR UPDATE) until the registration commits, so concurrent
    registrations take numbers one after the other; a rolled-back registration gives its number back.
    """
    pattern, year = facility.record_number_pattern, timezone.localdate(now).year
    problem = record_number_pattern_problem(pattern, code=facility.code, year=year)
    if problem:
        raise InvalidInput(
            "mrn",
            f"No record number can be made from this facility's pattern ({pattern}): {problem} Type the number "
            "by hand, or ask an administrator to correct the pattern.",
        )
    # First use: start after the patients already registered, whose numbers (the demo's, an import's) often
    # follow the same pattern from 1.
    RecordNumberSequence.objects.get_or_create(
        facility=facility, defaults={"last_number": Patient.objects.filter(facility=facility).count()}
    )
    sequence = RecordNumberSequence.objects.select_for_update().get(facility=facility)
    candidates = {
        number: record_number_from(pattern, code=facility.code, year=year, number=number)
        for number in range(sequence.last_number + 1, sequence.last_number + 1 + _NUMBERS_TRIED)
    }
    taken = set(Patient.objects.filter(facility=facility, mrn__in=candidates.values()).values_list("mrn", flat=True))
    for number, mrn in candidates.items():
        if mrn not in taken:
            sequence.last_number = number
            sequence.save(update_fields=["last_number"])
            return mrn
    raise Conflict(
        "mrn",
        f"The next {_NUMBERS_TRIED} record numbers from the pattern are all in use already; type the number by hand.",
    )


def set_record_number_pattern(
    actor: User, facility: Facility, pattern: str, *, address: str | None, now: dt.datetime
) -> Facility:
    """Change how the facility's new record numbers are made; a pattern that cannot make safe, distinct
    numbers is refused, naming why. Numbers already given are never rewritten (they are on wristbands)."""
    pattern = pattern.strip()
    problem = record_number_pattern_problem(pattern, code=facility.code, year=timezone.localdate(now).year)
    if problem:
        raise InvalidInput("record_number_pattern", problem)
    with transaction.atomic():
        previous = facility.record_number_pattern
        facility.record_number_pattern = pattern
        facility.save(update_fields=["record_number_pattern"])
        record_event(
            actor=actor,
            action="facility.record_number_pattern",
            facility_id=facility.pk,
            object_type="Facility",
            object_id=facility.pk,
            address=address,
            detail={"from": previous, "to": pattern},
        )
    return facility


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
        raise _record_number_in_use(values["mrn"]) from None
    return patient


def record_allergy(actor: User, patient: Patient, substance: str, reaction: str, *, address: str | None) -> Allergy:
    """Add an allergy to the patient's record."""
    if not substance.strip():
        raise InvalidInput("substance", "Name the substance the patient is allergic to.")
    with transaction.atomic():
        allergy = Allergy.objects.create(
            facility_id=patient.facility_id, patient=patient, substance=substance.strip(), reaction=reaction.strip()
        )
        # An allergy recorded now makes an earlier "no known allergies" untrue.
        Patient.objects.filter(pk=patient.pk).update(no_known_allergies_at=None, no_known_allergies_by_name="")
        patient.no_known_allergies_at, patient.no_known_allergies_by_name = None, ""
        record_event(
            actor=actor,
            action="allergy.record",
            patient_id=patient.pk,
            object_type="Allergy",
            object_id=allergy.pk,
            address=address,
        )
    return allergy


def record_no_known_allergies(actor: User, patient: Patient, *, now: dt.datetime, address: str | None) -> Patient:
    """Record that the patient was asked and knows of no allergy: an answer, unlike a list nobody filled in."""
    if patient.allergies.exists():
        raise InvalidInput(
            "allergies", "Allergies are recorded for this patient, so 'no known allergies' would contradict them."
        )
    with transaction.atomic():
        patient.no_known_allergies_at, patient.no_known_allergies_by_name = now, actor.display_name
        patient.save(update_fields=["no_known_allergies_at", "no_known_allergies_by_name"])
        record_event(
            actor=actor,
            action=AuditAction.NO_KNOWN_ALLERGIES,
            patient_id=patient.pk,
            object_type="Patient",
            object_id=patient.pk,
            address=address,
        )
    return patient
