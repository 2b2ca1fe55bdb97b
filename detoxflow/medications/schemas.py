"""API shapes for orders and the MAR."""

import datetime as dt
from decimal import Decimal

from ninja import Schema


class OrderIn(Schema):
    protocol: str | None = None
    medicine_code: str | None = None
    kind: str | None = None
    dose_mg: Decimal | None = None
    min_interval_minutes: int | None = None
    single_dose_max_mg: Decimal | None = None
    daily_max_mg: Decimal | None = None
    cows_at_least: int | None = None
    instructions: str = ""


class OrderOut(Schema):
    id: int
    episode_id: int
    medicine_code: str
    medicine_name: str
    kind: str
    dose_mg: Decimal
    min_interval_minutes: int
    single_dose_max_mg: Decimal
    daily_max_mg: Decimal
    cows_at_least: int | None
    built_from: str
    signed_at: dt.datetime
    signed_by_name: str
    stopped_at: dt.datetime | None


class AdministrationIn(Schema):
    status: str = "given"
    dose_mg: Decimal | None = None
    due_at: dt.datetime | None = None
    reason: str = ""
    override_reason: str = ""


class FindingOut(Schema):
    rule_id: str
    message: str
    source: str


class AdministrationOut(Schema):
    id: int
    order_id: int
    status: str
    dose_mg: Decimal
    due_at: dt.datetime | None
    at: dt.datetime
    by_name: str
    reason: str
    hard_stops: list[FindingOut]
    warnings: list[FindingOut]
    override_by_name: str
    override_reason: str
