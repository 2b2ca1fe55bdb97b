"""API shapes for withdrawal assessments; the service does the scoring and every clinical check."""

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema
from pydantic import StrictBool, StrictFloat, StrictInt, StrictStr

from detoxflow.web.identifiers import Celsius, RecordId


# Strict: lax parsing would read `true` as 1 and "3" as 3, turning a slip into a score or a vital sign.
class VitalsIn(Schema):
    heart_rate: StrictInt | None = None
    systolic_bp: StrictInt | None = None
    diastolic_bp: StrictInt | None = None
    respiratory_rate: StrictInt | None = None
    temperature_c: Celsius | None = None
    spo2: StrictInt | None = None
    pain: StrictInt | None = None
    sedation: str | None = None


class AssessmentIn(Schema):
    instrument: str = Field(description="COWS, SOWS or OOWS")
    # Any JSON scalar is let through to the scorer, which refuses all but the item's allowed whole numbers
    # by name (400), so `"tremor": true` is never saved as 1 point.
    items: dict[str, StrictInt | StrictBool | StrictFloat | StrictStr | None] = Field(
        description="Points per item key, whole numbers only, e.g. {'pulse': 2, ...}"
    )
    vitals: VitalsIn = Field(default_factory=VitalsIn)
    self_reported: bool = False


class AssessmentOut(Schema):
    id: int
    episode_id: RecordId
    instrument: str
    instrument_version: str
    items: dict[str, int]
    total: int
    band: str
    self_reported: bool
    heart_rate: int | None
    systolic_bp: int | None
    diastolic_bp: int | None
    respiratory_rate: int | None
    temperature_c: Decimal | None
    spo2: int | None
    pain: int | None
    sedation: str
    flags: dict[str, str]
    assessed_at: dt.datetime
    assessed_by_name: str
    next_assessment_due: dt.datetime | None = None

    @staticmethod
    def resolve_next_assessment_due(obj: object) -> dt.datetime | None:
        episode = getattr(obj, "episode", None)
        return getattr(episode, "next_assessment_due", None)
