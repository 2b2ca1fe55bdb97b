"""Aftercare, discharge documents, follow-up calls and the outcomes report."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from detoxflow.accounts.access import require, staff_member
from detoxflow.accounts.permissions import Action, role_may
from detoxflow.aftercare import services
from detoxflow.aftercare.documents import render_pdf
from detoxflow.aftercare.forms import (
    ChecklistForm,
    DischargeForm,
    FollowUpForm,
    ItemForm,
    OrderDecisionsForm,
    PlanForm,
)
from detoxflow.aftercare.models import AftercareItem
from detoxflow.aftercare.queries import (
    UPCOMING_DAYS,
    calls_coming_up,
    calls_due,
    get_follow_up_for,
    get_item_for,
    orders_to_decide,
    outcomes,
)
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
            "active_orders": orders_to_decide(episode, timezone.localdate()) if episode.is_open else [],
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
    if _item_saved(request, form, functools.partial(services.add_item, staff_member(request), episode)):
        return redirect("aftercare", episode.pk)
    return _page(request, episode, 400, item_form=form)


def _item_saved(request: HttpRequest, form: ItemForm, save: Callable[..., AftercareItem]) -> bool:
    """Hand a posted plan item to its writer (add_item or update_item: the same fields, under the same checks).

    A refusal is shown on the form, naming its field, and False tells the view to show the form again."""
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        save(
            data["kind"],
            resource=data["resource"],
            appointment_at=data["appointment_at"],
            detail=data["detail"],
            address=client_address(request),
        )
    except InvalidInput as error:
        show_on_form(form, error)
        return False
    return True


def _item_page(request: HttpRequest, item: AftercareItem, form: ItemForm, status: int = 200) -> HttpResponse:
    episode = item.plan.episode
    return render(
        request,
        "aftercare/item_edit.html",
        {"episode": episode, "patient": episode.patient, "item": item, "item_form": form},
        status=status,
    )


def edit_item(request: HttpRequest, item_id: int) -> HttpResponse:
    """Change one commitment of the plan (GET shows it, POST saves it through the service)."""
    item = get_item_for(request, item_id, Action.PLAN_AFTERCARE)
    episode = item.plan.episode
    if request.method != "POST":
        initial = {
            "kind": item.kind,
            "resource": item.resource_id,
            "appointment_at": timezone.localtime(item.appointment_at) if item.appointment_at else None,
            "detail": item.detail,
        }
        return _item_page(request, item, ItemForm(initial=initial, facility_id=episode.facility_id))
    form = ItemForm(request.POST, facility_id=episode.facility_id)
    if _item_saved(request, form, functools.partial(services.update_item, staff_member(request), item)):
        return redirect("aftercare", episode.pk)
    return _item_page(request, item, form, 400)


@require_POST
def remove_item(request: HttpRequest, item_id: int) -> HttpResponse:
    """Take one commitment off the plan."""
    item = get_item_for(request, item_id, Action.PLAN_AFTERCARE)
    episode = item.plan.episode
    try:
        services.remove_item(staff_member(request), item, address=client_address(request))
    except InvalidInput as error:
        return _page(request, episode, error.status_code, error=error.message)
    return redirect("aftercare", episode.pk)


def item_resources(request: HttpRequest) -> HttpResponse:
    """The directory-entry field for an item of ?kind=, offering only the entries that fit it (htmx swaps it in)."""
    require(request, Action.VIEW_DIRECTORY)
    form = ItemForm(facility_id=staff_member(request).facility_id, kind=request.GET.get("kind", ""))
    return render(request, "aftercare/_partials/resource_field.html", {"field": form["resource"]})


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


def _confirm_page(
    request: HttpRequest, episode: Episode, form: DischargeForm, decisions: OrderDecisionsForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "aftercare/discharge_confirm.html",
        {
            "episode": episode,
            "patient": episode.patient,
            "discharge_form": form,
            "discharge_type": DischargeType(form.cleaned_data["discharge_type"]),
            "decisions": decisions,
            "may_decide": role_may(staff_member(request).role, Action.SIGN_ORDER),
        },
        status=status,
    )


@require_POST
def discharge(request: HttpRequest, episode_id: int) -> HttpResponse:
    """Discharge through the checklist; what is missing is listed in place. With orders still active (a taper
    unfinished), the first press asks what happens to each, and the discharge happens when that is confirmed."""
    episode = get_episode_for(request, episode_id, Action.DISCHARGE)
    form = DischargeForm(request.POST)
    if not form.is_valid():
        return _page(request, episode, 400, discharge_form=form)
    discharge_type = DischargeType(form.cleaned_data["discharge_type"])
    now = timezone.now()
    pending = orders_to_decide(episode, timezone.localdate(now))
    confirming = request.POST.get("confirm") == "orders"
    decisions = OrderDecisionsForm(request.POST if confirming else None, orders=pending)
    try:
        if pending and not confirming:
            services.check_ready(episode, discharge_type)  # refused now rather than after deciding every order
            return _confirm_page(request, episode, form, decisions)
        if pending and not decisions.is_valid():
            return _confirm_page(request, episode, form, decisions, 400)
        services.discharge(
            staff_member(request),
            episode,
            discharge_type,
            reason=form.cleaned_data["reason"],
            now=now,
            address=client_address(request),
            orders={
                pk: services.OrderDecision(disposition, continued_by)
                for pk, (disposition, continued_by) in (decisions.decisions() if pending else {}).items()
            },
        )
    except InvalidInput as error:
        if confirming:
            show_on_form(decisions, error)
            return _confirm_page(request, episode, form, decisions, error.status_code)
        return _page(request, episode, error.status_code, discharge_form=form, error=error.message)
    return redirect("aftercare", episode.pk)


def document(request: HttpRequest, episode_id: int, kind: str) -> HttpResponse:
    """The discharge summary or the patient handout as a PDF; each download is audited as an export."""
    episode = get_episode_for(request, episode_id, Action.VIEW_PATIENT)
    templates = {"summary": "aftercare/summary.html", "handout": "aftercare/handout.html"}
    if kind not in templates:
        raise Http404("No such document.")
    pdf = render_pdf(templates[kind], episode, printed_by=staff_member(request), now=timezone.now())
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
    """Calls due today or overdue, to make now, and the calls of the next two weeks by day, to plan them."""
    require(request, Action.CALL_FOLLOW_UP)
    today = timezone.localdate()
    tasks = calls_due(staff_member(request), today)
    upcoming = calls_coming_up(staff_member(request), today)
    shown = [t.episode.patient_id for t in tasks] + [t.episode.patient_id for day in upcoming for t in day.tasks]
    record_request_event(request, "follow_up.view", detail={"patients_shown": shown})
    return render(
        request,
        "aftercare/follow_ups.html",
        {"tasks": tasks, "upcoming": upcoming, "upcoming_days": UPCOMING_DAYS, "today": today, "form": FollowUpForm()},
    )


@require_POST
def record_call(request: HttpRequest, task_id: int) -> HttpResponse:
    task = get_follow_up_for(request, task_id, Action.CALL_FOLLOW_UP)
    form = FollowUpForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.record_follow_up(
                staff_member(request),
                task,
                form.cleaned_data["outcome"],
                form.cleaned_data["note"],
                now=timezone.now(),
                address=client_address(request),
            )
        except InvalidInput as error:
            show_on_form(form, error)
            status = error.status_code
        else:
            return redirect("follow-ups")
    return render(
        request,
        "aftercare/follow_ups.html",
        {"tasks": [task], "upcoming": None, "today": timezone.localdate(), "form": form},
        status=status,
    )


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
