"""Account bookkeeping: sign-in attempts audited, and emergency access granted and acknowledged."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from detoxflow.accounts.models import EmergencyAccess, User
from detoxflow.audit.models import Outcome
from detoxflow.audit.services import record_event
from detoxflow.errors import InvalidInput
from detoxflow.patients.models import Patient


def record_refused_login(
    username: str,
    address: str | None,
    reason: str,
    *,
    facility_id: int | None = None,
    locked: bool = False,
) -> None:
    """Audit a refused sign-in, code or witness signature; the counting is django-axes' (authentication.py)."""
    record_event(
        actor=None,
        user_name=username[:150] or "anonymous",
        facility_id=facility_id,
        action="login",
        outcome=Outcome.DENIED,
        address=address,
        detail={"reason": reason, "locked": locked},
    )


def record_successful_login(user: User, address: str | None, *, second_factor: bool) -> None:
    """Audit a completed sign-in (axes resets the account's failures on the same event)."""
    record_event(actor=user, action="login", address=address, detail={"second_factor": second_factor})


def password_changed(user: User, *, address: str | None) -> None:
    """The user chose a new password (Django saved it): the forced change, if any, is done."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(must_change_password=False)
        user.must_change_password = False
        record_event(actor=user, action="account.password_changed", address=address)


def new_backup_codes(user: User, count: int, *, address: str | None) -> list[str]:
    """Replace the user's printable backup codes (django-otp static tokens); each works once."""
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(user=user, name="Backup codes", defaults={"confirmed": True})
        device.token_set.all().delete()
        # django-otp is untyped: its token helper is called as documented.
        codes = [StaticToken.random_token() for _ in range(count)]  # type: ignore[no-untyped-call]
        StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
        record_event(actor=user, action="account.backup_codes", address=address, detail={"count": count})
    return codes


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
