"""MedicationRequest: a signed order — medicine, dose, how doses come due, and the ceilings it was signed with."""

from __future__ import annotations

from typing import Any

from detoxflow.clinical.protocols import OrderKind
from detoxflow.interop.fhir.common import instant, meta
from detoxflow.medications.models import MedicationRequest

# The formulary has no RxNorm codes yet (reference gives none), so medicines carry DetoxFlow's local code.
MEDICINES = "urn:detoxflow:formulary"
UCUM = "http://unitsofmeasure.org"


def medicine(code: str, name: str) -> dict[str, Any]:
    return {"coding": [{"system": MEDICINES, "code": code, "display": name}], "text": name}


def milligrams(value: Any) -> dict[str, Any]:
    return {"value": float(value), "unit": "mg", "system": UCUM, "code": "mg"}


def document(order: MedicationRequest) -> dict[str, Any]:
    """The FHIR MedicationRequest for a signed order."""
    kind = OrderKind(order.kind)
    dosage: dict[str, Any] = {
        "text": order.instructions or f"{order.medicine_name} {order.dose_mg} mg, {kind.label.lower()}",
        "doseAndRate": [{"doseQuantity": milligrams(order.dose_mg)}],
        "maxDosePerPeriod": {
            "numerator": milligrams(order.daily_max_mg),
            "denominator": {"value": 1, "unit": "d", "system": UCUM, "code": "d"},
        },
        "maxDosePerAdministration": milligrams(order.single_dose_max_mg),
    }
    if kind is OrderKind.SCHEDULED:
        dosage["timing"] = {"repeat": {"frequency": 1, "period": order.min_interval_minutes, "periodUnit": "min"}}
    else:
        # An as-needed interval is a minimum gap, not a schedule, so it goes in words rather than in timing.
        trigger = f"COWS at least {order.cows_at_least}" if order.cows_at_least is not None else "as needed"
        gap = f"no sooner than {order.min_interval_minutes} min apart"
        dosage["asNeededCodeableConcept"] = {"text": f"{trigger}; {gap}"}
    return {
        "resourceType": "MedicationRequest",
        "id": str(order.pk),
        "meta": meta(),
        "status": "active" if order.stopped_at is None else "stopped",
        "intent": "order",
        "medicationCodeableConcept": medicine(order.medicine_code, order.medicine_name),
        "subject": {"reference": f"Patient/{order.episode.patient_id}"},
        "encounter": {"reference": f"Encounter/{order.episode_id}"},
        "authoredOn": instant(order.signed_at),
        "requester": {"display": order.signed_by_name},
        "dosageInstruction": [dosage],
        "note": [{"text": f"Built from {order.built_from}"}],
    }
