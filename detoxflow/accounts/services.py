"""Sign-in bookkeeping: failed-attempt counting and lockout, each attempt audited."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import F

from detoxflow.accounts.models import EmergencyAccess, User
from detoxflow.audit.models import Outcome
from detoxflow.audit.services import record_event
from detoxflow.errors import InvalidInput
from detoxflow.patients.models import Patient


def lockout_remaining(user: User, now: dt.datetime) -> dt.timedelta | None:
    """How long the account stays locked, or None if it is not locked."""
    if user.locked_until and user.locked_until > now:
        return user.locked_until - now
    return None


def record_failed_login(user: User, now: dt.datetime, address: str | None) -> None:
    """Count a wrong password; at the configured limit, lock the account for the configured time."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_login_count=F("failed_login_count") + 1)
        user.refresh_from_db(fields=["failed_login_count"])
        locked = user.failed_login_count >= settings.LOGIN_FAILURE_LIMIT
        if locked:
            user.locked_until = now + dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
            user.failed_login_count = 0
            user.save(update_fields=["locked_until", "failed_login_count"])
        record_event(
            actor=None,
            user_name=user.username,
            facility_id=user.facility_id,
            action="login",
            outcome=Outcome.DENIED,
            address=address,
            detail={"reason": "wrong password", "locked": locked},
        )


def record_successful_login(user: User, address: str | None) -> None:
    """Reset the failure count and audit the sign-in."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_login_count=0, locked_until=None)
        record_event(actor=user, action="login", address=address)


def record_refused_login(username: str, address: str | None, reason: str) -> None:
    """Audit a sign-in refused before the password was checked (unknown user, locked account)."""
    record_event(
        actor=None,
        user_name=username[:150] or "anonymous",
        action="login",
        outcome=Outcome.DENIED,
        address=address,
        detail={"reason": reason},
    )


def grant_emergency_access(
    actor: User, patient: Patient, reason: str, *, now: dt.datetime, address: str | None
) -> EmergencyAccess:
    """Open a patient outside the user's unit for a few hours; the reason is mandatory and managers are alerted."""
    if len(reason.strip()) < 10:
        raise InvalidInput("reason", "Say why you need this record now (at least a sentence).")
    with transaction.atomic():
        grant = EmergencyAccess.objects.create(
            facility_id=patient.facility_id,
            user=actor,
            user_name=actor.display_name,
            patient=patient,
            reason=reason.strip(),
            granted_at=now,
            expires_at=now + dt.timedelta(hours=settings.EMERGENCY_ACCESS_HOURS),
        )
        record_event(
            actor=actor,
            action="emergency_access.grant",
            patient_id=patient.pk,
            address=address,
            object_type="EmergencyAccess",
            object_id=grant.pk,
            detail={"reason": grant.reason},
        )
    return grant


def acknowledge_emergency_access(actor: User, grant: EmergencyAccess, *, now: dt.datetime, address: str | None) -> None:
    """A manager has reviewed the grant; it leaves the alert list but stays in the audit trail."""
    with transaction.atomic():
        grant.acknowledged_by_name = actor.display_name
        grant.acknowledged_at = now
        grant.save(update_fields=["acknowledged_by_name", "acknowledged_at"])
        record_event(
            actor=actor,
            action="emergency_access.acknowledge",
            patient_id=grant.patient_id,
            address=address,
            object_type="EmergencyAccess",
            object_id=grant.pk,
        )
