"""Pre-admission: call-back requests from the public page and the intake coordinator's phone screens."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from detoxflow.accounts.scope import ScopedQuerySet
from detoxflow.episodes.models import Episode
from detoxflow.facilities.models import Facility
from detoxflow.patients.models import Patient


class BestTime(models.TextChoices):
    """When the person would like to be called back."""

    ANY = "any", "Any time"
    MORNING = "morning", "Morning"
    AFTERNOON = "afternoon", "Afternoon"
    EVENING = "evening", "Evening"


class CallbackStatus(models.TextChoices):
    """Where a call-back request stands in the intake queue."""

    NEW = "new", "New"
    SCREENED = "screened", "Phone screen done"
    NO_ANSWER = "no_answer", "No answer"
    CLOSED = "closed", "Closed"


class CallbackRequest(models.Model):
    """A confidential request from the public get-help page; it holds only what the person typed."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="callback_requests")
    name = models.CharField("first name or alias", max_length=60)
    phone = models.CharField(max_length=32)
    best_time = models.CharField(max_length=16, choices=BestTime.choices, default=BestTime.ANY)
    message = models.CharField(max_length=500, blank=True)
    received_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=CallbackStatus.choices, default=CallbackStatus.NEW)
    attempts = models.PositiveSmallIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["received_at"]
        indexes = [models.Index(fields=["facility", "status"], name="callback_facility_status")]

    def __str__(self) -> str:
        return f"Call-back for {self.name} ({self.get_status_display()})"


class CallerRelationship(models.TextChoices):
    """Who is on the phone."""

    SELF = "self", "The person themselves"
    FAMILY = "family", "Family member"
    FRIEND = "friend", "Friend"
    PROFESSIONAL = "professional", "Professional (referrer)"
    OTHER = "other", "Other"


class Route(models.TextChoices):
    """How the main opioid is used; injection carries infection and overdose risk."""

    INJECTION = "injection", "Injection"
    SMOKING = "smoking", "Smoking"
    INTRANASAL = "intranasal", "Snorting"
    ORAL = "oral", "Oral"
    OTHER = "other", "Other / unknown"


class PhoneScreen(models.Model):
    """One phone screen: the answers, the triage decision and the rules that produced it."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="phone_screens")
    callback = models.ForeignKey(
        CallbackRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="phone_screens"
    )
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    episode = models.OneToOneField(
        Episode, on_delete=models.PROTECT, null=True, blank=True, related_name="phone_screen"
    )
    # Blank means "not asked": an emergency call ends at the emergency questions, and what was said before
    # that is kept without waiting for the rest (record_phone_screen asks for it on any other call).
    caller_name = models.CharField(max_length=100, blank=True)
    # The number to call back on, carried from the call-back request and on to the booking.
    phone = models.CharField("call-back number", max_length=32, blank=True)
    caller_relationship = models.CharField(max_length=16, choices=CallerRelationship.choices, blank=True)
    substances = models.JSONField(default=list, blank=True)
    hours_since_last_use = models.PositiveIntegerField(null=True, blank=True)
    route = models.CharField(max_length=16, choices=Route.choices, blank=True)
    daily_amount = models.CharField(max_length=100, blank=True)
    prior_detox_count = models.PositiveSmallIntegerField(null=True, blank=True)
    prior_complicated_withdrawal = models.BooleanField(default=False)
    # A PregnancyAnswer value, or "" when not asked: never taken as "not pregnant".
    pregnancy = models.CharField(max_length=16, blank=True)
    suicidal_with_plan = models.BooleanField(default=False)
    suicidal_without_plan = models.BooleanField(default=False)
    overdose_now = models.BooleanField(default=False)
    chest_pain = models.BooleanField(default=False)
    breathing_difficulty = models.BooleanField(default=False)
    other_emergency_signs = models.BooleanField(default=False)
    payer = models.CharField(max_length=100, blank=True)
    # None is "not asked": a default here would answer for the caller.
    has_housing = models.BooleanField(null=True, blank=True, default=None)
    has_home_support = models.BooleanField(null=True, blank=True, default=None)
    wants_treatment = models.BooleanField(null=True, blank=True, default=None)
    out_of_scope = models.BooleanField(default=False)
    notes = models.TextField(blank=True)
    decision = models.CharField(max_length=16)
    reasons = models.JSONField(default=list)
    rule_ids = models.JSONField(default=list)
    rules_version = models.CharField(max_length=64, default="published default")
    free_beds_at_screen = models.PositiveIntegerField()
    screened_at = models.DateTimeField()
    screened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    screened_by_name = models.CharField(max_length=200)

    # Facility scope only: a call is the intake team's, taken before the caller is on any unit.
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-screened_at"]

    def __str__(self) -> str:
        return f"Phone screen {self.pk}: {self.decision}"

    def unanswered(self) -> list[str]:
        """The questions left unasked on this call, in the form's words, so nobody reads a blank as a "no"."""
        blank: list[tuple[object, str]] = [
            (self.caller_name, "caller name"),
            (self.caller_relationship, "who is calling"),
            (self.substances, "substances"),
            (self.hours_since_last_use, "time since last use"),
            (self.route, "route"),
            (self.prior_detox_count, "past detox count"),
            (self.pregnancy, "pregnancy"),
            (self.has_housing, "safe place to live"),
            (self.has_home_support, "support at home"),
            (self.wants_treatment, "wants treatment now"),
        ]
        return [label for value, label in blank if value in (None, "", [])]
