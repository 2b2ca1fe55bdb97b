"""Unit list and unit census."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from detoxflow.accounts.access import require, staff_member
from detoxflow.accounts.permissions import Action
from detoxflow.audit.services import client_address, record_request_event
from detoxflow.errors import InvalidInput
from detoxflow.facilities import services
from detoxflow.facilities.models import Bed
from detoxflow.facilities.queries import BedState, census_for_unit, get_unit_for, units_for
from detoxflow.facilities.queries import bed_board as bed_board_for


def home(request: HttpRequest) -> HttpResponse:
    """The facility's units with their occupancy; the starting point after sign-in."""
    require(request, Action.VIEW_FACILITY)
    return render(request, "facilities/home.html", {"units": units_for(staff_member(request))})


def bed_board(request: HttpRequest) -> HttpResponse:
    """Beds by unit: occupied, reserved, cleaning, out of service or free, with expected dates."""
    require(request, Action.VIEW_CENSUS)
    user = staff_member(request)
    boards = bed_board_for(user.facility_id)
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
    require(request, Action.ASSIGN_BED, object_type="Bed", object_id=bed_id)
    user = staff_member(request)
    bed = Bed.objects.filter(pk=bed_id, facility_id=user.facility_id).first()
    if bed is None:
        raise Http404("No such bed in your facility.")
    try:
        services.set_housekeeping(user, bed, request.POST.get("housekeeping", ""), address=client_address(request))
    except InvalidInput as error:
        messages.error(request, f"Bed {bed.label}: {error.message}")
    return redirect("bed-board")


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
