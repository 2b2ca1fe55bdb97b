"""EpisodeOfCare: one detox stay, its status and period."""

from __future__ import annotations

from typing import Any

from detoxflow.clinical.stages import Stage
from detoxflow.episodes.models import Episode
from detoxflow.interop.fhir.common import instant, meta

STATUS = {Stage.PRE_ADMISSION: "planned", Stage.DISCHARGED: "finished"}


def document(episode: Episode) -> dict[str, Any]:
    """The FHIR EpisodeOfCare document for one of our episodes."""
    period = {"start": instant(episode.opened_at)}
    if episode.discharged_at:
        period["end"] = instant(episode.discharged_at)
    return {
        "resourceType": "EpisodeOfCare",
        "id": str(episode.pk),
        "meta": meta(),
        "status": STATUS.get(episode.stage_enum, "active"),
        "type": [{"text": "Opioid withdrawal management"}],
        "patient": {"reference": f"Patient/{episode.patient_id}"},
        "managingOrganization": {"display": episode.facility.name},
        "period": period,
    }
