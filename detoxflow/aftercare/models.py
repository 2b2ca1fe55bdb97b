"""Aftercare: the plan for after detox, the discharge checklist, and follow-up calls."""

from __future__ import annotations

from django.db import models

from detoxflow.accounts.scope import ScopedQuerySet
from detoxflow.clinical.discharge import NaloxoneStatus
from detoxflow.directory.models import Resource, ResourceKind
from detoxflow.episodes.models import Episode
from detoxflow.facilities.models import Facility
from detoxflow.medications.models import MedicationRequest


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


# The directory entries that can carry each kind of commitment, so the plan offers an NA group for a support group
# and an opioid treatment program for methadone. "Other" takes any entry.
RESOURCE_KINDS = {
    ItemKind.METHADONE_OTP: (ResourceKind.OTP,),
    ItemKind.BUPRENORPHINE: (
        ResourceKind.BUPRENORPHINE_PRESCRIBER,
        ResourceKind.OTP,
        ResourceKind.OUTPATIENT,
        ResourceKind.TREATMENT_CENTER,
    ),
    ItemKind.NALTREXONE_XR: (
        ResourceKind.OUTPATIENT,
        ResourceKind.TREATMENT_CENTER,
        ResourceKind.BUPRENORPHINE_PRESCRIBER,
    ),
    ItemKind.BEHAVIORAL_THERAPY: (ResourceKind.OUTPATIENT, ResourceKind.MENTAL_HEALTH, ResourceKind.TREATMENT_CENTER),
    ItemKind.SUPPORT_GROUP: (ResourceKind.SUPPORT_GROUP,),
    ItemKind.HOUSING: (ResourceKind.SOBER_LIVING, ResourceKind.TRANSITIONAL_HOUSING),
    ItemKind.PEER_SUPPORT: (ResourceKind.PEER_SUPPORT,),
    ItemKind.OTHER: tuple(ResourceKind),
}


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


class OrderDisposition(models.TextChoices):
    """What happens to an order still active when the patient leaves (medication reconciliation at discharge)."""

    STOPPED = "stopped", "Stopped at discharge"
    CONTINUED = "continued", "Continued after discharge"


class DischargeMedication(models.Model):
    """One order active at discharge and what became of it, as decided when the discharge was confirmed.

    The dose is copied in as it stood that day (a taper's dose for the day, not the order's starting dose), so
    the summary tells the receiving prescriber what the patient last took, whatever happens to the order later.
    """

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT)
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="discharge_medications")
    order = models.OneToOneField(MedicationRequest, on_delete=models.PROTECT, related_name="discharge_decision")
    disposition = models.CharField(max_length=16, choices=OrderDisposition.choices)
    # Continued: who takes the prescription over (the receiving prescriber or program), in the clinician's words.
    continued_by = models.CharField(max_length=200, blank=True)
    medicine_name = models.CharField(max_length=100)
    dose_mg = models.DecimalField(max_digits=8, decimal_places=2)
    # Set when the order followed a taper whose last step was still ahead on the day of discharge.
    taper_planned_until = models.DateField(null=True, blank=True)
    decided_at = models.DateTimeField()
    decided_by_name = models.CharField(max_length=200)

    objects = ScopedQuerySet.as_manager()
    patient_path = "episode__patient_id"

    class Meta:
        ordering = ["episode_id", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(disposition="continued") | ~models.Q(continued_by=""),
                name="continued_order_names_who_continues",
            )
        ]

    def __str__(self) -> str:
        return f"{self.medicine_name} {self.dose_mg} mg: {self.get_disposition_display()}"
