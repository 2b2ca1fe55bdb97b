"""EpisodeOfCare: one detox stay, its status and period."""

from __future__ import annotations

from fhir.resources.R4B.episodeofcare import EpisodeOfCare

from detoxflow.clinical.stages import Stage
from detoxflow.episodes.models import Episode
from detoxflow.interop.fhir.common import meta

STATUS = {Stage.PRE_ADMISSION: "planned", Stage.DISCHARGED: "finished"}


def to_fhir(episode: Episode) -> EpisodeOfCare:
    """The FHIR EpisodeOfCare for one of our episodes, validated by fhir.resources."""
    period = {"start": episode.opened_at.isoformat()}
    if episode.discharged_at:
        period["end"] = episode.discharged_at.isoformat()
    resource = {
        "resourceType": "EpisodeOfCare",
        "id": str(episode.pk),
        "meta": meta(),
        "status": STATUS.get(episode.stage_enum, "active"),
        "type": [{"text": "Opioid withdrawal management"}],
        "patient": {"reference": f"Patient/{episode.patient_id}"},
        "managingOrganization": {"display": episode.facility.name},
        "period": period,
    }
    return EpisodeOfCare.model_validate(resource)
