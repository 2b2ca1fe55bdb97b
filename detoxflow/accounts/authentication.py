"""The one door: every password and one-time code DetoxFlow checks goes through here.

The sign-in page, its code step and the controlled-substance witness all call these functions, so
every failure counts toward the same lockout and every check honours it. The counting is
django-axes' (database-backed, so every worker sees the same numbers) and the codes are
django-otp's (TOTP with replay protection, printable backup codes); nothing here re-implements them.
"""

from __future__ import annotations

import datetime as dt

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_ip_address
from axes.models import AccessFailureLog
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from detoxflow.accounts.models import User
from detoxflow.accounts.services import record_refused_login
from detoxflow.audit.services import client_address
from detoxflow.errors import InvalidInput


class SignInRefused(Exception):
    """A password or code that was wrong, or a check refused before it was made; names the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def lockout_response(request: HttpRequest, response: HttpResponse, credentials: dict[str, str] | None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: keep the page DetoxFlow drew, which already says the account is locked and why.

    axes would otherwise swap in its own page; on the controlled-substance log that would hide the
    nurse's form because the witness was locked.
    """
    return response


def _locked_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return (
        "This account is locked after repeated failed sign-ins. "
        f"Try again in {minutes} minute{'s' if minutes != 1 else ''} or ask an administrator to unlock it."
    )


def _address_throttled(request: HttpRequest) -> bool:
    """Too many failures from one address (password spraying), counted from axes' failure log.

    Failures only: a unit behind one hospital address signs in a whole shift without touching it.
    """
    since = timezone.now() - dt.timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)
    address = get_client_ip_address(request)
    failures: int = AccessFailureLog.objects.filter(ip_address=address, attempt_time__gte=since).count()
    return failures >= int(settings.LOGIN_FAILURES_PER_ADDRESS)


def _refuse_before_checking(request: HttpRequest, username: str) -> None:
    if _address_throttled(request):
        record_refused_login(username, client_address(request), "too many failures from this address")
        raise SignInRefused(
            "username",
            "Too many failed sign-ins from this connection. Wait "
            f"{settings.LOGIN_FAILURE_WINDOW_MINUTES} minutes and try again.",
        )
    if AxesProxyHandler.is_locked(request, {"username": username}):
        record_refused_login(username, client_address(request), "account locked")
        raise SignInRefused("username", _locked_message())


def check_password(request: HttpRequest, username: str, password: str) -> User:
    """The account if the password is right and nothing forbids checking it; else SignInRefused.

    A wrong password is counted by axes (through Django's user_login_failed signal) and audited.
    """
    _refuse_before_checking(request, username)
    user = authenticate(request, username=username, password=password)
    if not isinstance(user, User):
        locked = AxesProxyHandler.is_locked(request, {"username": username})
        known = User.objects.filter(username=username).only("facility_id").first()
        record_refused_login(
            username,
            client_address(request),
            "wrong password" if known else "unknown username",
            facility_id=known.facility_id if known else None,
            locked=locked,
        )
        if locked:
            raise SignInRefused("username", _locked_message())
        raise SignInRefused("password", "The username or password is not right.")
    return user


def confirmed_device(user: User) -> TOTPDevice | None:
    """The user's authenticator app, once its first code was confirmed."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def check_code(request: HttpRequest, user: User, code: str) -> TOTPDevice | StaticDevice:
    """The device that accepts `code` (an authenticator code or a printed backup code); else SignInRefused.

    The lockout is checked first, so a locked account's right code is refused too. The device row is
    locked while the code is checked, so two requests with the same code cannot both use it.
    """
    _refuse_before_checking(request, user.username)
    token = code.strip().replace(" ", "")
    with transaction.atomic():
        devices: list[TOTPDevice | StaticDevice] = [
            *TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True),
            *StaticDevice.objects.select_for_update().filter(user=user, confirmed=True),
        ]
        accepted = next((device for device in devices if token and device.verify_token(token)), None)  # type: ignore[no-untyped-call]
    if accepted is not None:
        return accepted
    # Counted exactly as a wrong password is: the same signal, the same lockout.
    user_login_failed.send(sender=__name__, credentials={"username": user.username}, request=request)
    locked = AxesProxyHandler.is_locked(request, {"username": user.username})
    record_refused_login(
        user.username, client_address(request), "wrong code", facility_id=user.facility_id, locked=locked
    )
    raise SignInRefused(
        "code", _locked_message() if locked else "That code is not right (codes change every 30 seconds)."
    )


def check_witness(request: HttpRequest, actor: User, username: str, password: str) -> User:
    """A second clinician's signature for a controlled-substance waste: the same door as signing in.

    So a wrong witness password counts toward that account's lockout, a locked account is refused
    even with the right password, and guessing a colleague's password is as limited as signing in.
    """
    if not username or not password:
        raise InvalidInput("witness", "Waste of a controlled medicine needs a witness who signs in.")
    try:
        witness = check_password(request, username, password)
    except SignInRefused as refused:
        raise InvalidInput("witness", f"Witness: {refused.message}") from refused
    if witness.facility_id != actor.facility_id:
        raise InvalidInput("witness", "The witness must work at this facility.")
    return witness
