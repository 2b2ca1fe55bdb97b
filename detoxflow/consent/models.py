"""Consents for disclosure and the disclosures made under them (42 CFR part 2)."""

from __future__ import annotations

from django.db import models

from detoxflow.accounts.scope import ScopedQuerySet
from detoxflow.consent.coverage import Category
from detoxflow.facilities.models import Facility
from detoxflow.patients.models import Patient


class Consent(models.Model):
    """A patient's written consent to disclose some records to a named recipient for a purpose."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="consents")
    recipient = models.CharField(max_length=200, help_text="A named person or organisation")
    categories = models.JSONField(help_text="Category values: all, medications, assessments, discharge_summary")
    purpose = models.CharField(max_length=300)
    starts = models.DateField()
    expires = models.DateField(null=True, blank=True)
    revoked_on = models.DateField(null=True, blank=True)
    signed_copy_reference = models.CharField(max_length=200, help_text="Where the signed paper copy is filed")
    recorded_by_name = models.CharField(max_length=200)
    recorded_at = models.DateTimeField()

    objects = ScopedQuerySet.as_manager()
    patient_path = "patient_id"

    class Meta:
        ordering = ["-starts", "pk"]

    def __str__(self) -> str:
        return f"Consent {self.pk} to {self.recipient}"

    @property
    def category_labels(self) -> list[str]:
        return [Category(c).label for c in self.categories]


class Disclosure(models.Model):
    """One disclosure made: to whom, what, why, under which consent, with the notice it carried. Never edited."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="disclosures")
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="disclosures")
    recipient = models.CharField(max_length=200)
    category = models.CharField(max_length=32)
    purpose = models.CharField(max_length=300)
    what = models.CharField(max_length=200)
    notice = models.TextField()
    at = models.DateTimeField()
    by_name = models.CharField(max_length=200)

    objects = ScopedQuerySet.as_manager()
    patient_path = "patient_id"

    class Meta:
        ordering = ["-at", "pk"]

    def __str__(self) -> str:
        return f"{self.what} to {self.recipient}"
