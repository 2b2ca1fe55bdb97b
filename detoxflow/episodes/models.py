"""An episode of care and its stage history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from detoxflow.accounts.permissions import Role
from detoxflow.accounts.scope import ScopedQuerySet
from detoxflow.clinical.stages import CareSetting, DischargeType, Stage, WithdrawalMedication
from detoxflow.facilities.models import Bed, Facility, Unit
from detoxflow.patients.models import Patient

STAGE_CHOICES = [(s.value, s.label) for s in Stage]
DISCHARGE_CHOICES = [(d.value, d.label) for d in DischargeType]
SETTING_CHOICES = [(c.value, c.label) for c in CareSetting]
MEDICATION_CHOICES = [(m.value, m.label) for m in WithdrawalMedication]


class Episode(models.Model):
    """One stay (or outpatient course) of one patient at one facility, from first call to discharge."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="episodes")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="episodes")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="episodes", null=True, blank=True)
    bed = models.ForeignKey(Bed, on_delete=models.PROTECT, related_name="episodes", null=True, blank=True)
    stage = models.CharField(max_length=32, choices=STAGE_CHOICES, default=Stage.PRE_ADMISSION.value)
    care_setting = models.CharField(max_length=32, choices=SETTING_CHOICES, blank=True)
    withdrawal_medication = models.CharField(max_length=32, choices=MEDICATION_CHOICES, blank=True)
    opened_at = models.DateTimeField()
    # A pre-admission episode holding a bed is a booking; these are the dates the bed board plans with.
    expected_arrival = models.DateTimeField(null=True, blank=True)
    expected_discharge = models.DateField(null=True, blank=True)
    # Kept by the assessment and dose services so the census can sort by urgency without replaying history.
    next_assessment_due = models.DateTimeField(null=True, blank=True, db_index=True)
    admitted_at = models.DateTimeField(null=True, blank=True)
    discharged_at = models.DateTimeField(null=True, blank=True)
    discharge_type = models.CharField(max_length=32, choices=DISCHARGE_CHOICES, blank=True)
    care_team = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="episodes")

    objects = ScopedQuerySet.as_manager()
    patient_path = "patient_id"

    class Meta:
        ordering = ["-opened_at"]
        indexes = [models.Index(fields=["facility", "stage"], name="episode_facility_stage")]
        constraints = [
            # A bed can never hold two current episodes; the database, not the form, guarantees it.
            models.UniqueConstraint(
                fields=["bed"], condition=Q(discharged_at__isnull=True), name="one_current_episode_per_bed"
            ),
            # Nobody is in two programs at once at the same facility.
            models.UniqueConstraint(
                fields=["patient"], condition=Q(discharged_at__isnull=True), name="one_open_episode_per_patient"
            ),
            models.CheckConstraint(
                condition=Q(stage=Stage.DISCHARGED.value, discharged_at__isnull=False)
                | (~Q(stage=Stage.DISCHARGED.value) & Q(discharged_at__isnull=True)),
                name="discharged_stage_matches_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Episode {self.pk} ({self.get_stage_display()})"

    @property
    def stage_enum(self) -> Stage:
        return Stage(self.stage)

    @property
    def is_open(self) -> bool:
        return self.discharged_at is None


class StageTransition(models.Model):
    """An episode's move between stages: who, when and why, for the timeline. Never edited."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT)
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="transitions")
    from_stage = models.CharField(max_length=32, choices=STAGE_CHOICES, blank=True)
    to_stage = models.CharField(max_length=32, choices=STAGE_CHOICES)
    discharge_type = models.CharField(max_length=32, choices=DISCHARGE_CHOICES, blank=True)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    # Copied so the timeline still reads right after the account is renamed or removed.
    by_name = models.CharField(max_length=200)
    by_role = models.CharField(max_length=32)
    reason = models.TextField()

    objects = ScopedQuerySet.as_manager()
    patient_path = "episode__patient_id"

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_stage or 'start'} -> {self.to_stage}"

    @property
    def by_role_label(self) -> str:
        """The role in the clinic's words ("Intake coordinator"); a code no longer in the enum reads as stored."""
        return dict(Role.choices).get(self.by_role, self.by_role)
