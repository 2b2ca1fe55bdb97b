"""Sign in and sign out."""

from __future__ import annotations

from base64 import b32encode
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from detoxflow.accounts import authentication, queries, services
from detoxflow.accounts.access import OutsideUnit, require, staff_member
from detoxflow.accounts.authentication import SignInRefused
from detoxflow.accounts.forms import STAFF_CHANGES_DONE, SignInForm, StaffChangeForm, StaffMemberForm
from detoxflow.accounts.models import User
from detoxflow.accounts.permissions import Action
from detoxflow.accounts.services import (
    acknowledge_emergency_access,
    grant_emergency_access,
    record_successful_login,
)
from detoxflow.audit.queries import get_emergency_access_for
from detoxflow.audit.services import client_address
from detoxflow.errors import InvalidInput
from detoxflow.patients.queries import get_patient_for_emergency_access
from detoxflow.web.forms import show_on_form

PENDING = "pending_second_factor"
BACKUP_CODES = 10


class SignInView(auth_views.LoginView):
    """The only page open to everyone besides the public get-help page."""

    form_class = SignInForm
    template_name = "accounts/sign_in.html"
    redirect_authenticated_user = True

    def form_valid(self, form: SignInForm) -> HttpResponse:  # type: ignore[override]
        user = form.get_user()
        if isinstance(user, User) and authentication.confirmed_device(user) is not None:
            # The password was right; the session is not signed in until the code is too.
            self.request.session[PENDING] = {"user": user.pk, "next": self.get_success_url()}
            return redirect("sign-in-code")
        response = super().form_valid(form)
        record_successful_login(form.get_user(), client_address(self.request), second_factor=False)
        return response


class CodeForm(forms.Form):
    code = forms.CharField(
        max_length=16,
        label="6-digit code from your authenticator app (or a backup code)",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


@login_not_required
def sign_in_code(request: HttpRequest) -> HttpResponse:
    """Second step of sign-in: the one-time code, through the same door and lockout as the password."""
    pending = request.session.get(PENDING)
    if not pending:
        return redirect("login")
    user = queries.awaiting_code(pending["user"])
    if user is None:
        return redirect("login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = authentication.check_code(request, user, form.cleaned_data["code"])
        except SignInRefused as refused:
            form.add_error("code", refused.message)
        else:
            del request.session[PENDING]
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            otp_login(request, device)  # type: ignore[no-untyped-call]
            record_successful_login(user, client_address(request), second_factor=True)
            return redirect(pending["next"])
    return render(request, "accounts/code.html", {"form": form}, status=400 if form.errors else 200)


def two_factor(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator app: start (POST), confirm with a first code, then print backup codes.

    GET never writes: the key is made on the POST that starts the setup.
    """
    user = staff_member(request)
    confirmed = authentication.confirmed_device(user)
    pending = queries.authenticator_being_set_up(user)
    form = CodeForm(request.POST or None)
    backup_codes: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "start" and confirmed is None:
            pending = services.start_authenticator(user)
            form = CodeForm()
        elif action == "backup-codes" and confirmed is not None:
            backup_codes = services.new_backup_codes(user, BACKUP_CODES, address=client_address(request))
        elif action == "confirm" and pending is not None and form.is_valid():
            if services.confirm_authenticator(pending, form.cleaned_data["code"], address=client_address(request)):
                confirmed, pending = pending, None
                otp_login(request, confirmed)  # type: ignore[no-untyped-call]
                backup_codes = services.new_backup_codes(user, BACKUP_CODES, address=client_address(request))
            else:
                form.add_error("code", "That code is not right; check the app's clock and try the next code.")
    return render(
        request,
        "accounts/two_factor.html",
        {
            "form": form,
            "enabled": confirmed is not None,
            "pending": pending,
            "secret": b32encode(pending.bin_key).decode() if pending else "",
            "uri": pending.config_url if pending else "",
            "backup_codes": backup_codes,
        },
        status=400 if form.errors else 200,
    )


class PasswordChange(auth_views.PasswordChangeView):
    """The user's own new password; compulsory after an administrator reset it."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user = staff_member(self.request)
        services.password_changed(user, address=client_address(self.request))
        messages.success(self.request, "Your new password is set.")
        return response


def emergency_access(request: HttpRequest, patient_id: int) -> HttpResponse:
    """Break the glass: state why, then read the record for a few hours; unit managers are alerted."""
    user = staff_member(request)
    patient = get_patient_for_emergency_access(request, patient_id)
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
    grant = get_emergency_access_for(request, grant_id)
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


def staff_list(request: HttpRequest) -> HttpResponse:
    """Every account of the facility with last sign-in, lock and two-step state; new accounts are made here."""
    require(request, Action.ADMINISTER_STAFF)
    administrator = staff_member(request)
    form = StaffMemberForm(request.POST or None, units=queries.units_of_facility(administrator.facility_id))
    created: tuple[User, str] | None = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.create_staff_member(
                administrator, data, reason=data["reason"], address=client_address(request)
            )
        except InvalidInput as error:
            show_on_form(form, error)
        else:
            form = StaffMemberForm(units=queries.units_of_facility(administrator.facility_id))
    return render(
        request,
        "accounts/staff_list.html",
        {"rows": queries.staff_list(administrator.facility_id, timezone.now()), "form": form, "created": created},
        status=400 if form.errors else 200,
    )


def staff_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    """One account: unlock, reset the password or two-step sign-in, deactivate; each with a reason."""
    require(request, Action.ADMINISTER_STAFF, object_type="User", object_id=user_id)
    administrator = staff_member(request)
    member = queries.get_staff_member_for(administrator, user_id)
    form = StaffChangeForm(request.POST or None)
    temporary = ""
    if request.method == "POST" and form.is_valid():
        action, reason, address = form.cleaned_data["action"], form.cleaned_data["reason"], client_address(request)
        try:
            if action == "reset_password":
                temporary = services.reset_password(administrator, member, reason=reason, address=address)
            elif action == "unlock":
                services.unlock(administrator, member, reason=reason, address=address)
            elif action == "reset_two_factor":
                services.reset_two_factor(administrator, member, reason=reason, address=address)
            else:
                services.set_active(administrator, member, action == "activate", reason=reason, address=address)
        except InvalidInput as error:
            show_on_form(form, error)
        else:
            messages.success(request, f"{member.display_name}: {STAFF_CHANGES_DONE[action]}.")
            if not temporary:
                return redirect("staff-detail", member.pk)
            form = StaffChangeForm()
    row = next(r for r in queries.staff_list(administrator.facility_id, timezone.now()) if r.user.pk == member.pk)
    return render(
        request,
        "accounts/staff_detail.html",
        {"row": row, "member": member, "form": form, "temporary": temporary},
        status=400 if form.errors else 200,
    )
