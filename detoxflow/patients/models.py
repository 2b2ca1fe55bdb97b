"""A person under the program's care: demographics, contact and allergies."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db import models

from detoxflow.accounts.scope import ScopedQuerySet
from detoxflow.facilities.models import Facility

# A medical record number is printed on wristbands and labels (barcode symbologies are ASCII), typed on every
# keyboard, sent in HL7 v2 (where | ^ ~ \ & are delimiters) and FHIR searches (identifier=system|value), and put
# in download file names and CSV exports. So: ASCII letters and digits, and . _ / - inside, never first (a
# leading - + = @ is a formula to a spreadsheet). No spaces, quotes or line breaks: a CR/LF in one broke the
# summary PDF's Content-Disposition header.
MRN_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*")
MRN_MAX_LENGTH = 32
MRN_RULE = "Use letters, digits and . _ / - only, starting with a letter or digit"
_NAMED = {"\r": "a line break", "\n": "a line break", " ": "a space", "\t": "a tab", '"': "a quote", "'": "a quote"}


def mrn_problem(value: str) -> str | None:
    """Why `value` is not a valid medical record number (naming the first character at fault), or None."""
    if MRN_PATTERN.fullmatch(value):
        return None
    bad = next((ch for ch in value if not (ch.isascii() and (ch.isalnum() or ch in "._/-"))), value[:1])
    if bad == "":
        return "This field is required."
    if bad in "._/-":
        described = f"'{bad}' as the first character"
    elif bad in _NAMED:
        described = _NAMED[bad]
    else:
        described = f"'{bad}'" if bad.isprintable() else f"the character U+{ord(bad):04X}"
    return f"{MRN_RULE}; {described} is not allowed."


def validate_mrn(value: str) -> None:
    """Model-field validator, so the registration and edit forms show the problem beside the field."""
    problem = mrn_problem(value)
    if problem:
        raise ValidationError(problem, code="invalid_mrn")


def record_number_from(pattern: str, *, code: str, year: int, number: int) -> str:
    """The record number `pattern` makes: {code} the facility's code upper-cased, {year}, {number} the sequence.

    Raises ValueError naming what is wrong with the pattern itself (an unknown or malformed placeholder).
    """
    try:
        return pattern.format(code=code.upper(), year=year, number=number)
    except KeyError as unknown:
        name = unknown.args[0]
        raise ValueError(f"{{{name}}} is not a placeholder; use {{code}}, {{year}} and {{number}}.") from None
    except (ValueError, IndexError, AttributeError):
        raise ValueError(
            "Write the placeholders as {code}, {year} and {number} (a format such as {number:06d} is allowed)."
        ) from None


def record_number_pattern_problem(pattern: str, *, code: str, year: int) -> str | None:
    """Why `pattern` cannot make this facility's record numbers, or None.

    It must contain {number} (else every patient gets the same number), and what it makes must be a safe
    record number and fit the field, from the first number to a large one.
    """
    if "{number" not in pattern:
        return "The pattern needs {number}, the per-facility sequence, or every patient would get the same number."
    try:
        samples = [record_number_from(pattern, code=code, year=year, number=n) for n in (1, 9_999_999)]
    except ValueError as error:
        return str(error)
    for sample in samples:
        problem = mrn_problem(sample)
        if problem:
            return f"The pattern makes '{sample}', which is not a safe record number: {problem}"
        if len(sample) > MRN_MAX_LENGTH:
            return f"The pattern makes '{sample}', longer than the {MRN_MAX_LENGTH} characters a record number allows."
    return None


class Sex(models.TextChoices):
    """Sex recorded for clinical purposes; pregnancy capability is asked separately."""

    FEMALE = "female", "Female"
    MALE = "male", "Male"
    INTERSEX = "intersex", "Intersex"
    UNKNOWN = "unknown", "Unknown"


class Patient(models.Model):
    """One person known to a facility; the medical record number is unique within it."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="patients")
    mrn = models.CharField("medical record number", max_length=MRN_MAX_LENGTH, validators=[validate_mrn])
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=16, choices=Sex.choices)
    # Drives the pregnancy questions and checks; asked of every patient who could be pregnant.
    pregnancy_capable = models.BooleanField(default=False)
    phone = models.CharField(max_length=32, blank=True)
    emergency_contact_name = models.CharField(max_length=200, blank=True)
    emergency_contact_phone = models.CharField(max_length=32, blank=True)
    # "No known allergies" is an answer someone gave, distinct from never having asked: the banner says which.
    # Recording an allergy clears it.
    no_known_allergies_at = models.DateTimeField(null=True, blank=True)
    no_known_allergies_by_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    patient_path = "pk"

    class Meta:
        ordering = ["family_name", "given_name"]
        constraints = [models.UniqueConstraint(fields=["facility", "mrn"], name="patient_mrn_unique_in_facility")]

    def __str__(self) -> str:
        return f"{self.family_name}, {self.given_name} ({self.mrn})"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def age_on(self, day: dt.date) -> int:
        """Age in whole years on `day`."""
        before_birthday = (day.month, day.day) < (self.date_of_birth.month, self.date_of_birth.day)
        return day.year - self.date_of_birth.year - before_birthday


class RecordNumberSequence(models.Model):
    """The last number given to a new patient of a facility, locked while the next one is taken.

    One row per facility: registrations queue on this row only, so two coordinators booking at once get two
    different numbers, and nothing else in the facility waits for them.
    """

    facility = models.OneToOneField(Facility, on_delete=models.PROTECT, related_name="record_number_sequence")
    last_number = models.PositiveBigIntegerField(default=0)

    # Facility scope only: a counter holds no patient data.
    objects = ScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.facility_id}: {self.last_number}"


class Allergy(models.Model):
    """A recorded allergy or intolerance; the medication safety check reads these."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="allergies")
    substance = models.CharField(max_length=100)
    reaction = models.CharField(max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    patient_path = "patient_id"

    class Meta:
        ordering = ["substance"]
        verbose_name_plural = "allergies"

    def __str__(self) -> str:
        return self.substance
