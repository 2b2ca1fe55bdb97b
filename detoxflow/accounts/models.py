"""Staff accounts: one role each, one home facility and optionally a home unit."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from detoxflow.accounts.permissions import Role
from detoxflow.facilities.models import Facility


class User(AbstractUser):
    """A member of staff; what they may do follows from `role` via PERMISSIONS."""

    role = models.CharField(max_length=32, choices=Role.choices)
    # Every account belongs to one facility: it scopes every record the user can reach.
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="staff")
    # A home unit limits reading patients to that unit, except through recorded emergency access; none means
    # the whole facility (physicians covering several units, managers).
    unit = models.ForeignKey("facilities.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # Set when an administrator resets the password: the next sign-in must choose a new one. Lockout state
    # lives in django-axes and two-factor devices in django-otp, not here.
    must_change_password = models.BooleanField(default=False)

    REQUIRED_FIELDS = ["email", "facility", "role"]

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role else "No role"


class EmergencyAccess(models.Model):
    """'Break the glass': a user reading a patient outside their unit, with the reason, until it expires.

    Every grant is an alert for the unit managers until one of them acknowledges it.
    """

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="emergency_accesses")
    user_name = models.CharField(max_length=200)
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    granted_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    acknowledged_by_name = models.CharField(max_length=200, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-granted_at"]

    def __str__(self) -> str:
        return f"Emergency access by {self.user_name} to patient {self.patient_id}"
