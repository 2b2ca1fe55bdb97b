"""What a withdrawal scale is, as data: items with their allowed points and anchors, and severity bands.

Pure: scoring refuses a partly filled form, an unknown item or a value an item does not allow,
naming the item and the allowed values, so a typo never becomes a score.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Anchor:
    """One allowed value of an item and the short description printed beside it."""

    points: int
    text: str


@dataclass(frozen=True)
class Item:
    """One item: its key, its name on the form, how it is assessed, and its anchors."""

    key: str
    name: str
    how_assessed: str
    anchors: tuple[Anchor, ...]

    @property
    def allowed(self) -> tuple[int, ...]:
        return tuple(a.points for a in self.anchors)


@dataclass(frozen=True)
class Band:
    """A severity band; both ends inclusive."""

    label: str
    low: int
    high: int

    def contains(self, total: int) -> bool:
        return self.low <= total <= self.high


@dataclass(frozen=True)
class Instrument:
    """A validated scale: items, bands and where it comes from."""

    code: str
    name: str
    version: str
    rater: str
    items: tuple[Item, ...]
    bands: tuple[Band, ...]
    source: str
    bands_source: str
    local_code: str
    loinc_total: str | None = None

    @property
    def min_total(self) -> int:
        return sum(min(item.allowed) for item in self.items)

    @property
    def max_total(self) -> int:
        return sum(max(item.allowed) for item in self.items)

    def item(self, key: str) -> Item:
        return next(i for i in self.items if i.key == key)


class ItemValueRejected(Exception):
    """An answer the instrument cannot score; `field` is the item key."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Score:
    """A scored assessment: total, band and the item answers it came from."""

    instrument_code: str
    total: int
    band: Band
    items: tuple[tuple[str, int], ...]


def band_for(instrument: Instrument, total: int) -> Band:
    """The band that holds `total`."""
    for band in instrument.bands:
        if band.contains(total):
            return band
    raise ValueError(f"{instrument.code} total {total} is outside {instrument.min_total}-{instrument.max_total}")


def score(instrument: Instrument, answers: Mapping[str, object]) -> Score:
    """Total and band of a complete set of answers; anything else is refused by item."""
    keys = {item.key for item in instrument.items}
    unknown = sorted(set(answers) - keys)
    if unknown:
        raise ItemValueRejected(unknown[0], f"{unknown[0]} is not an item of {instrument.name}.")
    missing = [item for item in instrument.items if item.key not in answers]
    if missing:
        names = ", ".join(item.name for item in missing)
        raise ItemValueRejected(
            missing[0].key, f"Not scored yet: {names}. A partly filled {instrument.code} is not saved."
        )
    points: dict[str, int] = {}
    for item in instrument.items:
        value = answers[item.key]
        allowed = ", ".join(str(p) for p in item.allowed)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ItemValueRejected(
                item.key,
                f"{item.name}: {json.dumps(value)} is not a whole number of points (allowed: {allowed}).",
            )
        if value not in item.allowed:
            raise ItemValueRejected(item.key, f"{item.name}: {value} is not an allowed value (allowed: {allowed}).")
        points[item.key] = value
    total = sum(points.values())
    return Score(
        instrument_code=instrument.code,
        total=total,
        band=band_for(instrument, total),
        items=tuple((item.key, points[item.key]) for item in instrument.items),
    )


def with_bands(instrument: Instrument, bands: tuple[Band, ...], source: str) -> Instrument:
    """The instrument with a facility's bands, which must cover every total exactly once."""
    ordered = sorted(bands, key=lambda b: b.low)
    expected = instrument.min_total
    for band in ordered:
        if band.low > expected:
            raise ValueError(f"Bands leave totals {expected}-{band.low - 1} without a band.")
        if band.low < expected:
            raise ValueError(f"Band '{band.label}' overlaps the band before it at {band.low}.")
        if band.high < band.low:
            raise ValueError(f"Band '{band.label}' ends before it starts.")
        expected = band.high + 1
    if expected - 1 != instrument.max_total:
        raise ValueError(f"Bands must end at the maximum total {instrument.max_total}, not {expected - 1}.")
    return Instrument(
        code=instrument.code,
        name=instrument.name,
        version=instrument.version,
        rater=instrument.rater,
        items=instrument.items,
        bands=tuple(ordered),
        source=instrument.source,
        bands_source=source,
        local_code=instrument.local_code,
        loinc_total=instrument.loinc_total,
    )
