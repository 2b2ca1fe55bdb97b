"""Aftercare, discharge documents, follow-up calls and the outcomes report."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from detoxflow.accounts.access import require, staff_member
from detoxflow.accounts.permissions import Action
from detoxflow.aftercare import services
from detoxflow.aftercare.documents import render_pdf
from detoxflow.aftercare.forms import ChecklistForm, DischargeForm, FollowUpForm, ItemForm, PlanForm
from detoxflow.aftercare.queries import calls_due, get_follow_up_for, outcomes
from detoxflow.audit.services import client_address, record_request_event
from detoxflow.clinical.discharge import missing_for_discharge
from detoxflow.clinical.stages import DischargeType
from detoxflow.episodes.models import Episode
from detoxflow.episodes.queries import get_episode_for
from detoxflow.errors import InvalidInput
from detoxflow.web.downloads import content_disposition
from detoxflow.web.forms import show_on_form


def _page(request: HttpRequest, episode: Episode, status: int = 200, **forms: object) -> HttpResponse:
    plan, checklist = services.plan_for(episode), services.checklist_for(episode)
    facts = services.facts_for(episode)
    return render(
        request,
        "aftercare/aftercare.html",
        {
            "episode": episode,
            "patient": episode.patient,
            "plan": plan,
            "items": list(plan.items.select_related("resource")),
            "checklist": checklist,
            "plan_form": forms.get("plan_form")
            or PlanForm(
                initial={"relapse_prevention": plan.relapse_prevention, "lifestyle_goals": plan.lifestyle_goals}
            ),
            "item_form": forms.get("item_form") or ItemForm(facility_id=episode.facility_id),
            "checklist_form": forms.get("checklist_form")
            or ChecklistForm(
                initial={
                    "naloxone": checklist.naloxone,
                    "naloxone_decline_reason": checklist.naloxone_decline_reason,
                    "overdose_education": checklist.overdose_education,
                    "medications_reconciled": checklist.medications_reconciled,
                }
            ),
            "discharge_form": forms.get("discharge_form") or DischargeForm(),
            "missing": {d.label: missing_for_discharge(d, facts) for d in DischargeType},
            "error": forms.get("error"),
            "naltrexone_from": services.naltrexone_earliest(episode),
        },
        status=status,
    )


def aftercare(request: HttpRequest, episode_id: int) -> HttpResponse:
    """The plan, the checklist with what each discharge type still needs, and the discharge documents."""
    episode = get_episode_for(request, episode_id, Action.VIEW_PATIENT)
    record_request_event(request, "aftercare.view", patient_id=episode.patient_id, episode_id=episode.pk)
    return _page(request, episode)


@require_POST
def save_plan(request: HttpRequest, episode_id: int) -> HttpResponse:
    episode = get_episode_for(request, episode_id, Action.PLAN_AFTERCARE)
    form = PlanForm(request.POST)
    if form.is_valid():
        services.update_plan(staff_member(request), episode, form.cleaned_data, address=client_address(request))
        return redirect("aftercare", episode.pk)
    return _page(request, episode, 400, plan_form=form)


@require_POST
def add_item(request: HttpRequest, episode_id: int) -> HttpResponse:
    episode = get_episode_for(request, episode_id, Action.PLAN_AFTERCARE)
    form = ItemForm(request.POST, facility_id=episode.facility_id)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.add_item(
                staff_member(request),
                episode,
                data["kind"],
                resource=data["resource"],
                appointment_at=data["appointment_at"],
                detail=data["detail"],
                address=client_address(request),
            )
        except InvalidInput as error:
            show_on_form(form, error)
        else:
            return redirect("aftercare", episode.pk)
    return _page(request, episode, 400, item_form=form)


@require_POST
def review(request: HttpRequest, episode_id: int) -> HttpResponse:
    episode = get_episode_for(request, episode_id, Action.PLAN_AFTERCARE)
    try:
        services.review_with_patient(
            staff_member(request), episode, now=timezone.now(), address=client_address(request)
        )
    except InvalidInput as error:
        return _page(request, episode, 400, error=error.message)
    return redirect("aftercare", episode.pk)


@require_POST
def save_checklist(request: HttpRequest, episode_id: int) -> HttpResponse:
    episode = get_episode_for(request, episode_id, Action.PLAN_AFTERCARE)
    form = ChecklistForm(request.POST)
    if form.is_valid():
        try:
            services.update_checklist(
                staff_member(request), episode, form.cleaned_data, address=client_address(request)
            )
        except InvalidInput as error:
            show_on_form(form, error)
        else:
            return redirect("aftercare", episode.pk)
    return _page(request, episode, 400, checklist_form=form)


@require_POST
def discharge(request: HttpRequest, episode_id: int) -> HttpResponse:
    """Discharge through the checklist; what is missing is listed in place."""
    episode = get_episode_for(request, episode_id, Action.DISCHARGE)
    form = DischargeForm(request.POST)
    if form.is_valid():
        try:
            services.discharge(
                staff_member(request),
                episode,
                DischargeType(form.cleaned_data["discharge_type"]),
                reason=form.cleaned_data["reason"],
                now=timezone.now(),
                address=client_address(request),
            )
        except InvalidInput as error:
            return _page(request, episode, error.status_code, discharge_form=form, error=error.message)
        return redirect("aftercare", episode.pk)
    return _page(request, episode, 400, discharge_form=form)


def document(request: HttpRequest, episode_id: int, kind: str) -> HttpResponse:
    """The discharge summary or the patient handout as a PDF; each download is audited as an export."""
    episode = get_episode_for(request, episode_id, Action.VIEW_PATIENT)
    templates = {"summary": "aftercare/summary.html", "handout": "aftercare/handout.html"}
    if kind not in templates:
        raise Http404("No such document.")
    pdf = render_pdf(templates[kind], episode)
    record_request_event(
        request,
        f"export.{kind}_pdf",
        patient_id=episode.patient_id,
        episode_id=episode.pk,
        object_type="Episode",
        object_id=episode.pk,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(f"{kind}-{episode.patient.mrn}.pdf")
    return response


def follow_ups(request: HttpRequest) -> HttpResponse:
    """Calls due today or overdue."""
    require(request, Action.CALL_FOLLOW_UP)
    tasks = calls_due(staff_member(request), timezone.localdate())
    record_request_event(request, "follow_up.view", detail={"patients_shown": [t.episode.patient_id for t in tasks]})
    return render(request, "aftercare/follow_ups.html", {"tasks": tasks, "form": FollowUpForm()})


@require_POST
def record_call(request: HttpRequest, task_id: int) -> HttpResponse:
    task = get_follow_up_for(request, task_id, Action.CALL_FOLLOW_UP)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        services.record_follow_up(
            staff_member(request),
            task,
            form.cleaned_data["outcome"],
            form.cleaned_data["note"],
            now=timezone.now(),
            address=client_address(request),
        )
        return redirect("follow-ups")
    return render(request, "aftercare/follow_ups.html", {"tasks": [task], "form": form}, status=400)


def _period(request: HttpRequest) -> tuple[dt.date, dt.date, str]:
    today = timezone.localdate()
    try:
        start = dt.date.fromisoformat(request.GET.get("start") or (today - dt.timedelta(days=90)).isoformat())
        end = dt.date.fromisoformat(request.GET.get("end") or today.isoformat())
    except ValueError:
        return today - dt.timedelta(days=90), today, "Dates are YYYY-MM-DD."
    if end < start:
        return start, end, "The end date is before the start date."
    return start, end, ""


def outcomes_report(request: HttpRequest) -> HttpResponse:
    """Program outcomes for a period, each figure with its exact definition; CSV with ?format=csv."""
    require(request, Action.VIEW_OUTCOMES)
    start, end, error = _period(request)
    if error:
        return render(request, "aftercare/outcomes.html", {"error": error, "start": start, "end": end}, status=400)
    figures, mean_stay = outcomes(staff_member(request).facility_id, start, end)
    record_request_event(request, "outcomes.view", detail={"start": str(start), "end": str(end)})
    if request.GET.get("format") == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["figure", "value", "definition"])
        writer.writerows([f.label, f.value, f.definition] for f in figures)
        writer.writerows(
            [f"Mean length of stay: {m}", f"{d:.1f} days", "Discharged in the period, admission to discharge"]
            for m, d in mean_stay.items()
        )
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = content_disposition(f"outcomes-{start}-{end}.csv")
        return response
    longest = max(mean_stay.values(), default=1.0) or 1.0
    bars = [
        {"method": m, "days": d, "width": 380 * d / longest, "y": 8 + 26 * i}
        for i, (m, d) in enumerate(mean_stay.items())
    ]
    return render(
        request,
        "aftercare/outcomes.html",
        {
            "figures": figures,
            "bars": bars,
            "start": start,
            "end": end,
            "chart_height": 16 + 26 * len(bars),
        },
    )
