"""Account writers: staff administration, sign-in audit, two-factor backup codes and emergency access."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from detoxflow.accounts.models import EmergencyAccess, User
from detoxflow.accounts.permissions import Role
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


def _reason(reason: str) -> str:
    if len(reason.strip()) < 5:
        raise InvalidInput("reason", "Say why (e.g. new starter, ticket number, left the unit).")
    return reason.strip()


def _audit_staff_change(actor: User, user: User, action: str, reason: str, address: str | None, **detail: Any) -> None:
    record_event(
        actor=actor,
        action=action,
        object_type="User",
        object_id=user.pk,
        address=address,
        detail={"username": user.username, "reason": reason, **detail},
    )


def create_staff_member(actor: User, values: dict[str, Any], *, reason: str, address: str | None) -> tuple[User, str]:
    """A new account in the administrator's facility, with a one-time password to hand over.

    The new member sets their own password at first sign-in (must_change_password).
    """
    why = _reason(reason)
    role = values.get("role", "")
    if role not in Role.values:
        raise InvalidInput("role", "Choose a role.")
    unit = values.get("unit")
    if unit is not None and unit.facility_id != actor.facility_id:
        raise InvalidInput("unit", "Choose a unit of this facility.")
    username = (values.get("username") or "").strip()
    if not username:
        raise InvalidInput("username", "Give a username.")
    if User.objects.filter(username__iexact=username).exists():
        raise InvalidInput("username", f"The username {username} is taken.", status_code=409)
    temporary = secrets.token_urlsafe(12)
    with transaction.atomic():
        user = User(
            username=username,
            first_name=(values.get("first_name") or "").strip(),
            last_name=(values.get("last_name") or "").strip(),
            email=(values.get("email") or "").strip(),
            role=role,
            facility_id=actor.facility_id,
            unit=unit,
            must_change_password=True,
        )
        user.set_password(temporary)
        user.save()
        _audit_staff_change(
            actor, user, "staff.create", why, address, role=role, unit=unit.name if unit is not None else ""
        )
    return user, temporary


def reset_password(actor: User, user: User, *, reason: str, address: str | None) -> str:
    """A one-time password for the member to sign in with; they must choose their own straight after."""
    why = _reason(reason)
    temporary = secrets.token_urlsafe(12)
    with transaction.atomic():
        user.set_password(temporary)
        user.must_change_password = True
        user.save(update_fields=["password", "must_change_password"])
        _audit_staff_change(actor, user, "staff.reset_password", why, address)
    return temporary


def unlock(actor: User, user: User, *, reason: str, address: str | None) -> None:
    """Clear the account's failed sign-ins (django-axes), so the right password works again now."""
    why = _reason(reason)
    with transaction.atomic():
        AxesProxyHandler.reset_attempts(username=user.username)
        _audit_staff_change(actor, user, "staff.unlock", why, address)


def reset_two_factor(actor: User, user: User, *, reason: str, address: str | None) -> None:
    """Remove the member's authenticator app and backup codes (a lost phone); they set up a new one."""
    why = _reason(reason)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        _audit_staff_change(actor, user, "staff.reset_two_factor", why, address)


def set_active(actor: User, user: User, active: bool, *, reason: str, address: str | None) -> None:
    """Deactivate a leaver (their sessions end at the next request) or reactivate an account."""
    why = _reason(reason)
    if user.pk == actor.pk and not active:
        raise InvalidInput("user", "You cannot deactivate your own account.")
    with transaction.atomic():
        user.is_active = active
        user.save(update_fields=["is_active"])
        _audit_staff_change(actor, user, "staff.activate" if active else "staff.deactivate", why, address)


def password_changed(user: User, *, address: str | None) -> None:
    """The user chose a new password (Django saved it): the forced change, if any, is done."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(must_change_password=False)
        user.must_change_password = False
        record_event(actor=user, action="account.password_changed", address=address)


def start_authenticator(user: User) -> TOTPDevice:
    """A new authenticator key for the user to add to their app; it counts once a first code confirms it."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device: TOTPDevice = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def confirm_authenticator(device: TOTPDevice, code: str, *, address: str | None) -> bool:
    """Turn two-step sign-in on if `code` is the app's current one; audited."""
    with transaction.atomic():
        if not device.verify_token(code.strip()):  # type: ignore[no-untyped-call]
            return False
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record_event(actor=device.user, action="account.two_factor_enabled", address=address)
    return True


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
