"""Encounter: the admitted part of an episode — inpatient on a bed, or an outpatient course."""

from __future__ import annotations

from typing import Any

from detoxflow.clinical.stages import CareSetting, Stage
from detoxflow.episodes.models import Episode
from detoxflow.interop.fhir.common import instant, meta

ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
CLASS = {
    CareSetting.OUTPATIENT.value: {"system": ACT_CODE, "code": "AMB", "display": "ambulatory"},
}
INPATIENT = {"system": ACT_CODE, "code": "IMP", "display": "inpatient encounter"}


def document(episode: Episode) -> dict[str, Any]:
    """The FHIR Encounter for an admitted episode (same id as its EpisodeOfCare)."""
    period = {"start": instant(episode.admitted_at or episode.opened_at)}
    if episode.discharged_at:
        period["end"] = instant(episode.discharged_at)
    resource = {
        "resourceType": "Encounter",
        "id": str(episode.pk),
        "meta": meta(),
        "status": "finished" if episode.stage_enum is Stage.DISCHARGED else "in-progress",
        "class": CLASS.get(episode.care_setting, INPATIENT),
        "type": [{"text": "Opioid withdrawal management"}],
        "subject": {"reference": f"Patient/{episode.patient_id}"},
        "episodeOfCare": [{"reference": f"EpisodeOfCare/{episode.pk}"}],
        "period": period,
        "serviceProvider": {"display": episode.facility.name},
    }
    if episode.bed_id is not None and episode.bed is not None:
        resource["location"] = [{"location": {"display": str(episode.bed)}}]
    if episode.discharge_type:
        resource["hospitalization"] = {"dischargeDisposition": {"text": episode.get_discharge_type_display()}}
    return resource
