"""Unit list and unit census."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from detoxflow.accounts.access import get_for, require, staff_member
from detoxflow.accounts.permissions import Action
from detoxflow.audit.services import client_address, record_request_event
from detoxflow.clinical.rulebook import RULEBOOK, RuleSet, configurable
from detoxflow.clinical.schedule import Due
from detoxflow.errors import InvalidInput
from detoxflow.facilities import services
from detoxflow.facilities.forms import RuleOverrideForm
from detoxflow.facilities.models import Bed
from detoxflow.facilities.queries import BedState, census_for_unit, due_now, get_unit_for, units_for
from detoxflow.facilities.queries import bed_board as bed_board_for
from detoxflow.facilities.rules import rules_in_force
from detoxflow.web.forms import show_on_form


def home(request: HttpRequest) -> HttpResponse:
    """The facility's units with their occupancy; the starting point after sign-in."""
    require(request, Action.VIEW_FACILITY)
    return render(request, "facilities/home.html", {"units": units_for(staff_member(request))})


def bed_board(request: HttpRequest) -> HttpResponse:
    """Beds by unit: occupied, reserved, cleaning, out of service or free, with expected dates."""
    require(request, Action.VIEW_CENSUS)
    user = staff_member(request)
    boards = bed_board_for(user)
    record_request_event(
        request,
        "bed_board.view",
        detail={"patients_shown": [b.episode.patient_id for u in boards for b in u.beds if b.episode]},
    )
    totals = {state.value: sum(u.count(state) for u in boards) for state in BedState}
    return render(request, "facilities/bed_board.html", {"boards": boards, "totals": totals, "states": BedState})


@require_POST
def housekeeping(request: HttpRequest, bed_id: int) -> HttpResponse:
    """Mark a bed ready, cleaning or out of service from the bed board."""
    bed = get_for(request, Bed, bed_id, Action.ASSIGN_BED, missing="No such bed in your facility.")
    user = staff_member(request)
    try:
        services.set_housekeeping(user, bed, request.POST.get("housekeeping", ""), address=client_address(request))
    except InvalidInput as error:
        messages.error(request, f"Bed {bed.label}: {error.message}")
    return redirect("bed-board")


def _rule_rows(facility_id: int, forms: dict[RuleSet, RuleOverrideForm] | None = None) -> list[dict[str, Any]]:
    rows = []
    for rule_set in RuleSet:
        in_force = rules_in_force(facility_id, rule_set)
        default, settings = RULEBOOK[rule_set]
        rows.append(
            {
                "rule_set": rule_set,
                "version": in_force.version,
                "override": in_force.override,
                "fixed": not configurable(rule_set),
                "settings": [
                    {
                        "label": s.label,
                        "fixed": s.fixed,
                        "value": getattr(in_force.rules, s.field),
                        "default": getattr(default, s.field),
                        "source": getattr(in_force.rules, s.source_field)
                        if s.source_field
                        else "Facility policy (default)",
                    }
                    for s in settings
                ],
                "form": (forms or {}).get(rule_set) or RuleOverrideForm(rule_set=rule_set, current=in_force.rules),
            }
        )
    return rows


def clinical_rules(request: HttpRequest) -> HttpResponse:
    """Every configurable clinical rule: the value in force, the published default and its source."""
    require(request, Action.VIEW_FACILITY)
    return render(request, "facilities/rules.html", {"rows": _rule_rows(staff_member(request).facility_id)})


@require_POST
def override_rule_set(request: HttpRequest, rule_set: str) -> HttpResponse:
    """Store a new version of one rule set for the facility."""
    require(request, Action.CONFIGURE_RULES, object_type="RuleOverride")
    user = staff_member(request)
    if rule_set not in RuleSet.__members__.values():
        raise Http404("No such rule set.")
    chosen = RuleSet(rule_set)
    form = RuleOverrideForm(request.POST, rule_set=chosen, current=rules_in_force(user.facility_id, chosen).rules)
    if form.is_valid():
        try:
            services.override_rules(
                user,
                chosen,
                form.values(),
                reason=form.cleaned_data["reason"],
                now=timezone.now(),
                address=client_address(request),
            )
        except InvalidInput as error:
            show_on_form(form, error)
        else:
            messages.success(request, f"{chosen.label}: new version saved.")
            return redirect("clinical-rules")
    return render(request, "facilities/rules.html", {"rows": _rule_rows(user.facility_id, {chosen: form})}, status=400)


def census(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Every bed on a unit, who is in it, their stage and days since admission."""
    unit = get_unit_for(request, unit_id, Action.VIEW_CENSUS)
    rows = census_for_unit(unit, timezone.now())
    due = due_now(rows)
    record_request_event(
        request,
        "census.view",
        facility_id=unit.facility_id,
        object_type="Unit",
        object_id=unit.pk,
        detail={"patients_shown": [row.episode.patient_id for row in rows if row.episode]},
    )
    occupied = sum(1 for row in rows if row.episode)
    overdue = sum(1 for row in due if row.due == Due.OVERDUE)
    return render(
        request,
        "facilities/census.html",
        {"unit": unit, "rows": rows, "occupied": occupied, "due": due, "overdue": overdue},
    )
