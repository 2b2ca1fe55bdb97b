"""Encounter: the admitted part of an episode — inpatient on a bed, or an outpatient course."""

from __future__ import annotations

from fhir.resources.R4B.encounter import Encounter

from detoxflow.clinical.stages import CareSetting, Stage
from detoxflow.episodes.models import Episode
from detoxflow.interop.fhir.common import meta

ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
CLASS = {
    CareSetting.OUTPATIENT.value: {"system": ACT_CODE, "code": "AMB", "display": "ambulatory"},
}
INPATIENT = {"system": ACT_CODE, "code": "IMP", "display": "inpatient encounter"}


def to_fhir(episode: Episode) -> Encounter:
    """The FHIR Encounter for an admitted episode (same id as its EpisodeOfCare)."""
    period = {"start": (episode.admitted_at or episode.opened_at).isoformat()}
    if episode.discharged_at:
        period["end"] = episode.discharged_at.isoformat()
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
    return Encounter.model_validate(resource)
