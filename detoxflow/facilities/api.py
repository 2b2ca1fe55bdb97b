"""API for facilities, their units and beds (read only)."""

from django.http import Http404, HttpRequest
from ninja import Router

from detoxflow.accounts.access import require, staff_member
from detoxflow.accounts.permissions import Action
from detoxflow.facilities.models import Facility
from detoxflow.facilities.queries import facilities_for, units_with_beds
from detoxflow.facilities.schemas import BedOut, FacilityOut, UnitOut
from detoxflow.web.identifiers import RecordId

router = Router(tags=["facilities"])


@router.get("", response=list[FacilityOut])
def list_facilities(request: HttpRequest) -> list[Facility]:
    """The facilities the signed-in user belongs to."""
    require(request, Action.VIEW_FACILITY)
    return list(facilities_for(staff_member(request)))


@router.get("/{facility_id}/units", response=list[UnitOut])
def list_units(request: HttpRequest, facility_id: RecordId) -> list[UnitOut]:
    """Units of a facility with each bed and whether it is occupied."""
    require(request, Action.VIEW_FACILITY)
    user = staff_member(request)
    facility = facilities_for(user).filter(pk=facility_id).first()
    if facility is None:
        raise Http404("No such facility.")
    units = units_with_beds(user, facility)
    return [
        UnitOut(
            id=u.pk,
            name=u.name,
            code=u.code,
            beds=[BedOut(id=b.pk, label=b.label, occupied=b.occupied) for b in u.beds.all()],  # type: ignore[attr-defined]
        )
        for u in units
    ]
