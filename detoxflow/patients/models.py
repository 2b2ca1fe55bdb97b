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


class Sex(models.TextChoices):
    """Sex recorded for clinical purposes; pregnancy capability is asked separately."""

    FEMALE = "female", "Female"
    MALE = "male", "Male"
    INTERSEX = "intersex", "Intersex"
    UNKNOWN = "unknown", "Unknown"


class Patient(models.Model):
    """One person known to a facility; the medical record number is unique within it."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="patients")
    mrn = models.CharField("medical record number", max_length=32, validators=[validate_mrn])
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
