"""Condition: the opioid use disorder diagnosed at intake, with its DSM-5 severity and the criteria met."""

from __future__ import annotations

from typing import Any

from detoxflow.clinical.dsm5 import OudSeverity
from detoxflow.intake.models import IntakeAssessment
from detoxflow.interop.fhir.common import instant, meta

ICD10_CM = "http://hl7.org/fhir/sid/icd-10-cm"
SNOMED = "http://snomed.info/sct"
# The condition-severity value set of FHIR R4 (SNOMED CT).
SEVERITY = {
    OudSeverity.MILD: ("255604002", "Mild"),
    OudSeverity.MODERATE: ("6736007", "Moderate"),
    OudSeverity.SEVERE: ("24484000", "Severe"),
}


def document(intake: IntakeAssessment) -> dict[str, Any]:
    """The FHIR Condition for an intake that found opioid use disorder (severity mild or worse)."""
    severity = OudSeverity(intake.oud_severity)
    code, display = SEVERITY[severity]
    diagnosis: dict[str, Any] = {"text": f"Opioid use disorder, {severity.value}"}
    if intake.oud_icd10:  # FHIR JSON has no empty arrays: no code, no coding
        diagnosis["coding"] = [{"system": ICD10_CM, "code": intake.oud_icd10}]
    resource = {
        "resourceType": "Condition",
        "id": str(intake.pk),
        "meta": meta(),
        "clinicalStatus": {
            "coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active"}]
        },
        "verificationStatus": {
            "coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-ver-status", "code": "confirmed"}]
        },
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/condition-category",
                        "code": "encounter-diagnosis",
                    }
                ]
            }
        ],
        "severity": {"coding": [{"system": SNOMED, "code": code, "display": display}]},
        "code": diagnosis,
        "subject": {"reference": f"Patient/{intake.episode.patient_id}"},
        "encounter": {"reference": f"Encounter/{intake.episode_id}"},
        "recordedDate": instant(intake.assessed_at),
        "recorder": {"display": intake.assessed_by_name},
        "evidence": [{"code": [{"text": f"DSM-5 criterion met: {c}"}]} for c in intake.dsm5_criteria],
    }
    if intake.only_under_medical_supervision:
        resource["note"] = [{"text": "Tolerance and withdrawal not counted: taken only under medical supervision."}]
    return resource
