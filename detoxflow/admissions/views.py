"""Public get-help page, the intake queue, phone screens and bed booking."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from detoxflow.accounts.access import get_for, require, staff_member
from detoxflow.accounts.permissions import Action
from detoxflow.admissions import services
from detoxflow.admissions.forms import (
    EMERGENCY_SIGNS,
    BookingForm,
    CallbackRequestForm,
    PatientSearchForm,
    PhoneScreenForm,
    booking_from_screen,
)
from detoxflow.admissions.hotlines import HOTLINES
from detoxflow.admissions.models import CallbackRequest, CallbackStatus, PhoneScreen
from detoxflow.audit.services import client_address, record_request_event
from detoxflow.clinical.triage import PregnancyAnswer, Substance
from detoxflow.errors import InvalidInput
from detoxflow.facilities.models import Facility
from detoxflow.patients.models import Patient
from detoxflow.patients.queries import find_returning_patients
from detoxflow.web.forms import show_on_form
from detoxflow.web.identifiers import RecordIdConverter


def _over_rate_limit(request: HttpRequest) -> bool:
    # Counted in the cache only, never in the database: the page promises to keep nothing but the request.
    key = f"get-help:{client_address(request)}"
    count = cache.get_or_set(key, 0, timeout=3600) or 0
    if count >= settings.GET_HELP_REQUESTS_PER_HOUR:
        return True
    cache.incr(key)
    return False


@login_not_required
def get_help_index(request: HttpRequest) -> HttpResponse:
    """Send the visitor to the only facility's page, or let them pick one."""
    facilities = list(Facility.objects.order_by("name")[:50])
    if len(facilities) == 1:
        return redirect("get-help", facilities[0].code)
    return render(request, "admissions/get_help_index.html", {"facilities": facilities, "hotlines": HOTLINES})


@login_not_required
def get_help(request: HttpRequest, code: str) -> HttpResponse:
    """The public page: phone numbers, what happens at intake, why not alone at home, and a call-back form."""
    facility = Facility.objects.filter(code=code).first()
    if facility is None:
        raise Http404("No such program.")
    form = CallbackRequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if _over_rate_limit(request):
            form.add_error(
                None,
                "We have had several requests from this connection in the last hour. "
                "Please call us instead, or try again later.",
            )
            status = 429
        elif form.is_valid():
            if not form.is_bot():
                services.request_callback(facility, form.values(), now=timezone.now())
            return redirect("get-help-thanks", facility.code)
        else:
            status = 400
    return render(
        request, "admissions/get_help.html", {"facility": facility, "form": form, "hotlines": HOTLINES}, status=status
    )


@login_not_required
def get_help_thanks(request: HttpRequest, code: str) -> HttpResponse:
    """Confirmation that shows nothing of what was sent."""
    facility = Facility.objects.filter(code=code).first()
    if facility is None:
        raise Http404("No such program.")
    return render(request, "admissions/get_help_thanks.html", {"facility": facility, "hotlines": HOTLINES})


def intake_queue(request: HttpRequest) -> HttpResponse:
    """Call-back requests waiting for a call, oldest first, and today's phone screens."""
    require(request, Action.SCREEN_CALLS)
    user = staff_member(request)
    waiting = (
        CallbackRequest.objects.restrict(user, Action.SCREEN_CALLS)
        .filter(status__in=[CallbackStatus.NEW, CallbackStatus.NO_ANSWER])
        .order_by("received_at")
    )
    record_request_event(request, "intake_queue.view", object_type="CallbackRequest")
    return render(request, "admissions/queue.html", {"waiting": waiting})


@require_POST
def callback_attempt(request: HttpRequest, callback_id: int) -> HttpResponse:
    """Record 'no answer' or close a request."""
    callback = get_for(request, CallbackRequest, callback_id, Action.SCREEN_CALLS, missing="No such call-back request.")
    user = staff_member(request)
    try:
        services.record_callback_attempt(
            user, callback, request.POST.get("status", ""), address=client_address(request)
        )
    except InvalidInput as error:
        return render(request, "admissions/queue.html", {"waiting": [], "error": error.message}, status=400)
    return redirect("intake-queue")


def _screen_answers(screen: PhoneScreen) -> dict[str, object]:
    """A screen's coded answers in the form's words: the substances' labels and the pregnancy answer's."""
    return {
        "substances": [Substance(v).label for v in screen.substances if v in set(Substance)],
        "pregnancy": PregnancyAnswer(screen.pregnancy).label if screen.pregnancy in set(PregnancyAnswer) else "",
    }


