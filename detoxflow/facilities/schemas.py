"""API shapes for facilities, units and beds."""

from ninja import Schema


class BedOut(Schema):
    id: int
    label: str
    occupied: bool


class UnitOut(Schema):
    id: int
    name: str
    code: str
    beds: list[BedOut]


class FacilityOut(Schema):
    id: int
    name: str
    code: str
    admissions_phone: str
