"""Patient: demographics, the facility's medical record number, the emergency contact."""

from __future__ import annotations

from typing import Any

from detoxflow.interop.fhir.common import meta
from detoxflow.patients.models import Patient, Sex

GENDER = {Sex.FEMALE: "female", Sex.MALE: "male", Sex.INTERSEX: "other", Sex.UNKNOWN: "unknown"}


def mrn_system(facility_code: str) -> str:
    return f"urn:detoxflow:facility:{facility_code}:mrn"


def document(patient: Patient) -> dict[str, Any]:
    """The FHIR Patient document for one of ours."""
    resource = {
        "resourceType": "Patient",
        "id": str(patient.pk),
        "meta": meta(),
        "identifier": [{"system": mrn_system(patient.facility.code), "value": patient.mrn}],
        "name": [{"family": patient.family_name, "given": [patient.given_name]}],
        "gender": GENDER[Sex(patient.sex)],
        "birthDate": patient.date_of_birth.isoformat(),
        "managingOrganization": {"display": patient.facility.name},
    }
    if patient.phone:
        resource["telecom"] = [{"system": "phone", "value": patient.phone}]
    if patient.emergency_contact_name:
        contact = {"name": {"text": patient.emergency_contact_name}, "relationship": [{"text": "Emergency contact"}]}
        if patient.emergency_contact_phone:
            contact["telecom"] = [{"system": "phone", "value": patient.emergency_contact_phone}]
        resource["contact"] = [contact]
    return resource
