"""API for searching the resource directory."""

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema

from detoxflow.accounts.access import require, staff_member
from detoxflow.accounts.permissions import Action
from detoxflow.directory.geography import PlaceUnknown
from detoxflow.directory.queries import search
from detoxflow.errors import InvalidInput

router = Router(tags=["directory"])


class DirectoryFilter(Schema):
    kind: str = ""
    service: str = ""
    payer: str = ""
    near: str = ""
    open_now: bool = False


class ResourceOut(Schema):
    id: int
    kind: str
    name: str
    address: str
    postcode: str
    phone: str
    hours_text: str
    services: list[str]
    payment: list[str]
    languages: list[str]
    distance_km: float | None
    open_now: bool


@router.get("/directory", response=list[ResourceOut])
def search_directory(request: HttpRequest, filters: Query[DirectoryFilter]) -> list[dict[str, object]]:
    """Resources of the facility, nearest first when `near` (postcode or 'lat, lon') is given."""
    require(request, Action.VIEW_DIRECTORY)
    try:
        hits = search(staff_member(request).facility_id, at=timezone.localtime(), **filters.dict())
    except PlaceUnknown as unknown:
        raise InvalidInput("near", str(unknown), status_code=422) from unknown
    return [
        {
            **{
                f: getattr(h.resource, f)
                for f in (
                    "id",
                    "kind",
                    "name",
                    "address",
                    "postcode",
                    "phone",
                    "hours_text",
                    "services",
                    "payment",
                    "languages",
                )
            },
            "distance_km": round(h.distance_km, 2) if h.distance_km is not None else None,
            "open_now": h.open_now,
        }
        for h in hits
    ]
