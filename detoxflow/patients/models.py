"""A person under the program's care: demographics, contact and allergies."""

from __future__ import annotations

import datetime as dt

from django.db import models

from detoxflow.accounts.scope import ScopedQuerySet
from detoxflow.facilities.models import Facility


class Sex(models.TextChoices):
    """Sex recorded for clinical purposes; pregnancy capability is asked separately."""

    FEMALE = "female", "Female"
    MALE = "male", "Male"
    INTERSEX = "intersex", "Intersex"
    UNKNOWN = "unknown", "Unknown"


class Patient(models.Model):
    """One person known to a facility; the medical record number is unique within it."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="patients")
    mrn = models.CharField("medical record number", max_length=32)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=16, choices=Sex.choices)
    # Drives the pregnancy questions and checks; asked of every patient who could be pregnant.
    pregnancy_capable = models.BooleanField(default=False)
    phone = models.CharField(max_length=32, blank=True)
    emergency_contact_name = models.CharField(max_length=200, blank=True)
    emergency_contact_phone = models.CharField(max_length=32, blank=True)
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
