"""Episode actions from the patient page: open, arrival, bed, care team, method, stage."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from detoxflow.accounts.access import staff_member
from detoxflow.accounts.permissions import Action
from detoxflow.aftercare.services import move_episode
from detoxflow.audit.services import client_address, record_request_event
from detoxflow.clinical.stages import CareSetting, Stage, WithdrawalMedication
from detoxflow.episodes import services
from detoxflow.episodes.forms import (
    ArrivalForm,
    BedForm,
    CareSettingForm,
    CareTeamForm,
    OpenEpisodeForm,
    StageChangeForm,
)
from detoxflow.episodes.models import Episode
from detoxflow.episodes.queries import get_episode_for
from detoxflow.errors import InvalidInput
from detoxflow.patients.queries import get_patient_for
from detoxflow.web.forms import show_on_form


@require_POST
def open_episode(request: HttpRequest, patient_id: int) -> HttpResponse:
    """Start a pre-admission episode for the patient."""
    patient = get_patient_for(request, patient_id, Action.OPEN_EPISODE)
    form = OpenEpisodeForm(request.POST)
    if form.is_valid():
        try:
            services.open_episode(
                staff_member(request),
                patient,
                reason=form.cleaned_data["reason"],
                now=timezone.now(),
                address=client_address(request),
            )
        except InvalidInput as error:
            show_on_form(form, error)
        else:
            return redirect("patient", patient.pk)
    return render(
        request, "episodes/action_form.html", {"patient": patient, "form": form, "title": "Open an episode"}, status=400
    )


def record_arrival(request: HttpRequest, episode_id: int) -> HttpResponse:
    """ "Patient arrived": confirm the bed and the arrival time; the episode moves to evaluation & intake."""
    episode = get_episode_for(request, episode_id, Action.CHANGE_STAGE)
    if episode.stage_enum is not Stage.PRE_ADMISSION:
        # A second click, or a stale tab: nothing to record, so go where the work now is.
        return redirect("intake", episode.pk)
    form = ArrivalForm(request.POST or None, episode=episode)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_arrival(
                staff_member(request),
                episode.pk,
                bed=form.cleaned_data["bed"],
                arrived_at=form.cleaned_data["arrived_at"],
                now=timezone.now(),
                address=client_address(request),
            )
        except InvalidInput as error:
            show_on_form(form, error)
        else:
            # Back to the record, like every stage move: it shows the new stage and bed, and the way into intake.
            return redirect("patient", episode.patient_id)
    return _episode_form(request, episode, form, "Patient arrived", submit="Record the arrival")


def assign_bed(request: HttpRequest, episode_id: int) -> HttpResponse:
    """Choose a bed for the episode; a bed already taken is refused with its name."""
    episode = get_episode_for(request, episode_id, Action.ASSIGN_BED)
    form = BedForm(request.POST or None, facility_id=episode.facility_id)
    if request.method == "POST" and form.is_valid():
        try:
            services.assign_bed(
                staff_member(request), episode, form.cleaned_data["bed"], address=client_address(request)
            )
        except InvalidInput as error:
            show_on_form(form, error)
        else:
            return redirect("patient", episode.patient_id)
    return _episode_form(request, episode, form, "Assign a bed")


def assign_care_team(request: HttpRequest, episode_id: int) -> HttpResponse:
    """Choose the clinicians responsible for the episode."""
    episode = get_episode_for(request, episode_id, Action.ASSIGN_CARE_TEAM)
    form = CareTeamForm(
        request.POST or None, facility_id=episode.facility_id, initial={"care_team": episode.care_team.all()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.assign_care_team(
                staff_member(request), episode, list(form.cleaned_data["care_team"]), address=client_address(request)
            )
        except InvalidInput as error:
            show_on_form(form, error)
        else:
            return redirect("patient", episode.patient_id)
    return _episode_form(request, episode, form, "Care team")


def _episode_form(
    request: HttpRequest, episode: Episode, form: forms.Form, title: str, *, submit: str = "Save"
) -> HttpResponse:
    """Render an episode action form; showing it reveals the patient's name, so the read is audited."""
    if request.method == "GET":
        record_request_event(
            request, "episode.view", patient_id=episode.patient_id, episode_id=episode.pk, detail={"form": title}
        )
    return render(
        request,
        "episodes/action_form.html",
        {"patient": episode.patient, "form": form, "title": title, "submit": submit},
        status=400 if form.errors else 200,
    )


def choose_care_setting(request: HttpRequest, episode_id: int) -> HttpResponse:
    """Record the detox method decided at intake."""
    episode = get_episode_for(request, episode_id, Action.CHANGE_STAGE)
    form = CareSettingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.choose_care_setting(
                staff_member(request),
                episode,
                CareSetting(form.cleaned_data["care_setting"]),
                WithdrawalMedication(form.cleaned_data["withdrawal_medication"]),
                address=client_address(request),
            )
        except InvalidInput as error:
            show_on_form(form, error)
        else:
            return redirect("patient", episode.patient_id)
    return _episode_form(request, episode, form, "Detox method")


@require_POST
def change_stage(request: HttpRequest, episode_id: int) -> HttpResponse:
    """Move the episode on; a refused move re-renders the form with what is missing (htmx swaps it in)."""
    requested = request.POST.get("stage", "")
    needed = services.action_for(Stage(requested)) if requested in Stage.__members__.values() else Action.CHANGE_STAGE
    episode = get_episode_for(request, episode_id, needed)
    form = StageChangeForm(request.POST, episode=episode, role=staff_member(request).role)
    if form.is_valid():
        try:
            move_episode(
                staff_member(request),
                episode,
                form.target(),
                reason=form.cleaned_data["reason"],
                now=timezone.now(),
                address=client_address(request),
                discharge_type=form.discharge(),
            )
        except InvalidInput as error:
            show_on_form(form, error)
        else:
            if request.headers.get("HX-Request"):
                response = HttpResponse()
                response["HX-Redirect"] = request.build_absolute_uri(f"/patients/{episode.patient_id}/")
                return response
            return redirect("patient", episode.patient_id)
    return render(request, "episodes/_partials/stage_form.html", {"episode": episode, "stage_form": form}, status=400)
