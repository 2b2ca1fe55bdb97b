"""Sign in and sign out."""

from __future__ import annotations

import time

from django import forms
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from detoxflow.accounts import totp
from detoxflow.accounts.access import staff_member
from detoxflow.accounts.forms import SignInForm
from detoxflow.accounts.models import User
from detoxflow.accounts.services import record_failed_login
from detoxflow.audit.services import client_address, record_request_event

PENDING = "pending_second_factor"


class SignInView(auth_views.LoginView):
    """The only page open to everyone besides the public get-help page."""

    form_class = SignInForm
    template_name = "accounts/sign_in.html"
    redirect_authenticated_user = True

    def form_valid(self, form: SignInForm) -> HttpResponse:  # type: ignore[override]
        user = form.get_user()
        if isinstance(user, User) and user.totp_enabled:
            # The password was right; the session is not signed in until the code is too.
            self.request.session[PENDING] = {"user": user.pk, "next": self.get_success_url()}
            return redirect("sign-in-code")
        return super().form_valid(form)


class CodeForm(forms.Form):
    code = forms.CharField(
        max_length=8,
        label="6-digit code from your authenticator app",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


@login_not_required
def sign_in_code(request: HttpRequest) -> HttpResponse:
    """Second step of sign-in: the one-time code. Wrong codes count toward the account lockout."""
    pending = request.session.get(PENDING)
    if not pending:
        return redirect("login")
    user = User.objects.filter(pk=pending["user"]).first()
    if user is None:
        return redirect("login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if totp.verify(user.totp_secret, form.cleaned_data["code"], time.time()):
            del request.session[PENDING]
            login(request, user)
            record_request_event(request, "login.second_factor")
            return redirect(pending["next"])
        record_failed_login(user, timezone.now(), client_address(request))
        form.add_error("code", "That code is not right (codes change every 30 seconds).")
    return render(request, "accounts/code.html", {"form": form}, status=400 if form.errors else 200)


def two_factor(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator app: show the secret, confirm with a first code."""
    user = staff_member(request)
    if not user.totp_secret or (not user.totp_enabled and request.method == "GET" and "new" in request.GET):
        user.totp_secret = totp.new_secret()
        user.save(update_fields=["totp_secret"])
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if totp.verify(user.totp_secret, form.cleaned_data["code"], time.time()):
            user.totp_enabled = True
            user.save(update_fields=["totp_enabled"])
            record_request_event(request, "account.two_factor_enabled")
            return redirect("home")
        form.add_error("code", "That code is not right; check the app's clock and try the next code.")
    return render(
        request,
        "accounts/two_factor.html",
        {
            "form": form,
            "secret": user.totp_secret,
            "uri": totp.provisioning_uri(user.totp_secret, user.username),
            "enabled": user.totp_enabled,
        },
        status=400 if form.errors else 200,
    )
