"""API shapes for orders and the MAR."""

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from detoxflow.web.identifiers import Milligrams, RecordId


class OrderIn(Schema):
    protocol: str | None = None
    medicine_code: str | None = None
    kind: str | None = None
    dose_mg: Milligrams | None = None
    min_interval_minutes: int | None = Field(None, ge=1, le=10080)
    single_dose_max_mg: Milligrams | None = None
    daily_max_mg: Milligrams | None = None
    cows_at_least: int | None = Field(None, ge=0, le=48)
    instructions: str = ""


class OrderOut(Schema):
    id: int
    episode_id: RecordId
    medicine_code: str
    medicine_name: str
    kind: str
    dose_mg: Decimal
    min_interval_minutes: int
    single_dose_max_mg: Decimal
    daily_max_mg: Decimal
    cows_at_least: int | None
    built_from: str
    starts_at: dt.datetime
    signed_at: dt.datetime
    signed_by_name: str
    stopped_at: dt.datetime | None


class DueSlotOut(Schema):
    due_at: dt.datetime = Field(description="Send this exact value as `due_at` to record the dose against it")
    state: str = Field(description="due, late or missed (not yet recorded)")


class ScheduleOut(Schema):
    order_id: RecordId
    kind: str
    starts_at: dt.datetime
    every_minutes: int
    stopped_at: dt.datetime | None
    open_slots: list[DueSlotOut] = Field(
        description="Scheduled doses of the last 24 h and the next hour not yet recorded"
    )


class AdministrationIn(Schema):
    status: str = "given"
    dose_mg: Milligrams | None = None
    due_at: dt.datetime | None = None
    reason: str = ""


class FindingOut(Schema):
    rule_id: str
    message: str
    source: str


class OverrideIn(Schema):
    reason: str = Field(max_length=2000)
    scope: str = Field("next_dose", description="next_dose (one dose, within 2 h) or until (every dose until `until`)")
    until: dt.datetime | None = Field(None, description="The end of the window, for scope `until` (at most 24 h)")
    rule_ids: list[str] | None = Field(
        None, max_length=30, description="The hard stops set aside; default: those standing on the order now"
    )


class OverrideOut(Schema):
    id: int
    order_id: RecordId
    scope: str
    rule_ids: list[str]
    hard_stops: list[FindingOut]
    reason: str
    authorised_at: dt.datetime
    authorised_by_name: str
    valid_until: dt.datetime
    used_at: dt.datetime | None


class AdministrationOut(Schema):
    id: int
    order_id: RecordId
    status: str
    dose_mg: Decimal
    due_at: dt.datetime | None
    at: dt.datetime
    by_name: str
    reason: str
    hard_stops: list[FindingOut]
    warnings: list[FindingOut]
    override_id: int | None = Field(description="The physician's authorisation the dose went through on, if any")
    override_by_name: str
    override_reason: str


class MaintenanceOfferIn(Schema):
    choice: str
    note: str = ""


class TaperIn(Schema):
    method: str
    start_mg: Milligrams
    step: Milligrams
    step_days: int = Field(ge=1, le=28)
    floor_mg: Milligrams = Decimal(0)
    start_date: dt.date
    reason: str


class TaperOut(Schema):
    id: int
    order_id: RecordId
    version: int
    method: str
    start_mg: Decimal
    step: Decimal
    step_days: int
    floor_mg: Decimal
    start_date: dt.date
    steps: list[list[str]]
    reason: str
    created_at: dt.datetime
    created_by_name: str


class LedgerIn(Schema):
    kind: str
    medicine_code: str
    unit_id: RecordId | None = None
    quantity_mg: Milligrams
    note: str = ""
    witness_username: str = ""
    witness_password: str = ""


class LedgerEntryOut(Schema):
    id: int
    stock_id: RecordId
    kind: str
    change_mg: Decimal
    balance_mg: Decimal
    counted_mg: Decimal | None
    discrepancy_mg: Decimal | None
    at: dt.datetime
    by_name: str
    witness_name: str
    note: str


class StockOut(Schema):
    id: int
    unit_id: RecordId | None
    medicine_code: str
    medicine_name: str
    balance_mg: Decimal
