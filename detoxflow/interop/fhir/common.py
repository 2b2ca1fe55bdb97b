"""What every DetoxFlow FHIR resource carries: Part 2 security labels, and the error shape."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpResponse

FHIR_JSON = "application/fhir+json"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"

# Reference §15: exported data is labelled as Part 2, opioid use disorder, restricted.
SECURITY_LABELS = [
    {"system": ACT_CODE, "code": "42CFRPart2", "display": "42 CFR Part2"},
    {"system": ACT_CODE, "code": "OPIOIDUD", "display": "opioid use disorder information sensitivity"},
    {"system": CONFIDENTIALITY, "code": "R", "display": "restricted"},
]


def meta() -> dict[str, Any]:
    return {"security": SECURITY_LABELS}


def instant(value: dt.datetime) -> str:
    """A FHIR dateTime in UTC, written as fhir.resources writes it, so a document and its validated model agree."""
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def fhir_response(resource: Any, status: int = 200) -> HttpResponse:
    """A fhir.resources model as FHIR JSON."""
    return HttpResponse(resource.model_dump_json(exclude_none=True), content_type=FHIR_JSON, status=status)


def operation_outcome(status: int, code: str, diagnostics: str, expression: str | None = None) -> HttpResponse:
    """An error the FHIR way: OperationOutcome with the issue code and, when a field is at fault, its name."""
    from fhir.resources.R4B.operationoutcome import OperationOutcome  # noqa: PLC0415  (large module, loaded on use)

    issue: dict[str, Any] = {"severity": "error", "code": code, "diagnostics": diagnostics}
    if expression:
        issue["expression"] = [expression]
    return fhir_response(
        OperationOutcome.model_validate({"resourceType": "OperationOutcome", "issue": [issue]}), status
    )
