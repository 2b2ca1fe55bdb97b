"""Facility -> Unit -> Bed: the physical places a detox episode happens in."""

from __future__ import annotations

from django.db import models

from detoxflow.accounts.scope import ScopedQuerySet


class Facility(models.Model):
    """A detox program at one site; every clinical row carries its facility."""

    name = models.CharField(max_length=200)
    code = models.SlugField(max_length=32, unique=True)
    admissions_phone = models.CharField(max_length=32, blank=True)
    timezone = models.CharField(max_length=64, default="America/New_York")
    # Printed on discharge papers, so a receiving clinician knows where the patient came from and whom to call.
    address = models.CharField(max_length=300, blank=True)
    main_phone = models.CharField(max_length=32, blank=True)
    # How new medical record numbers are made: {code} is the facility's code (upper-cased), {year} the year of
    # registration and {number} a per-facility sequence (with a format, e.g. {number:06d}).
    record_number_pattern = models.CharField(max_length=64, default="{code}-{number:06d}")

    class Meta:
        verbose_name_plural = "facilities"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A ward or wing of a facility with its own census and nursing team."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="units")
    name = models.CharField(max_length=100)
    code = models.SlugField(max_length=32)
    # The nursing station's own line, for the patient's handout ("call the unit").
    phone = models.CharField(max_length=32, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["facility", "name"]
        constraints = [models.UniqueConstraint(fields=["facility", "code"], name="unit_code_unique_in_facility")]

    def __str__(self) -> str:
        return self.name


class Housekeeping(models.TextChoices):
    """Whether an empty bed can take the next patient."""

    READY = "ready", "Ready"
    CLEANING = "cleaning", "Cleaning"
    OUT_OF_SERVICE = "out_of_service", "Out of service"


class Bed(models.Model):
    """A bed on a unit; who is in it (or booked for it) comes from the open episode assigned to it."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="beds")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="beds")
    label = models.CharField(max_length=16)
    housekeeping = models.CharField(max_length=16, choices=Housekeeping.choices, default=Housekeeping.READY)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["unit", "label"]
        constraints = [models.UniqueConstraint(fields=["unit", "label"], name="bed_label_unique_in_unit")]

    def __str__(self) -> str:
        return f"{self.unit.name} {self.label}"


class RuleOverride(models.Model):
    """A facility's version of a published clinical rule set. Never edited: each change is a new row,
    so every decision can name the version that was in force when it was made."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="rule_overrides")
    rule_set = models.CharField(max_length=32)
    values = models.JSONField()
    reason = models.TextField()
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, related_name="+")
    changed_by_name = models.CharField(max_length=200)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["facility", "rule_set", "-changed_at"], name="rule_override_current")]

    def __str__(self) -> str:
        return f"{self.rule_set} v{self.pk}"
