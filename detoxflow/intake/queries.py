"""Read side of intake: the assessment and plan of an episode already opened with get_episode_for."""

from __future__ import annotations

from detoxflow.admissions.models import PhoneScreen
from detoxflow.episodes.models import Episode
from detoxflow.intake.models import IntakeAssessment, TreatmentPlan


def intake_of(episode: Episode) -> IntakeAssessment | None:
    """The episode's structured intake assessment, if recorded."""
    return IntakeAssessment.objects.filter(episode=episode).first()


def treatment_plan_of(episode: Episode) -> TreatmentPlan | None:
    """The episode's treatment plan, if written."""
    return TreatmentPlan.objects.filter(episode=episode).first()


def phone_screen_of(episode: Episode) -> PhoneScreen | None:
    """The phone screen that led to the episode's booking, if any: what the caller said, to start intake from."""
    return PhoneScreen.objects.filter(episode=episode).first()
