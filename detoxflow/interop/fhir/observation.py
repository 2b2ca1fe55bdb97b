"""Observation: one withdrawal assessment — the scale total, each item, and the vitals charted with it.

No LOINC codes exist for COWS, SOWS or OOWS (reference §1-§2; 72514-3 is a pain score), so the total and
items use DetoxFlow's local code system; vitals use their LOINC codes.
"""

from __future__ import annotations

from typing import Any

from detoxflow.assessments.models import WithdrawalAssessment
from detoxflow.clinical.scales import INSTRUMENTS
from detoxflow.clinical.vitals import VITAL_SIGNS
from detoxflow.interop.fhir.common import instant, meta

LOCAL_CODES = "urn:detoxflow:codes"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
UCUM_UNITS = {"/min": "/min", "mmHg": "mm[Hg]", "°C": "Cel", "%": "%"}


def document(assessment: WithdrawalAssessment) -> dict[str, Any]:
    """The FHIR Observation document for one assessment."""
    instrument = INSTRUMENTS[assessment.instrument]
    components: list[dict[str, Any]] = [
        {
            "code": {
                "coding": [
                    {
                        "system": LOCAL_CODES,
                        "code": f"{instrument.local_code}-{key}",
                        "display": instrument.item(key).name,
                    }
                ]
            },
            "valueInteger": points,
        }
        for key, points in assessment.items.items()
    ]
    for key, sign in VITAL_SIGNS.items():
        value = getattr(assessment, key)
        if value is not None:
            components.append(
                {
                    "code": {"coding": [{"system": LOINC, "code": sign.loinc, "display": sign.name}]},
                    "valueQuantity": {
                        "value": float(value),
                        "unit": sign.unit,
                        "system": UCUM,
                        "code": UCUM_UNITS[sign.unit],
                    },
                }
            )
    return {
        "resourceType": "Observation",
        "id": str(assessment.pk),
        "meta": meta(),
        "status": "final",
        "category": [
            {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "survey"}]}
        ],
        "code": {
            "coding": [{"system": LOCAL_CODES, "code": instrument.local_code, "display": f"{instrument.name} total"}],
            "text": instrument.code,
        },
        "subject": {"reference": f"Patient/{assessment.episode.patient_id}"},
        "effectiveDateTime": instant(assessment.assessed_at),
        "performer": [{"display": assessment.assessed_by_name}],
        "valueInteger": assessment.total,
        "interpretation": [{"text": assessment.band}],
        "component": components,
    }
