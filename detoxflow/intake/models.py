"""Evaluation and intake: the structured assessment, the detox-method decision and the treatment plan."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from detoxflow.accounts.scope import ScopedQuerySet
from detoxflow.episodes.models import MEDICATION_CHOICES, SETTING_CHOICES, Episode
from detoxflow.facilities.models import Facility


class Pregnancy(models.TextChoices):
    """Pregnancy status at intake; a possible pregnancy is treated as one until a test says otherwise."""

    NOT_APPLICABLE = "not_applicable", "Not applicable"
    NO = "no", "Not pregnant (tested or certain)"
    POSSIBLE = "possible", "Possible / unknown"
    YES = "yes", "Pregnant"


class SuicideRisk(models.TextChoices):
    """Answer to the suicide-risk screen."""

    NONE = "none", "No thoughts of suicide"
    PASSIVE = "passive", "Passive thoughts (wish to be dead)"
    ACTIVE_NO_PLAN = "active_no_plan", "Active thoughts, no plan"
    PLAN_OR_INTENT = "plan_or_intent", "Plan or intent"


class Housing(models.TextChoices):
    """Where the patient will sleep after discharge."""

    STABLE = "stable", "Stable housing"
    UNSTABLE = "unstable", "Unstable (couch-surfing, at risk)"
    NONE = "none", "Homeless / no safe place"


class Decision(models.TextChoices):
    """Whether the clinician took the recommended method or chose another with a reason."""

    CONFIRMED = "confirmed", "Confirmed the recommendation"
    OVERRIDDEN = "overridden", "Overrode the recommendation"


class IntakeAssessment(models.Model):
    """The structured evaluation of one episode, with the computed severity and recommendation.

    Substance use, urine screen and DSM-5 answers are stored as JSON keyed by the clinical
    enums' values so the set can grow without a migration per substance.
    """

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT)
    episode = models.OneToOneField(Episode, on_delete=models.PROTECT, related_name="intake")
    # {"heroin": {"last_use": "2026-11-20T08:00:00+00:00", "route": "injection"}, ...}
    substance_use = models.JSONField(default=dict)
    methadone_daily_mg = models.PositiveIntegerField(null=True, blank=True)
    prior_complicated_withdrawal = models.BooleanField(default=False)
    failed_outpatient_attempts = models.BooleanField(default=False)
    liver_disease = models.BooleanField(default=False)
    cardiac_disease = models.BooleanField(default=False)
    last_qtc_ms = models.PositiveIntegerField(null=True, blank=True)
    # When the ECG behind last_qtc_ms was taken: every QT warning names it, since an old QTc says less.
    last_qtc_on = models.DateField(null=True, blank=True)
    respiratory_disease = models.BooleanField(default=False)
    seizure_history = models.BooleanField(default=False)
    active_infection = models.BooleanField(default=False)
    medical_notes = models.TextField(blank=True)
    psychiatric_history = models.TextField(blank=True)
    suicide_risk = models.CharField(max_length=16, choices=SuicideRisk.choices)
    psychosis = models.BooleanField(default=False)
    pregnancy = models.CharField(max_length=16, choices=Pregnancy.choices)
    current_medications = models.TextField(blank=True)
    housing = models.CharField(max_length=16, choices=Housing.choices)
    home_support = models.BooleanField(default=False)
    can_attend_daily = models.BooleanField(default=False)
    heart_rate = models.PositiveSmallIntegerField()
    systolic_bp = models.PositiveSmallIntegerField()
    diastolic_bp = models.PositiveSmallIntegerField()
    respiratory_rate = models.PositiveSmallIntegerField()
    temperature_c = models.DecimalField(max_digits=4, decimal_places=1)
    spo2 = models.PositiveSmallIntegerField()
    # {"opiates": "positive", "fentanyl": "negative", "cocaine": "not_tested", ...}
    urine_drug_screen = models.JSONField(default=dict)
    dsm5_criteria = models.JSONField(default=list)
    only_under_medical_supervision = models.BooleanField(default=False)
    oud_severity = models.CharField(max_length=16)
    oud_icd10 = models.CharField(max_length=8, blank=True)
    recommended_setting = models.CharField(max_length=32, choices=SETTING_CHOICES)
    recommended_medication = models.CharField(max_length=32, choices=MEDICATION_CHOICES, blank=True)
    recommendation_reasons = models.JSONField(default=list)
    pregnancy_routes_to_mat = models.BooleanField(default=False)
    rules_version = models.CharField(max_length=128, default="published default")
    assessed_at = models.DateTimeField()
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    assessed_by_name = models.CharField(max_length=200)
    # The decision on the recommendation; empty until a clinician confirms or overrides it.
    decision = models.CharField(max_length=16, choices=Decision.choices, blank=True)
    decided_setting = models.CharField(max_length=32, choices=SETTING_CHOICES, blank=True)
    decided_medication = models.CharField(max_length=32, choices=MEDICATION_CHOICES, blank=True)
    decision_reason = models.TextField(blank=True)
    high_risk = models.BooleanField(default=False)
    consent_recorded = models.BooleanField(default=False)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    decided_by_name = models.CharField(max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    patient_path = "episode__patient_id"

    def __str__(self) -> str:
        return f"Intake for episode {self.episode_id}"


class TreatmentPlan(models.Model):
    """The personalised plan made from the confirmed evaluation; completing intake needs one."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT)
    episode = models.OneToOneField(Episode, on_delete=models.PROTECT, related_name="treatment_plan")
    protocol_reference = models.CharField(
        max_length=200,
        help_text="Placeholder until protocols exist (medications issue); e.g. 'Buprenorphine induction'.",
    )
    goals = models.TextField()
    planned_length_days = models.PositiveSmallIntegerField()
    written_at = models.DateTimeField()
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    written_by_name = models.CharField(max_length=200)

    objects = ScopedQuerySet.as_manager()
    patient_path = "episode__patient_id"

    def __str__(self) -> str:
        return f"Plan for episode {self.episode_id}"
