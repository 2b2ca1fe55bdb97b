"""Staff accounts: one role each, one home facility, and the failed-login lockout state."""

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
    failed_login_count = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    # Second factor: a base32 secret shared with the user's authenticator app, on once a code has been confirmed.
    totp_secret = models.CharField(max_length=64, blank=True)
    totp_enabled = models.BooleanField(default=False)

    REQUIRED_FIELDS = ["email", "facility", "role"]

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role else "No role"
