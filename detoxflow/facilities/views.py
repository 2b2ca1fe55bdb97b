"""Unit list and unit census."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from detoxflow.accounts.access import require, staff_member
from detoxflow.accounts.permissions import Action
from detoxflow.audit.services import record_request_event
from detoxflow.facilities.queries import census_for_unit, get_unit_for, units_for


def home(request: HttpRequest) -> HttpResponse:
    """The facility's units with their occupancy; the starting point after sign-in."""
    require(request, Action.VIEW_FACILITY)
    return render(request, "facilities/home.html", {"units": units_for(staff_member(request))})


def census(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Every bed on a unit, who is in it, their stage and days since admission."""
    require(request, Action.VIEW_CENSUS, object_type="Unit", object_id=unit_id)
    unit = get_unit_for(staff_member(request), unit_id)
    rows = census_for_unit(unit, timezone.now())
    record_request_event(
        request,
        "census.view",
        facility_id=unit.facility_id,
        object_type="Unit",
        object_id=unit.pk,
        detail={"patients_shown": [row.episode.patient_id for row in rows if row.episode]},
    )
    occupied = sum(1 for row in rows if row.episode)
    return render(request, "facilities/census.html", {"unit": unit, "rows": rows, "occupied": occupied})
