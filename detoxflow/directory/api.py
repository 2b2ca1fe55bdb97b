"""API for searching the resource directory, a bounded page at a time."""

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema

from detoxflow.accounts.access import require, staff_member
from detoxflow.accounts.permissions import Action
from detoxflow.directory.geography import PlaceUnknown
from detoxflow.directory.queries import Hit, search
from detoxflow.errors import InvalidInput
from detoxflow.web.pagination import MAX_OFFSET, BoundedPagination

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


class DirectoryPage(Schema):
    """One page of resources; `next` and `previous` are the URLs of the neighbouring pages, null at either end.

    No total: with the Python-side filters (open now, a word in a service) counting would read every row.
    """

    items: list[ResourceOut]
    next: str | None
    previous: str | None


def _page_url(request: HttpRequest, offset: int, limit: int) -> str:
    query = request.GET.copy()
    query["offset"], query["limit"] = str(offset), str(limit)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


@router.get("/directory", response=DirectoryPage)
def search_directory(
    request: HttpRequest, filters: Query[DirectoryFilter], paging: Query[BoundedPagination.Input]
) -> dict[str, object]:
    """Resources of the facility, nearest first when `near` (postcode or 'lat, lon') is given.

    A page of `limit` (1-500, default 100) from `offset`, with links to the next and previous pages.
    """
    require(request, Action.VIEW_DIRECTORY)
    limit, offset = paging.limit, paging.offset
    try:
        hits = search(
            staff_member(request).facility_id,
            at=timezone.localtime(),
            offset=offset,
            limit=limit + 1,  # one more than asked tells whether a next page exists, without counting
            **filters.dict(),
        )
    except PlaceUnknown as unknown:
        raise InvalidInput("near", str(unknown), status_code=422) from unknown
    more = len(hits) > limit
    return {
        "items": [_resource(h) for h in hits[:limit]],
        "next": _page_url(request, offset + limit, limit) if more and offset + limit <= MAX_OFFSET else None,
        "previous": _page_url(request, max(offset - limit, 0), limit) if offset > 0 else None,
    }


FIELDS = ("id", "kind", "name", "address", "postcode", "phone", "hours_text", "services", "payment", "languages")


def _resource(h: Hit) -> dict[str, object]:
    return {
        **{f: getattr(h.resource, f) for f in FIELDS},
        "distance_km": round(h.distance_km, 2) if h.distance_km is not None else None,
        "open_now": h.open_now,
    }
