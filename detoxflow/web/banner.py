"""The patient banner: who this is and what matters now, at the top of every screen about one patient.

Built from the URL the page answers (an episode, a patient or an order in its path), with the signed-in
user's own scope, so a page that refused the user (403) or a patient outside their reach shows no banner
rather than leaking a name. Reads only; a handful of queries, made only on patient screens.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.utils import timezone

from detoxflow.accounts.models import User
from detoxflow.accounts.permissions import Action, Role, role_may
from detoxflow.aftercare.models import AftercareItem
from detoxflow.assessments.models import Sedation, WithdrawalAssessment
from detoxflow.clinical.rulebook import RuleSet
from detoxflow.episodes.models import Episode
from detoxflow.facilities.rules import rules_in_force
from detoxflow.intake.models import IntakeAssessment, Pregnancy, SuicideRisk
from detoxflow.medications.models import MedicationRequest
from detoxflow.patients.models import Patient

# Pages whose URL names a row of the episode rather than the episode: which model, and the path to its episode.
EPISODE_OF: dict[str, tuple[Any, str]] = {
    "order_id": (MedicationRequest, "episode_id"),
    "item_id": (AftercareItem, "plan__episode_id"),
}

# The COWS bands (clinical/scales/cows.py, Wesson & Ling 2003) that the banner raises as an alert.
SEVERE_BANDS = ("Moderately severe", "Severe")


@dataclasses.dataclass(frozen=True)
class CareTeamMember:
    name: str
    role: str


@dataclasses.dataclass(frozen=True)
class PatientBanner:
    patient_id: int
    name: str
    record_number: str
    age: int
    sex: str
    episode_id: int | None
    stage: str
    bed: str
    day_of_stay: int | None
    detox_method: str
    # Exactly one of: the allergies; "No known allergies" as a recorded answer; allergies never asked.
    allergies: list[str]
    no_known_allergies: bool
    last_assessment: str
    last_assessment_at: dt.datetime | None
    next_assessment_due: dt.datetime | None
    assessment_overdue: bool
    care_team: list[CareTeamMember]
    alerts: list[str]

    @property
    def allergies_not_asked(self) -> bool:
        return not self.allergies and not self.no_known_allergies


def banner_for_path(user: Any, kwargs: dict[str, Any], now: dt.datetime | None = None) -> PatientBanner | None:
    """The banner for a page whose URL names an episode, a patient or a row of an episode; None on other pages."""
    if not isinstance(user, User) or not role_may(user.role, Action.VIEW_PATIENT):
        return None
    now = now or timezone.now()
    episodes = Episode.objects.restrict(user, Action.VIEW_PATIENT)
    episode: Episode | None = None
    if "episode_id" in kwargs:
        episode = episodes.filter(pk=kwargs["episode_id"]).select_related("patient", "bed__unit").first()
        patient = episode.patient if episode else None
    elif key := next((k for k in EPISODE_OF if k in kwargs), None):
        model, path = EPISODE_OF[key]
        episode_id = model.objects.restrict(user, Action.VIEW_PATIENT).filter(pk=kwargs[key]).values(path)[:1]
        episode = episodes.filter(pk__in=episode_id).select_related("patient", "bed__unit").first()
        patient = episode.patient if episode else None
    elif "patient_id" in kwargs:
        patient = Patient.objects.restrict(user, Action.VIEW_PATIENT).filter(pk=kwargs["patient_id"]).first()
        if patient is not None:
            episode = (
                episodes.filter(patient=patient, discharged_at__isnull=True)
                .select_related("patient", "bed__unit")
                .order_by("-opened_at")
                .first()
            )
    else:
        return None
    if patient is None:
        return None
    return _build(patient, episode, now)


def _build(patient: Patient, episode: Episode | None, now: dt.datetime) -> PatientBanner:
    allergies = [a.substance for a in patient.allergies.order_by("substance")]
    last: WithdrawalAssessment | None = None
    intake: IntakeAssessment | None = None
    team: list[CareTeamMember] = []
    if episode is not None:
        last = episode.withdrawal_assessments.order_by("-assessed_at", "-pk").first()
        intake = IntakeAssessment.objects.filter(episode=episode).first()
        team = [
            CareTeamMember(member.display_name, Role(member.role).label)
            for member in episode.care_team.order_by("role", "last_name")
        ]
    today = timezone.localdate(now)
    due = episode.next_assessment_due if episode and episode.is_open else None
    return PatientBanner(
        patient_id=patient.pk,
        name=patient.full_name,
        record_number=patient.mrn,
        age=patient.age_on(today),
        sex=patient.get_sex_display(),
        episode_id=episode.pk if episode else None,
        stage=episode.stage_enum.label if episode else "No open episode",
        bed=f"{episode.bed.unit.name} {episode.bed.label}" if episode and episode.bed else "",
        day_of_stay=_day_of_stay(episode, today),
        detox_method=_detox_method(episode),
        allergies=allergies,
        no_known_allergies=not allergies and patient.no_known_allergies_at is not None,
        last_assessment=f"{last.instrument} {last.total} ({last.band})" if last else "",
        last_assessment_at=last.assessed_at if last else None,
        next_assessment_due=due,
        assessment_overdue=due is not None and due < now,
        care_team=team,
        alerts=_alerts(patient, allergies=allergies, intake=intake, last=last, due=due, now=now),
    )


def _day_of_stay(episode: Episode | None, today: dt.date) -> int | None:
    if episode is None or episode.admitted_at is None:
        return None
    end = timezone.localdate(episode.discharged_at) if episode.discharged_at else today
    return (end - timezone.localdate(episode.admitted_at)).days + 1


def _detox_method(episode: Episode | None) -> str:
    if episode is None or not episode.care_setting:
        return ""
    setting = episode.get_care_setting_display()
    medication = episode.get_withdrawal_medication_display() if episode.withdrawal_medication else ""
    return f"{setting} · {medication}" if medication else setting


def _alerts(
    patient: Patient,
    *,
    allergies: list[str],
    intake: IntakeAssessment | None,
    last: WithdrawalAssessment | None,
    due: dt.datetime | None,
    now: dt.datetime,
) -> list[str]:
    """What a nurse must not miss, most urgent first; each in words, never a code."""
    alerts: list[str] = []
    if due is not None and due < now:
        alerts.append(f"Assessment overdue since {timezone.localtime(due):%H:%M}")
    if last is not None and last.sedation in (Sedation.FREQUENTLY_DROWSY, Sedation.MINIMAL_RESPONSE):
        alerts.append(f"Sedation: {last.get_sedation_display()} at the last assessment")
    if last is not None and last.band in SEVERE_BANDS:
        alerts.append(f"{last.band} withdrawal: {last.instrument} {last.total}")
    if intake is not None:
        if intake.suicide_risk in (SuicideRisk.ACTIVE_NO_PLAN, SuicideRisk.PLAN_OR_INTENT):
            alerts.append(f"Suicide risk: {intake.get_suicide_risk_display()}")
        if intake.pregnancy == Pregnancy.YES:
            alerts.append("Pregnant")
        elif intake.pregnancy == Pregnancy.POSSIBLE:
            alerts.append("Pregnancy possible")
        if intake.seizure_history:
            alerts.append("History of seizures")
        if intake.last_qtc_ms is not None:
            # The facility's own QTc warning level, the one the methadone dose check uses.
            warn_above = rules_in_force(patient.facility_id, RuleSet.DOSE_SAFETY).rules.qtc_warn_above
            if intake.last_qtc_ms > warn_above:
                alerts.append(f"QTc {intake.last_qtc_ms} ms (above {warn_above})")
    if not allergies and patient.no_known_allergies_at is None:
        alerts.append("Allergies not yet asked")
    return alerts
