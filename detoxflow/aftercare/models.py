"""Aftercare: the plan for after detox, the discharge checklist, and follow-up calls."""

from __future__ import annotations

from django.db import models

from detoxflow.accounts.scope import ScopedQuerySet
from detoxflow.clinical.discharge import NaloxoneStatus
from detoxflow.directory.models import Resource
from detoxflow.episodes.models import Episode
from detoxflow.facilities.models import Facility


class AftercarePlan(models.Model):
    """What happens after discharge, built by a counselor during the stay."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT)
    episode = models.OneToOneField(Episode, on_delete=models.PROTECT, related_name="aftercare")
    relapse_prevention = models.TextField(blank=True)
    lifestyle_goals = models.TextField(blank=True, help_text="Exercise, diet, stress management")
    reviewed_with_patient_at = models.DateTimeField(null=True, blank=True)
    reviewed_by_name = models.CharField(max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    patient_path = "episode__patient_id"

    def __str__(self) -> str:
        return f"Aftercare plan for episode {self.episode_id}"


class ItemKind(models.TextChoices):
    """The parts of an aftercare plan (reference §9-§10)."""

    METHADONE_OTP = "methadone_otp", "Continued methadone at an opioid treatment program"
    BUPRENORPHINE = "buprenorphine", "Continued buprenorphine with a named prescriber"
    NALTREXONE_XR = "naltrexone_xr", "Extended-release naltrexone"
    BEHAVIORAL_THERAPY = "behavioral_therapy", "Behavioral therapy"
    SUPPORT_GROUP = "support_group", "Support group (NA, SMART Recovery)"
    HOUSING = "housing", "Housing (sober living, transitional)"
    PEER_SUPPORT = "peer_support", "Peer support / recovery coach"
    OTHER = "other", "Other"


class AftercareItem(models.Model):
    """One commitment in the plan, linked to a directory entry, with an appointment when there is one."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT)
    plan = models.ForeignKey(AftercarePlan, on_delete=models.PROTECT, related_name="items")
    kind = models.CharField(max_length=32, choices=ItemKind.choices)
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    appointment_at = models.DateTimeField(null=True, blank=True)
    detail = models.CharField(max_length=300, blank=True)
    # Naltrexone only: the first day it may be given, computed from the last opioid use (reference §10).
    earliest_start = models.DateField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    patient_path = "plan__episode__patient_id"

    class Meta:
        ordering = ["appointment_at", "pk"]

    def __str__(self) -> str:
        return self.get_kind_display()


class DischargeChecklist(models.Model):
    """The steps before discharge; which are required depends on the discharge type."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT)
    episode = models.OneToOneField(Episode, on_delete=models.PROTECT, related_name="discharge_checklist")
    naloxone = models.CharField(
        max_length=16, choices=[(s.value, s.label) for s in NaloxoneStatus], default=NaloxoneStatus.NOT_YET.value
    )
    naloxone_decline_reason = models.CharField(max_length=300, blank=True)
    overdose_education = models.BooleanField(default=False)
    medications_reconciled = models.BooleanField(default=False)
    updated_by_name = models.CharField(max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    patient_path = "episode__patient_id"

    def __str__(self) -> str:
        return f"Discharge checklist for episode {self.episode_id}"


class FollowUpOutcome(models.TextChoices):
    """What a follow-up call found."""

    PENDING = "pending", "Not called yet"
    REACHED = "reached", "Reached, doing well"
    IN_TREATMENT = "in_treatment", "In treatment"
    RELAPSED = "relapsed", "Relapsed"
    READMITTED = "readmitted", "Readmitted"
    UNREACHABLE = "unreachable", "Unreachable"


class FollowUpTask(models.Model):
    """A call due some days after discharge, and what it found."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT)
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="follow_ups")
    day = models.PositiveSmallIntegerField()
    due_on = models.DateField(db_index=True)
    outcome = models.CharField(max_length=16, choices=FollowUpOutcome.choices, default=FollowUpOutcome.PENDING)
    note = models.TextField(blank=True)
    called_at = models.DateTimeField(null=True, blank=True)
    called_by_name = models.CharField(max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    patient_path = "episode__patient_id"

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["episode", "day"], name="one_follow_up_per_day")]

    def __str__(self) -> str:
        return f"Day {self.day} call ({self.get_outcome_display()})"
