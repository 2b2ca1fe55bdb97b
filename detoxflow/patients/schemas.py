"""API shapes for patients; input shapes check form only, services check meaning."""

import datetime as dt
from typing import Annotated

from ninja import Field, Schema
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from detoxflow.patients.models import MRN_PATTERN, Sex, mrn_problem
from detoxflow.web.identifiers import RecordId


def _safe_mrn(value: str) -> str:
    problem = mrn_problem(value)
    if problem:
        # A custom error keeps the message as written (a ValueError would be prefixed "Value error, ").
        raise PydanticCustomError("invalid_mrn", problem)
    return value


# The character set is documented in the OpenAPI schema (anchored: a JSON Schema pattern matches anywhere).
Mrn = Annotated[
    str,
    Field(min_length=1, max_length=32, json_schema_extra={"pattern": f"^{MRN_PATTERN.pattern}$"}),
    AfterValidator(_safe_mrn),
]


class AllergyOut(Schema):
    substance: str
    reaction: str


class PatientOut(Schema):
    id: int
    facility_id: RecordId
    mrn: str
    given_name: str
    family_name: str
    date_of_birth: dt.date
    sex: Sex
    pregnancy_capable: bool
    phone: str
    emergency_contact_name: str
    emergency_contact_phone: str
    allergies: list[AllergyOut]


class PatientIn(Schema):
    mrn: Mrn
    given_name: str = Field(min_length=1, max_length=100)
    family_name: str = Field(min_length=1, max_length=100)
    date_of_birth: dt.date
    sex: Sex
    pregnancy_capable: bool = False
    phone: str = Field("", max_length=32)
    emergency_contact_name: str = Field("", max_length=200)
    emergency_contact_phone: str = Field("", max_length=32)


class PatientPatch(Schema):
    mrn: Mrn | None = None
    given_name: str | None = Field(None, min_length=1, max_length=100)
    family_name: str | None = Field(None, min_length=1, max_length=100)
    date_of_birth: dt.date | None = None
    sex: Sex | None = None
    pregnancy_capable: bool | None = None
    phone: str | None = Field(None, max_length=32)
    emergency_contact_name: str | None = Field(None, max_length=200)
    emergency_contact_phone: str | None = Field(None, max_length=32)


class AllergyIn(Schema):
    substance: str = Field(min_length=1, max_length=100)
    reaction: str = Field("", max_length=200)
