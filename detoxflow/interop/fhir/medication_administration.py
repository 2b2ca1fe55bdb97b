"""MedicationAdministration: one entry on the MAR — given, or not given and why, with any safety override."""

from __future__ import annotations

from typing import Any

from detoxflow.interop.fhir.common import instant, meta
from detoxflow.interop.fhir.medication_request import medicine, milligrams
from detoxflow.medications.models import AdministrationStatus, MedicationAdministration


def document(dose: MedicationAdministration) -> dict[str, Any]:
    """The FHIR MedicationAdministration for one MAR entry."""
    given = dose.status == AdministrationStatus.GIVEN
    resource: dict[str, Any] = {
        "resourceType": "MedicationAdministration",
        "id": str(dose.pk),
        "meta": meta(),
        "status": "completed" if given else "not-done",
        "medicationCodeableConcept": medicine(dose.order.medicine_code, dose.order.medicine_name),
        "subject": {"reference": f"Patient/{dose.episode.patient_id}"},
        "context": {"reference": f"Encounter/{dose.episode_id}"},
        "effectiveDateTime": instant(dose.at),
        "performer": [{"actor": {"display": dose.by_name}}],
        "request": {"reference": f"MedicationRequest/{dose.order_id}"},
        "dosage": {"dose": milligrams(dose.dose_mg)},
    }
    if not given:
        resource["statusReason"] = [{"text": f"{dose.get_status_display()}: {dose.reason}".rstrip(": ")}]
    notes = [f"Safety warning: {w['message']}" for w in dose.warnings]
    if dose.override_by_name:
        notes.append(f"Hard stop overridden by {dose.override_by_name}: {dose.override_reason}")
    if notes:
        resource["note"] = [{"text": n} for n in notes]
    return resource
