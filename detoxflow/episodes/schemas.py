"""API shapes for episodes and their stage history."""

import datetime as dt

from ninja import Field, Schema

from detoxflow.clinical.stages import CareSetting, DischargeType, Stage, WithdrawalMedication
from detoxflow.episodes.models import Episode
from detoxflow.web.identifiers import RecordId


class TransitionOut(Schema):
    from_stage: str
    to_stage: Stage
    discharge_type: str
    at: dt.datetime
    by_name: str
    by_role: str
    reason: str


class EpisodeOut(Schema):
    id: int
    facility_id: RecordId
    patient_id: RecordId
    unit_id: RecordId | None
    bed_id: RecordId | None
    stage: Stage
    care_setting: str
    withdrawal_medication: str
    opened_at: dt.datetime
    admitted_at: dt.datetime | None
    discharged_at: dt.datetime | None
    discharge_type: str
    care_team: list[int] = Field(default_factory=list)

    @staticmethod
    def resolve_care_team(obj: Episode) -> list[int]:
        return [user.pk for user in obj.care_team.all()]


class EpisodeDetailOut(EpisodeOut):
    transitions: list[TransitionOut]


class EpisodeIn(Schema):
    patient_id: RecordId
    reason: str = Field(min_length=1, max_length=500)


class BedIn(Schema):
    bed_id: RecordId | None


class CareTeamIn(Schema):
    user_ids: list[RecordId]


class ArrivalIn(Schema):
    """Leave `bed_id` out to keep the booked bed; `null` arrives without a bed. `arrived_at` defaults to now."""

    bed_id: RecordId | None = None
    arrived_at: dt.datetime | None = None


class MethodIn(Schema):
    care_setting: CareSetting
    withdrawal_medication: WithdrawalMedication


class OrderDecisionIn(Schema):
    """At discharge, what happens to one order still active: "stopped", or "continued" by a named prescriber."""

    order_id: int
    disposition: str = Field(max_length=16)
    continued_by: str = Field(default="", max_length=200)


class TransitionIn(Schema):
    stage: Stage
    reason: str = Field(max_length=2000)
    discharge_type: DischargeType | None = None
    # A discharge with orders still active needs one decision per order (the aftercare page asks the same).
    orders: list[OrderDecisionIn] | None = None
