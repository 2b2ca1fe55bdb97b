"""Searching the directory: by kind, service, payer, open now, and distance from a place."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from detoxflow.directory.geography import distance_km, locate
from detoxflow.directory.models import Resource
from detoxflow.directory.opening_hours import is_open


@dataclass(frozen=True)
class Hit:
    """A resource found, with its distance from the starting point when one was given."""

    resource: Resource
    distance_km: float | None
    open_now: bool


def gazetteer(resources: list[Resource]) -> dict[str, tuple[float, float]]:
    """Postcode centroids from the facility's own resources, so a search can start from a postcode."""
    points: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for r in resources:
        if r.postcode and r.point:
            points[r.postcode.upper()].append(r.point)
    return {code: (sum(p[0] for p in ps) / len(ps), sum(p[1] for p in ps) / len(ps)) for code, ps in points.items()}


def search(
    facility_id: int,
    *,
    at: dt.datetime,
    kind: str = "",
    service: str = "",
    payer: str = "",
    near: str = "",
    open_now: bool = False,
) -> list[Hit]:
    """Matching resources, nearest first when `near` is given (else by name). Raises PlaceUnknown for `near`."""
    everything = list(Resource.objects.filter(facility_id=facility_id))
    origin = locate(near, gazetteer(everything)) if near.strip() else None
    hits = []
    for r in everything:
        if kind and r.kind != kind:
            continue
        if service and not any(service.lower() in s for s in r.services):
            continue
        if payer and not any(payer.lower() in p for p in r.payment):
            continue
        opened = is_open(r.hours, at)
        if open_now and not opened:
            continue
        distance = distance_km(origin, r.point) if origin and r.point else None
        hits.append(Hit(r, distance, opened))
    return sorted(hits, key=lambda h: (h.distance_km is None, h.distance_km or 0.0, h.resource.name))