def _id_from_query(request: HttpRequest, name: str) -> int:
    """A record id passed in the query string (?screen=12), or 0 (no row has it) when absent or not an id."""
    value = request.GET.get(name, "")
    return int(value) if re.fullmatch(RecordIdConverter.regex, value) else 0


def book_bed(request: HttpRequest) -> HttpResponse:
    """Book a free bed for a scheduled admission: a returning patient found by the search, or a new one whose
    details come filled in from the phone screen (?screen=), in the bed chosen on the bed board (?bed=)."""
    require(request, Action.OPEN_EPISODE)
    user = staff_member(request)
    screen = (
        PhoneScreen.objects.restrict(user, Action.OPEN_EPISODE)
        .filter(pk=_id_from_query(request, "screen"), episode__isnull=True)
        .first()
    )
    chosen = Patient.objects.restrict(user, Action.OPEN_EPISODE).filter(pk=_id_from_query(request, "patient")).first()
    search = PatientSearchForm(
        request.GET if "name" in request.GET else None,
        initial={"name": screen.caller_name if screen is not None and chosen is None else ""},
    )
    criteria = search.cleaned_data if search.has_criteria() else None
    if criteria is None and screen is not None and chosen is None and screen.caller_name.strip():
        criteria = {"name": screen.caller_name, "date_of_birth": None, "record_number": ""}
    matches = list(find_returning_patients(user, **criteria)) if criteria else []
    if matches:
        record_request_event(
            request, "patient.search", object_type="Patient", detail={"patients_shown": [p.pk for p in matches]}
        )
    initial = {**booking_from_screen(screen), "bed": _id_from_query(request, "bed") or None}
    if chosen is not None:
        initial["patient"] = chosen.pk
    form = BookingForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            episode = services.book_admission(
                user,
                patient=form.cleaned_data["patient"],
                new_patient=form.new_patient(),
                bed=form.cleaned_data["bed"],
                expected_arrival=form.cleaned_data["expected_arrival"],
                reason=form.reason(),
                screen=form.cleaned_data.get("screen"),
                now=timezone.now(),
                address=client_address(request),
            )
        except InvalidInput as error:
            show_on_form(form, error)
        else:
            return redirect("patient", episode.patient_id)
    if request.method == "POST":  # a refused booking shows what was posted
        chosen, screen = form.cleaned_data.get("patient"), form.cleaned_data.get("screen") or screen
    # The search and "not this patient" links keep the screen and the bed the booking started from.
    keep = {"screen": screen.pk if screen else 0, "bed": _id_from_query(request, "bed")}
    return render(
        request,
        "admissions/book.html",
        {
            "form": form,
            "screen": screen,
            **(_screen_answers(screen) if screen else {}),
            "chosen": chosen,
            "search": search,
            "searched": criteria is not None,
            "matches": matches,
            "keep": {k: v for k, v in keep.items() if v},
        },
        status=400 if form.errors else 200,
    )


def phone_screen(request: HttpRequest) -> HttpResponse:
    """Log a call: answers, then the triage decision with the rules behind it."""
    require(request, Action.SCREEN_CALLS)
    user = staff_member(request)
    callback = (
        CallbackRequest.objects.restrict(user, Action.SCREEN_CALLS)
        .filter(pk=_id_from_query(request, "callback"))
        .first()
    )
    initial: dict[str, object] = {"callback": callback.pk if callback else None}
    if callback is not None:
        # What the caller typed on the get-help page is not asked again; the coordinator can still correct it.
        initial.update(caller_name=callback.name, phone=callback.phone)
    form = PhoneScreenForm(request.POST or None, facility_id=user.facility_id, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            screen = services.record_phone_screen(
                user, form.cleaned_data, now=timezone.now(), address=client_address(request)
            )
        except InvalidInput as error:
            show_on_form(form, error)
        else:
            return redirect("phone-screen-result", screen.pk)
    return render(
        request,
        "admissions/phone_screen.html",
        {"form": form, "callback": callback, "emergency_signs": EMERGENCY_SIGNS},
        status=400 if form.errors else 200,
    )


def phone_screen_result(request: HttpRequest, screen_id: int) -> HttpResponse:
    """The triage decision, shown prominently when it is an emergency, with the next step."""
    screen = get_for(request, PhoneScreen, screen_id, Action.SCREEN_CALLS, missing="No such phone screen.")
    record_request_event(
        request, "phone_screen.view", patient_id=screen.patient_id, object_type="PhoneScreen", object_id=screen.pk
    )
    return render(
        request,
        "admissions/phone_screen_result.html",
        {"screen": screen, **_screen_answers(screen)},
    )
