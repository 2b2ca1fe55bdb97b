"""CarePlan: the aftercare plan — each commitment with its service, appointment and place."""

from __future__ import annotations

from typing import Any

from detoxflow.aftercare.models import AftercareItem, AftercarePlan
from detoxflow.clinical.stages import Stage
from detoxflow.interop.fhir.common import instant, meta


def _activity(item: AftercareItem) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "status": "scheduled" if item.appointment_at else "not-started",
        "code": {"text": item.get_kind_display()},
        "description": " — ".join(p for p in (item.get_kind_display(), item.detail) if p),
    }
    if item.appointment_at:
        detail["scheduledPeriod"] = {"start": instant(item.appointment_at)}
    elif item.earliest_start:
        detail["scheduledString"] = f"Not before {item.earliest_start:%Y-%m-%d}"
    if item.resource is not None:
        detail["location"] = {"display": item.resource.name}
    return {"detail": detail}


def document(plan: AftercarePlan) -> dict[str, Any]:
    """The FHIR CarePlan for an episode's aftercare plan."""
    resource: dict[str, Any] = {
        "resourceType": "CarePlan",
        "id": str(plan.pk),
        "meta": meta(),
        "status": "completed" if plan.episode.stage_enum is Stage.DISCHARGED else "active",
        "intent": "plan",
        "category": [{"text": "Aftercare after opioid withdrawal management"}],
        "subject": {"reference": f"Patient/{plan.episode.patient_id}"},
        "encounter": {"reference": f"Encounter/{plan.episode_id}"},
        "activity": [_activity(item) for item in plan.items.all()],
    }
    description = " ".join(p for p in (plan.relapse_prevention, plan.lifestyle_goals) if p)
    if description:
        resource["description"] = description
    return resource
