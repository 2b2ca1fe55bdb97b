"""Distances between places, and a small gazetteer of postcodes so a search can start from one.

Pure. Great-circle distance is plenty for "which is nearest"; road distance would need a router.
"""

from __future__ import annotations

import math
import re

EARTH_RADIUS_KM = 6371.0088
_LAT_LON = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$")


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Haversine distance in kilometres between two (latitude, longitude) points."""
    lat1, lon1, lat2, lon2 = (math.radians(v) for v in (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


class PlaceUnknown(ValueError):
    """A starting point that is neither coordinates nor a known postcode."""


def locate(text: str, gazetteer: dict[str, tuple[float, float]]) -> tuple[float, float]:
    """Coordinates from 'lat, lon' or a postcode in the gazetteer (the facility's known postcodes)."""
    match = _LAT_LON.match(text)
    if match:
        lat, lon = float(match[1]), float(match[2])
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise PlaceUnknown(f"'{text}' is not a valid latitude, longitude")
        return lat, lon
    key = text.strip().upper()
    if key in gazetteer:
        return gazetteer[key]
    raise PlaceUnknown(f"Postcode '{text.strip()}' is not in this facility's list; give 'latitude, longitude' instead")
