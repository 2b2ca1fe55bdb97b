"""Sign in and sign out."""

from __future__ import annotations

import time

from django import forms
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from detoxflow.accounts import totp
from detoxflow.accounts.access import OutsideUnit, require, staff_member
from detoxflow.accounts.forms import SignInForm
from detoxflow.accounts.models import EmergencyAccess, User
from detoxflow.accounts.permissions import Action
from detoxflow.accounts.services import acknowledge_emergency_access, grant_emergency_access, record_failed_login
from detoxflow.audit.services import client_address, record_request_event
from detoxflow.errors import InvalidInput
from detoxflow.patients.models import Patient

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


def emergency_access(request: HttpRequest, patient_id: int) -> HttpResponse:
    """Break the glass: state why, then read the record for a few hours; unit managers are alerted."""
    require(request, Action.EMERGENCY_ACCESS, patient_id=patient_id)
    user = staff_member(request)
    patient = Patient.objects.filter(pk=patient_id, facility_id=user.facility_id).first()
    if patient is None:
        raise Http404("No such patient in your facility.")
    error = ""
    if request.method == "POST":
        try:
            grant_emergency_access(
                user, patient, request.POST.get("reason", ""), now=timezone.now(), address=client_address(request)
            )
        except InvalidInput as problem:
            error = problem.message
        else:
            return redirect("patient", patient.pk)
    return render(
        request,
        "accounts/emergency_access.html",
        {"patient_id": patient.pk, "error": error},
        status=400 if error else 200,
    )


@require_POST
def acknowledge(request: HttpRequest, grant_id: int) -> HttpResponse:
    """A manager acknowledges an emergency-access alert."""
    require(request, Action.VIEW_AUDIT_LOG)
    grant = EmergencyAccess.objects.filter(pk=grant_id, facility_id=staff_member(request).facility_id).first()
    if grant is None:
        raise Http404("No such emergency access.")
    acknowledge_emergency_access(staff_member(request), grant, now=timezone.now(), address=client_address(request))
    return redirect("audit-log")


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The 403 page: says why, and offers emergency access when the patient is on another unit."""
    return render(
        request,
        "403.html",
        {
            "message": str(exception) if exception else "Not allowed.",
            "emergency_patient": exception.patient_id if isinstance(exception, OutsideUnit) else None,
        },
        status=403,
    )
