"""Evaluation and intake screens: the assessment, the care team, the recommendation and decision, the plan,
completion."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from detoxflow.accounts.access import staff_member
from detoxflow.accounts.permissions import Action
from detoxflow.audit.services import client_address, record_request_event
from detoxflow.clinical.level_of_care import RAPID_DETOX_RISK_STATEMENT
from detoxflow.clinical.stages import CareSetting, WithdrawalMedication
from detoxflow.episodes import services as episode_services
from detoxflow.episodes.forms import CareTeamByRoleForm
from detoxflow.episodes.models import Episode
from detoxflow.episodes.queries import get_episode_for
from detoxflow.errors import InvalidInput
from detoxflow.intake import services
from detoxflow.intake.forms import IntakeForm, MethodDecisionForm, TreatmentPlanForm
from detoxflow.intake.queries import intake_of, phone_screen_of, treatment_plan_of
from detoxflow.web.forms import show_on_form


def _overview(request: HttpRequest, episode: Episode, status: int = 200, **forms: object) -> HttpResponse:
    assessment = intake_of(episode)
    plan = treatment_plan_of(episode)
    medication = assessment.decided_medication or assessment.recommended_medication if assessment else ""
    context = {
        "episode": episode,
        "patient": episode.patient,
        "assessment": assessment,
        "plan": plan,
        "decision_form": forms.get("decision_form") or MethodDecisionForm(),
        "plan_form": forms.get("plan_form")
        or TreatmentPlanForm(
            initial={
                "protocol_reference": services.PROTOCOL_PLACEHOLDERS.get(WithdrawalMedication(medication), "")
                if medication
                else "",
                **(
                    {
                        "protocol_reference": plan.protocol_reference,
                        "goals": plan.goals,
                        "planned_length_days": plan.planned_length_days,
                    }
                    if plan
                    else {}
                ),
            }
        ),
        "care_team_form": forms.get("care_team_form") or CareTeamByRoleForm(episode=episode),
        "complete_error": forms.get("complete_error"),
        "rapid_risk": RAPID_DETOX_RISK_STATEMENT,
    }
    return render(request, "intake/overview.html", context, status=status)


def overview(request: HttpRequest, episode_id: int) -> HttpResponse:
    """The intake at a glance: assessment summary, recommendation with reasons, decision, plan."""
    episode = get_episode_for(request, episode_id, Action.VIEW_PATIENT)
    record_request_event(
        request,
        "intake.view",
        patient_id=episode.patient_id,
        episode_id=episode.pk,
        object_type="Episode",
        object_id=episode.pk,
    )
    return _overview(request, episode)


def assessment_form(request: HttpRequest, episode_id: int) -> HttpResponse:
    """Record (or redo) the structured intake assessment; a first one starts from the phone screen's answers.

    Refused (409) before the form is shown when the episode is not in evaluation & intake, so nobody fills the
    whole form to be told the patient has not arrived.
    """
    episode = get_episode_for(request, episode_id, Action.RECORD_INTAKE)
    try:
        services.check_intake_open(episode)
    except InvalidInput as refused:
        return render(
            request,
            "intake/assessment_form.html",
            {"episode": episode, "patient": episode.patient, "refused": refused.message},
            status=refused.status_code,
        )
    existing = intake_of(episode)
    form = IntakeForm(
        request.POST or None, instance=existing, phone_screen=None if existing else phone_screen_of(episode)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.record_intake(
                staff_member(request),
                episode,
                form.cleaned_data,
                substance_use=form.substance_use(),
                urine_drug_screen=form.urine_drug_screen(),
                now=timezone.now(),
                address=client_address(request),
            )
        except InvalidInput as error:
            show_on_form(form, error)
        else:
            return redirect("intake", episode.pk)
    if request.method == "GET":
        record_request_event(
            request, "intake.view", patient_id=episode.patient_id, episode_id=episode.pk, detail={"form": "assessment"}
        )
    return render(
        request,
        "intake/assessment_form.html",
        {"episode": episode, "patient": episode.patient, "form": form, "sections": form.sections()},
        status=400 if form.errors else 200,
    )


@require_POST
def care_team(request: HttpRequest, episode_id: int) -> HttpResponse:
    """The care team asked for at intake: attending physician, primary nurse, counselor."""
    episode = get_episode_for(request, episode_id, Action.ASSIGN_CARE_TEAM)
    form = CareTeamByRoleForm(request.POST, episode=episode)
    if form.is_valid():
        try:
            episode_services.assign_care_team(
                staff_member(request), episode, form.members(), address=client_address(request)
            )
        except InvalidInput as error:
            show_on_form(form, error)
        else:
            return redirect("intake", episode.pk)
    return _overview(request, episode, status=400, care_team_form=form)


@require_POST
def decide(request: HttpRequest, episode_id: int) -> HttpResponse:
    """Confirm or override the recommended method."""
    episode = get_episode_for(request, episode_id, Action.DECIDE_DETOX_METHOD)
    form = MethodDecisionForm(request.POST)
    assessment = intake_of(episode)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if assessment is None:
                raise InvalidInput("decision", "Record the intake assessment first.")
            services.decide_method(
                staff_member(request),
                assessment,
                confirm=data["decision"] == "confirm",
                setting=CareSetting(data["care_setting"]) if data["care_setting"] else None,
                medication=WithdrawalMedication(data["withdrawal_medication"])
                if data["withdrawal_medication"]
                else None,
                reason=data["reason"],
                consent_recorded=data["consent_recorded"],
                now=timezone.now(),
                address=client_address(request),
            )
        except InvalidInput as error:
            show_on_form(form, error)
        else:
            return redirect("intake", episode.pk)
    return _overview(request, episode, status=400, decision_form=form)


@require_POST
def write_plan(request: HttpRequest, episode_id: int) -> HttpResponse:
    """Write or rewrite the treatment plan."""
    episode = get_episode_for(request, episode_id, Action.WRITE_TREATMENT_PLAN)
    form = TreatmentPlanForm(request.POST)
    if form.is_valid():
        try:
            services.write_treatment_plan(
                staff_member(request), episode, form.cleaned_data, now=timezone.now(), address=client_address(request)
            )
        except InvalidInput as error:
            show_on_form(form, error)
        else:
            return redirect("intake", episode.pk)
    return _overview(request, episode, status=400, plan_form=form)


@require_POST
def complete(request: HttpRequest, episode_id: int) -> HttpResponse:
    """Finish intake: the episode moves to stabilization through the state machine."""
    episode = get_episode_for(request, episode_id, Action.CHANGE_STAGE)
    try:
        services.complete_intake(staff_member(request), episode, now=timezone.now(), address=client_address(request))
    except InvalidInput as error:
        return _overview(request, episode, status=409, complete_error=error.message)
    return redirect("patient", episode.patient_id)
