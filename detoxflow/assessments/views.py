"""Charting screens: a nurse's COWS/OOWS with vitals, and the patient's own SOWS on a locked tablet."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import authenticate
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from detoxflow.accounts.access import staff_member
from detoxflow.accounts.permissions import Action
from detoxflow.assessments import services
from detoxflow.assessments.forms import AssessmentForm
from detoxflow.assessments.queries import recent_assessments
from detoxflow.audit.actions import AuditAction
from detoxflow.audit.models import Outcome
from detoxflow.audit.services import client_address, record_request_event
from detoxflow.clinical.scales import INSTRUMENTS, SOWS
from detoxflow.episodes.models import Episode
from detoxflow.episodes.queries import get_episode_for
from detoxflow.errors import InvalidInput
from detoxflow.web.forms import show_on_form

TABLET_SESSION_KEY = "tablet"
RECENT_ON_CHART = 4


def chart(request: HttpRequest, episode_id: int) -> HttpResponse:
    """One assessment with its vitals, keyboard-first; saving goes back where the nurse came from."""
    episode = get_episode_for(request, episode_id, Action.RECORD_ASSESSMENT)
    code = request.GET.get("instrument", "COWS")
    instrument = INSTRUMENTS.get(code)
    if instrument is None or instrument.rater == "patient":
        raise Http404("Chart COWS or OOWS here; SOWS is the patient's own, on the tablet page.")
    form = AssessmentForm(request.POST or None, instrument=instrument)
    back = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.record_assessment(
                staff_member(request),
                episode,
                instrument.code,
                form.answers(),
                form.vitals(),
                now=timezone.now(),
                address=client_address(request),
            )
        except InvalidInput as error:
            show_on_form(form, error)
        else:
            due = episode.next_assessment_due
            messages.success(
                request,
                f"{saved.instrument} {saved.total} ({saved.band}) saved for {episode.patient.full_name}"
                + (f"; next due {timezone.localtime(due):%H:%M}." if due and saved.instrument == "COWS" else "."),
            )
            return redirect(back or "patient", *([] if back else [episode.patient_id]))
    if request.method == "GET":
        record_request_event(
            request, AuditAction.ASSESSMENT_VIEW_FORM, patient_id=episode.patient_id, episode_id=episode.pk
        )
    return render(
        request,
        "assessments/chart.html",
        {
            "episode": episode,
            "patient": episode.patient,
            "form": form,
            "instrument": instrument,
            "back": back,
            # The last readings beside the form, so a change in heart rate or pain is seen as it is charted.
            "recent": recent_assessments(episode, RECENT_ON_CHART),
        },
        status=400 if form.errors else 200,
    )


def self_report(request: HttpRequest, episode_id: int) -> HttpResponse:
    """The patient's SOWS in large type, on a tablet the nurse hands over; nothing of the staff screens shows.

    Without tablet mode the page only offers the start button: opening it (a GET) changes nothing, so a link
    checker or a browser's prefetch cannot lock the nurse's session. The button's POST starts tablet mode, and
    from then on the session reaches only this page and the thank-you page until the nurse's password unlocks it.
    """
    episode = get_episode_for(request, episode_id, Action.RECORD_ASSESSMENT)
    lock = request.session.get(TABLET_SESSION_KEY)
    if lock != {"episode": episode.pk, "state": "open"}:
        return _start_tablet(request, episode)
    form = AssessmentForm(request.POST or None, instrument=SOWS, with_vitals=False)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_assessment(
                staff_member(request),
                episode,
                "SOWS",
                form.answers(),
                {},
                now=timezone.now(),
                address=client_address(request),
                self_reported=True,
            )
        except InvalidInput as error:
            show_on_form(form, error)
        else:
            request.session[TABLET_SESSION_KEY] = {"episode": episode.pk, "state": "locked"}
            return redirect("tablet-locked")
    return render(
        request, "assessments/self_report.html", {"episode": episode, "form": form}, status=400 if form.errors else 200
    )


def _start_tablet(request: HttpRequest, episode: Episode) -> HttpResponse:
    """The nurse's page before the hand-over: what tablet mode does, and the button (POST) that starts it."""
    try:
        services.check_chartable(episode)
    except InvalidInput as error:
        # Said before the hand-over, so the patient never fills in a scale that cannot be saved.
        not_chartable = error.message
    else:
        not_chartable = ""
    not_saved = ""
    if request.method == "POST" and not not_chartable:
        if "start" in request.POST:
            request.session[TABLET_SESSION_KEY] = {"episode": episode.pk, "state": "open"}
            record_request_event(
                request, AuditAction.TABLET_START, patient_id=episode.patient_id, episode_id=episode.pk
            )
            return redirect("self-report", episode.pk)
        # Answers arriving outside tablet mode (a scale resubmitted after the unlock) are not saved.
        not_saved = "Nothing was saved: tablet mode is not on. Start it, then hand the tablet to the patient."
    return render(
        request,
        "assessments/self_report_start.html",
        {"episode": episode, "patient": episode.patient, "not_chartable": not_chartable, "not_saved": not_saved},
        status=400 if request.method == "POST" else 200,
    )


def tablet_locked(request: HttpRequest) -> HttpResponse:
    """Thank the patient; only the signed-in nurse's password returns the tablet to normal use."""
    lock = request.session.get(TABLET_SESSION_KEY)
    if lock is None:
        return redirect("home")
    error = ""
    if request.method == "POST":
        user = staff_member(request)
        if authenticate(request, username=user.username, password=request.POST.get("password", "")) is not None:
            del request.session[TABLET_SESSION_KEY]
            record_request_event(request, AuditAction.TABLET_UNLOCK, episode_id=lock["episode"])
            return redirect("home")
        record_request_event(request, AuditAction.TABLET_UNLOCK, episode_id=lock["episode"], outcome=Outcome.DENIED)
        error = "That password is not right. Hand the tablet to your nurse."
    return render(
        request, "assessments/tablet_locked.html", {"lock": lock, "error": error}, status=400 if error else 200
    )
