"""Read side of intake: the assessment and plan of an episode already opened with get_episode_for."""

from __future__ import annotations

from detoxflow.episodes.models import Episode
from detoxflow.intake.models import IntakeAssessment, TreatmentPlan


def intake_of(episode: Episode) -> IntakeAssessment | None:
    """The episode's structured intake assessment, if recorded."""
    return IntakeAssessment.objects.filter(episode=episode).first()


def treatment_plan_of(episode: Episode) -> TreatmentPlan | None:
    """The episode's treatment plan, if written."""
    return TreatmentPlan.objects.filter(episode=episode).first()
