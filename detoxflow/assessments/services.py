"""The only writer of withdrawal assessments: score, check vitals, save, reschedule, audit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction

from detoxflow.accounts.models import User
from detoxflow.assessments.models import Sedation, WithdrawalAssessment
from detoxflow.audit.actions import AuditAction
from detoxflow.audit.services import record_event
from detoxflow.clinical.rulebook import RuleSet
from detoxflow.clinical.scales import INSTRUMENTS
from detoxflow.clinical.scales.instrument import ItemValueRejected, score
from detoxflow.clinical.schedule import LastAssessment, next_due
from detoxflow.clinical.stages import Stage
from detoxflow.clinical.vitals import VITAL_SIGNS, abnormal, implausible
from detoxflow.episodes.models import Episode
from detoxflow.errors import InvalidInput
from detoxflow.facilities.rules import rules_in_force

VITAL_FIELDS = (*VITAL_SIGNS, "pain", "sedation")
# The instrument whose total drives the reassessment schedule (reference §1).
SCHEDULING_INSTRUMENT = "COWS"


def _check_vitals(vitals: dict[str, Any]) -> dict[str, str]:
    unknown = sorted(set(vitals) - set(VITAL_FIELDS))
    if unknown:
        raise InvalidInput(unknown[0], f"{unknown[0]} is not a vital sign charted here.")
    flags = {}
    for key in VITAL_SIGNS:
        value = vitals.get(key)
        if value is None:
            continue
        if problem := implausible(key, Decimal(value)):
            raise InvalidInput(key, problem)
        if flag := abnormal(key, Decimal(value)):
            flags[key] = flag
    if (vitals.get("systolic_bp") is None) != (vitals.get("diastolic_bp") is None):
        raise InvalidInput("diastolic_bp", "Give both systolic and diastolic pressure, or neither.")
    if vitals.get("systolic_bp") is not None and vitals["diastolic_bp"] >= vitals["systolic_bp"]:
        raise InvalidInput("diastolic_bp", "Diastolic pressure must be lower than systolic.")
    pain = vitals.get("pain")
    if pain is not None and not 0 <= pain <= 10:
        raise InvalidInput("pain", f"Pain {pain} is outside the 0-10 scale.")
    sedation = vitals.get("sedation") or ""
    if sedation and sedation not in Sedation.values:
        raise InvalidInput("sedation", f"Sedation must be one of {', '.join(Sedation.values)} (POSS).")
    if sedation in (Sedation.FREQUENTLY_DROWSY, Sedation.MINIMAL_RESPONSE):
        flags["sedation"] = "unacceptable"
    return flags


def reschedule(episode: Episode, *, now: dt.datetime, last_dose_at: dt.datetime | None = None) -> None:
    """Recompute the next assessment due time from the newest COWS and the last dose."""
    if episode.discharged_at is not None:
        Episode.objects.filter(pk=episode.pk).update(next_assessment_due=None)
        return
    newest = (
        WithdrawalAssessment.objects.filter(episode=episode, instrument=SCHEDULING_INSTRUMENT)
        .order_by("-assessed_at", "-pk")
        .values_list("assessed_at", "total")
        .first()
    )
    rules = rules_in_force(episode.facility_id, RuleSet.REASSESSMENT).rules
    due = next_due(
        started=episode.admitted_at or now,
        last=LastAssessment(*newest) if newest else None,
        last_dose_at=last_dose_at,
        rules=rules,
    )
    Episode.objects.filter(pk=episode.pk).update(next_assessment_due=due)
    episode.next_assessment_due = due


def check_chartable(episode: Episode) -> None:
    """Refuse (naming the episode) unless withdrawal can be charted now: from intake to discharge.

    Also asked before a tablet is handed over, so a patient never fills in a scale that cannot be saved.
    """
    if episode.discharged_at is not None or episode.stage_enum is Stage.PRE_ADMISSION:
        raise InvalidInput(
            "episode",
            f"Withdrawal is charted from intake to discharge; this episode is {episode.stage_enum.label.lower()}.",
        )


def record_assessment(
    actor: User,
    episode: Episode,
    instrument_code: str,
    answers: Mapping[str, object],
    vitals: dict[str, Any],
    *,
    now: dt.datetime,
    address: str | None,
    self_reported: bool = False,
) -> WithdrawalAssessment:
    """Score and save one assessment with its vitals; a refused item or vital saves nothing."""
    instrument = INSTRUMENTS.get(instrument_code)
    if instrument is None:
        raise InvalidInput("instrument", f"Choose one of: {', '.join(INSTRUMENTS)}.")
    check_chartable(episode)
    try:
        result = score(instrument, answers)
    except ItemValueRejected as rejected:
        raise InvalidInput(rejected.field, rejected.message) from rejected
    flags = _check_vitals(vitals)
    with transaction.atomic():
        assessment = WithdrawalAssessment.objects.create(
            facility_id=episode.facility_id,
            episode=episode,
            instrument=instrument.code,
            instrument_version=instrument.version,
            items=dict(result.items),
            total=result.total,
            band=result.band.label,
            self_reported=self_reported,
            flags=flags,
            assessed_at=now,
            assessed_by=actor,
            assessed_by_name=actor.display_name,
            **{k: v for k, v in vitals.items() if v not in (None, "")},
        )
        if instrument.code == SCHEDULING_INSTRUMENT:
            reschedule(episode, now=now)
        record_event(
            actor=actor,
            action=AuditAction.ASSESSMENT_RECORD,
            patient_id=episode.patient_id,
            episode_id=episode.pk,
            object_type="WithdrawalAssessment",
            object_id=assessment.pk,
            address=address,
            detail={"instrument": instrument.code, "total": result.total, "self_reported": self_reported},
        )
    return assessment
