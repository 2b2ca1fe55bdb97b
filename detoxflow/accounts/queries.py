"""Read side of accounts: the staff list an administrator works from, with sign-in and lock state."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django_otp.plugins.otp_totp.models import TOTPDevice

from detoxflow.accounts.models import User
from detoxflow.facilities.models import Unit


@dataclass(frozen=True)
class StaffRow:
    """One account as the administrator sees it."""

    user: User
    locked: bool
    two_factor: bool


def _lock_cutoff(now: dt.datetime) -> dt.datetime:
    return now - settings.AXES_COOLOFF_TIME


def locked_usernames(usernames: list[str], now: dt.datetime) -> set[str]:
    """Which of these accounts axes holds locked now (failures at the limit within the cool-off)."""
    return set(
        AccessAttempt.objects.filter(
            username__in=usernames,
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
            attempt_time__gte=_lock_cutoff(now),
        ).values_list("username", flat=True)
    )


def staff_of_facility(facility_id: int) -> QuerySet[User]:
    """Every account of the facility, with the unit it is bound to."""
    return User.objects.filter(facility_id=facility_id).select_related("unit").order_by("last_name", "username")


def staff_list(facility_id: int, now: dt.datetime) -> list[StaffRow]:
    """Accounts with last sign-in, lock state and whether an authenticator app is set up: three queries."""
    users = list(
        staff_of_facility(facility_id).annotate(
            has_app=Exists(TOTPDevice.objects.filter(user_id=OuterRef("pk"), confirmed=True))
        )
    )
    locked = locked_usernames([u.username for u in users], now)
    return [StaffRow(user=u, locked=u.username in locked, two_factor=bool(u.has_app)) for u in users]


def get_staff_member_for(administrator: User, user_id: int) -> User:
    """An account of the administrator's own facility, or 404."""
    user = staff_of_facility(administrator.facility_id).filter(pk=user_id).first()
    if user is None:
        raise Http404("No such staff member in your facility.")
    return user


def units_of_facility(facility_id: int) -> QuerySet[Unit]:
    """The units an account may be bound to."""
    return Unit.objects.filter(facility_id=facility_id).order_by("name")


def awaiting_code(user_id: int) -> User | None:
    """The active account whose password was right and whose code step is pending (nobody is signed in yet)."""
    return User.objects.filter(pk=user_id, is_active=True).first()


def authenticator_being_set_up(user: User) -> TOTPDevice | None:
    """The user's authenticator app started but not yet confirmed with a first code."""
    device: TOTPDevice | None = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device
