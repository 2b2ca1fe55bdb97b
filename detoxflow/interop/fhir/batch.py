"""Import of Patient resources from a FHIR batch Bundle: each entry registered or refused on its own.

A batch (not a transaction) on purpose: one malformed entry in a referral list must not hold back the rest,
and each refusal names the entry and the FHIR path at fault.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.patient import Patient as FhirPatient
from pydantic import ValidationError

from detoxflow.accounts.models import User
from detoxflow.errors import Conflict, InvalidInput
from detoxflow.interop.fhir.patient import GENDER, mrn_system
from detoxflow.patients import services as patients
from detoxflow.patients.models import Patient, Sex

MAX_ENTRIES = 1000
SEX = {fhir: ours for ours, fhir in GENDER.items()}
# Where each of our fields sits in a FHIR Patient, so a refusal points at the FHIR path the sender knows.
FHIR_PATH = {
    "mrn": "Patient.identifier",
    "given_name": "Patient.name.given",
    "family_name": "Patient.name.family",
    "date_of_birth": "Patient.birthDate",
    "sex": "Patient.gender",
    "phone": "Patient.telecom",
    "emergency_contact_name": "Patient.contact.name",
    "emergency_contact_phone": "Patient.contact.telecom",
}


class BundleRefused(Exception):
    """The body is not a batch Bundle at all; nothing was imported."""

    def __init__(self, message: str, expression: str) -> None:
        super().__init__(message)
        self.expression = expression


def _mrn(resource: FhirPatient, facility_code: str) -> str:
    """Our record number if the sender used our system; otherwise the sender's only or official identifier."""
    identifiers = [i for i in resource.identifier or [] if i.value]
    ours = [i for i in identifiers if i.system == mrn_system(facility_code)]
    official = [i for i in identifiers if i.use in ("official", "usual")]
    chosen = ours or official or (identifiers if len(identifiers) == 1 else [])
    if not chosen:
        raise InvalidInput("mrn", "Give one identifier (or mark one official) to use as the medical record number.")
    return str(chosen[0].value)


def _phone(telecoms: list[Any] | None) -> str:
    phones = [t.value for t in telecoms or [] if t.system == "phone" and t.value]
    return str(phones[0]) if phones else ""


def patient_values(resource: FhirPatient, facility_code: str) -> dict[str, Any]:
    """Our registration values from a FHIR Patient; a missing or overlong part raises InvalidInput naming it."""
    names = [n for n in resource.name or [] if n.family and n.given]
    if not names:
        raise InvalidInput("family_name", "A name with a family name and a given name is required.")
    if resource.birthDate is None:
        raise InvalidInput("date_of_birth", "The date of birth is required.")
    sex = SEX.get(resource.gender or "unknown", Sex.UNKNOWN)
    values: dict[str, Any] = {
        "mrn": _mrn(resource, facility_code),
        "family_name": names[0].family,
        "given_name": (names[0].given or [""])[0],
        "date_of_birth": resource.birthDate,
        "sex": sex.value,
        # Not carried by FHIR Patient; assumed possible until intake asks, so pregnancy checks are not skipped.
        "pregnancy_capable": sex is not Sex.MALE,
        "phone": _phone(resource.telecom),
    }
    for contact in resource.contact or []:
        if contact.name and (contact.name.text or contact.name.family):
            values["emergency_contact_name"] = contact.name.text or contact.name.family
            values["emergency_contact_phone"] = _phone(contact.telecom)
            break
    for name, value in values.items():
        limit = getattr(Patient._meta.get_field(name), "max_length", None)
        if limit and len(str(value)) > limit:
            raise InvalidInput(name, f"Longer than the {limit} characters the record holds.")
    return values


def _response(status: str, *, location: str | None = None, outcome: dict[str, Any] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {"status": status}
    if location:
        response["location"] = location
    if outcome:
        response["outcome"] = outcome
    return {"response": response}


def _outcome(code: str, diagnostics: str, expression: str | None) -> dict[str, Any]:
    issue: dict[str, Any] = {"severity": "error", "code": code, "diagnostics": diagnostics}
    if expression:
        issue["expression"] = [expression]
    return {"resourceType": "OperationOutcome", "issue": [issue]}


def _validation_path(error: ValidationError) -> str:
    location = error.errors()[0]["loc"]
    return ".".join(["Patient", *(str(part) for part in location if not str(part).startswith("function"))])


def _import_entry(
    actor: User, facility_code: str, number: int, entry: Any, *, now: dt.datetime, address: str | None
) -> dict[str, Any]:
    where = f"Bundle.entry[{number}]"
    if not isinstance(entry, dict) or not isinstance(entry.get("resource"), dict):
        return _response("400 Bad Request", outcome=_outcome("required", f"{where} has no resource.", where))
    raw = entry["resource"]
    if raw.get("resourceType") != "Patient":
        kind = str(raw.get("resourceType", "?"))[:64]
        message = f"{where} is a {kind}; only Patient resources are imported."
        return _response("400 Bad Request", outcome=_outcome("not-supported", message, f"{where}.resource"))
    try:
        values = patient_values(FhirPatient.model_validate(raw), facility_code)
        created = patients.register_patient(actor, values, address=address, now=now)
    except ValidationError as invalid:
        message = f"{where}: {invalid.errors()[0]['msg']}"
        return _response("400 Bad Request", outcome=_outcome("invalid", message, _validation_path(invalid)))
    except Conflict as clash:
        return _response("409 Conflict", outcome=_outcome("duplicate", f"{where}: {clash.message}", FHIR_PATH["mrn"]))
    except InvalidInput as refused:
        path = FHIR_PATH.get(refused.field, f"Patient.{refused.field}")
        return _response("400 Bad Request", outcome=_outcome("invalid", f"{where}: {refused.message}", path))
    return _response("201 Created", location=f"Patient/{created.pk}")


def import_patients(actor: User, body: bytes, *, now: dt.datetime | None = None, address: str | None) -> Bundle:
    """Register each Patient entry of a batch Bundle; the batch-response says, entry by entry, what happened."""
    try:
        bundle = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        raise BundleRefused("The body is not JSON.", "Bundle") from None
    except RecursionError:  # the web door refuses deep bodies first (RefuseDeepJson); this guards other callers
        raise BundleRefused("The body is nested too deeply to read.", "Bundle") from None
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise BundleRefused("Send a Bundle resource.", "Bundle.resourceType")
    if bundle.get("type") != "batch":
        raise BundleRefused("Send a Bundle of type 'batch' (each entry is imported on its own).", "Bundle.type")
    entries = bundle.get("entry", [])
    if not isinstance(entries, list):
        raise BundleRefused("Bundle.entry must be a list.", "Bundle.entry")
    if len(entries) > MAX_ENTRIES:
        raise BundleRefused(f"At most {MAX_ENTRIES} entries per bundle; split the rest.", "Bundle.entry")
    when = now or timezone.now()
    code = actor.facility.code
    answers = [_import_entry(actor, code, n, entry, now=when, address=address) for n, entry in enumerate(entries)]
    return Bundle.model_validate({"resourceType": "Bundle", "type": "batch-response", "entry": answers})
