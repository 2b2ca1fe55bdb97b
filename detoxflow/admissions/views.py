"""Public get-help page, the intake queue, phone screens and bed booking."""

from __future__ import annotations

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
from detoxflow.admissions.forms import BookingForm, CallbackRequestForm, PhoneScreenForm
from detoxflow.admissions.hotlines import HOTLINES
from detoxflow.admissions.models import CallbackRequest, CallbackStatus, PhoneScreen
from detoxflow.audit.services import client_address, record_request_event
from detoxflow.errors import InvalidInput
from detoxflow.facilities.models import Facility
from detoxflow.web.forms import show_on_form


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


def book_bed(request: HttpRequest) -> HttpResponse:
    """Book a free bed for a scheduled admission, registering the patient if new."""
    require(request, Action.OPEN_EPISODE)
    user = staff_member(request)
    form = BookingForm(
        request.POST or None, facility_id=user.facility_id, initial={"screen": request.GET.get("screen")}
    )
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
    return render(request, "admissions/book.html", {"form": form}, status=400 if form.errors else 200)


def phone_screen(request: HttpRequest) -> HttpResponse:
    """Log a call: answers, then the triage decision with the rules behind it."""
    require(request, Action.SCREEN_CALLS)
    user = staff_member(request)
    initial = {"callback": request.GET.get("callback")}
    callback = (
        CallbackRequest.objects.restrict(user, Action.SCREEN_CALLS).filter(pk=request.GET.get("callback") or 0).first()
    )
    if callback is not None:
        initial["caller_name"] = callback.name
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
        {"form": form, "callback": callback},
        status=400 if form.errors else 200,
    )


def phone_screen_result(request: HttpRequest, screen_id: int) -> HttpResponse:
    """The triage decision, shown prominently when it is an emergency, with the next step."""
    screen = get_for(request, PhoneScreen, screen_id, Action.SCREEN_CALLS, missing="No such phone screen.")
    record_request_event(
        request, "phone_screen.view", patient_id=screen.patient_id, object_type="PhoneScreen", object_id=screen.pk
    )
    return render(request, "admissions/phone_screen_result.html", {"screen": screen})
