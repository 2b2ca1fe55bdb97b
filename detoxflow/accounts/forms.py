"""The sign-in form: the password is checked through the one door (authentication.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from detoxflow.accounts.authentication import SignInRefused, check_password


class SignInForm(AuthenticationForm):
    """Username and password; the lockout, the per-address limit and the audit are the door's."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        password = self.cleaned_data.get("password") or ""
        if not username or not password or self.request is None:
            return self.cleaned_data
        try:
            self.user_cache = check_password(self.request, username, password)
        except SignInRefused as refused:
            raise forms.ValidationError({refused.field: refused.message}) from refused
        self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data
