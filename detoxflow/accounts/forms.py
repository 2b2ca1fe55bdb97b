"""The sign-in form, with lockout checked before the password."""

from __future__ import annotations

import math
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.utils import timezone

from detoxflow.accounts.models import User
from detoxflow.accounts.services import (
    lockout_remaining,
    record_failed_login,
    record_refused_login,
    record_successful_login,
)
from detoxflow.audit.services import client_address


class SignInForm(AuthenticationForm):
    """Username and password; wrong answers count toward a lockout."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        password = self.cleaned_data.get("password") or ""
        if not username or not password:
            return self.cleaned_data
        address = client_address(self.request) if self.request else None
        now = timezone.now()
        # Per connection as well as per account: password spraying tries many accounts from one place.
        key = f"sign-in:{address}"
        attempts = (cache.get_or_set(key, 0, timeout=15 * 60) or 0) + 1
        cache.set(key, attempts, timeout=15 * 60)
        if attempts > settings.LOGIN_ATTEMPTS_PER_ADDRESS:
            record_refused_login(username, address, "too many attempts from this address")
            raise forms.ValidationError(
                "Too many sign-in attempts from this connection. Wait 15 minutes and try again."
            )
        account = User.objects.filter(username=username).first()
        if account is not None:
            remaining = lockout_remaining(account, now)
            if remaining is not None:
                record_refused_login(username, address, "account locked")
                minutes = math.ceil(remaining.total_seconds() / 60)
                raise forms.ValidationError(
                    {
                        "username": f"This account is locked after repeated wrong passwords. "
                        f"Try again in {minutes} minute{'s' if minutes != 1 else ''} or ask a unit manager."
                    }
                )
        self.user_cache = authenticate(self.request, username=username, password=password)
        if self.user_cache is None:
            if account is not None:
                record_failed_login(account, now, address)
            else:
                record_refused_login(username, address, "unknown username")
            raise forms.ValidationError({"password": "The username or password is not right."})
        self.confirm_login_allowed(self.user_cache)
        record_successful_login(self.user_cache, address)
        return self.cleaned_data
