"""Withdrawal assessments (COWS, SOWS, OOWS) with the vitals charted alongside them."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from detoxflow.accounts.scope import ScopedQuerySet
from detoxflow.episodes.models import Episode
from detoxflow.facilities.models import Facility


class Sedation(models.TextChoices):
    """Pasero Opioid-induced Sedation Scale (reference §7); 3 and 4 are unacceptable."""

    ASLEEP = "S", "S - asleep, easy to arouse"
    AWAKE = "1", "1 - awake and alert"
    SLIGHTLY_DROWSY = "2", "2 - slightly drowsy, easily aroused"
    FREQUENTLY_DROWSY = "3", "3 - frequently drowsy, drifts off mid-conversation"
    MINIMAL_RESPONSE = "4", "4 - minimal or no response"


class WithdrawalAssessment(models.Model):
    """One scored assessment; items keep the exact answers so the total can always be re-derived."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT)
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="withdrawal_assessments")
    instrument = models.CharField(max_length=8)
    instrument_version = models.CharField(max_length=100)
    items = models.JSONField()
    total = models.PositiveSmallIntegerField()
    band = models.CharField(max_length=64)
    self_reported = models.BooleanField(default=False)
    heart_rate = models.PositiveSmallIntegerField(null=True, blank=True)
    systolic_bp = models.PositiveSmallIntegerField(null=True, blank=True)
    diastolic_bp = models.PositiveSmallIntegerField(null=True, blank=True)
    respiratory_rate = models.PositiveSmallIntegerField(null=True, blank=True)
    temperature_c = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    spo2 = models.PositiveSmallIntegerField(null=True, blank=True)
    pain = models.PositiveSmallIntegerField(null=True, blank=True)
    sedation = models.CharField(max_length=1, choices=Sedation.choices, blank=True)
    # {"heart_rate": "high", ...}: abnormal vitals at the time, so the flag survives a later change of ranges.
    flags = models.JSONField(default=dict)
    assessed_at = models.DateTimeField()
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    assessed_by_name = models.CharField(max_length=200)

    objects = ScopedQuerySet.as_manager()
    patient_path = "episode__patient_id"

    class Meta:
        ordering = ["assessed_at", "pk"]
        indexes = [models.Index(fields=["episode", "instrument", "assessed_at"], name="assessment_episode_time")]

    def __str__(self) -> str:
        return f"{self.instrument} {self.total} ({self.band})"
