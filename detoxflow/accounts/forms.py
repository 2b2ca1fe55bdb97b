"""Account forms: sign-in (through the one door, authentication.py) and staff administration."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import QuerySet

from detoxflow.accounts.authentication import SignInRefused, check_password
from detoxflow.accounts.permissions import Role
from detoxflow.facilities.models import Unit


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


class StaffMemberForm(forms.Form):
    """A new account: who, which role, which unit (none: the whole facility), and why."""

    username = forms.CharField(max_length=150)
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    email = forms.EmailField(required=False)
    role = forms.ChoiceField(choices=[("", "—"), *Role.choices])
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(), required=False, empty_label="Whole facility", label="Home unit"
    )
    reason = forms.CharField(max_length=500, label="Why (e.g. new starter, ticket number)")

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Unit]", self.fields["unit"]).queryset = units


STAFF_CHANGES = {
    "reset_password": "Reset the password",
    "unlock": "Unlock",
    "reset_two_factor": "Reset two-step sign-in",
    "deactivate": "Deactivate",
    "activate": "Reactivate",
}


# What the confirmation says once a change is made.
STAFF_CHANGES_DONE = {
    "reset_password": "password reset; hand over the one-time password",
    "unlock": "unlocked",
    "reset_two_factor": "two-step sign-in reset",
    "deactivate": "deactivated",
    "activate": "reactivated",
}


class StaffChangeForm(forms.Form):
    """Unlock, reset the password or two-factor, deactivate or reactivate: each needs its reason."""

    action = forms.ChoiceField(choices=list(STAFF_CHANGES.items()))
    reason = forms.CharField(max_length=500, label="Why")
