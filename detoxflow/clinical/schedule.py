"""When the next withdrawal assessment is due, after each assessment and each dose.

Pure: no guideline fixes the interval (reference §1), so the intervals are facility data with the
typical defaults: hourly after a dose until stable, every 4 hours while symptomatic, once a shift
otherwise.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass


@dataclass(frozen=True)
class ReassessmentRules:
    """Intervals and the threshold that separates symptomatic from stable."""

    after_dose_minutes: int
    after_dose_window_hours: int
    symptomatic_from: int
    symptomatic_hours: int
    stable_hours: int
    overdue_after_minutes: int
    source: str


PUBLISHED_REASSESSMENT_RULES = ReassessmentRules(
    after_dose_minutes=60,
    after_dose_window_hours=4,
    symptomatic_from=5,
    symptomatic_hours=4,
    stable_hours=8,
    overdue_after_minutes=30,
    source=(
        "Reference §1: no guideline fixes the interval; typical defaults every 1-2 h during induction, every 4 h "
        "while symptomatic (COWS 5+, the start of the mild band), then once per 8-hour shift"
    ),
)


class Due(enum.StrEnum):
    """Where a patient's next assessment stands right now."""

    NOT_YET = "not_yet"
    DUE = "due"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class LastAssessment:
    """The newest COWS: when, and its total."""

    at: dt.datetime
    total: int


def next_due(
    *,
    started: dt.datetime,
    last: LastAssessment | None,
    last_dose_at: dt.datetime | None,
    rules: ReassessmentRules = PUBLISHED_REASSESSMENT_RULES,
) -> dt.datetime:
    """The time the next assessment is due; a dose after the last assessment restarts the hourly checks."""
    if last is None:
        return started if last_dose_at is None else min(started, last_dose_at + _after_dose(rules))
    if last_dose_at is not None and last_dose_at >= last.at:
        return last_dose_at + _after_dose(rules)
    symptomatic = last.total >= rules.symptomatic_from
    recently_dosed = last_dose_at is not None and last.at - last_dose_at < dt.timedelta(
        hours=rules.after_dose_window_hours
    )
    if symptomatic and recently_dosed:
        return last.at + _after_dose(rules)
    if symptomatic:
        return last.at + dt.timedelta(hours=rules.symptomatic_hours)
    return last.at + dt.timedelta(hours=rules.stable_hours)


def due_state(due_at: dt.datetime, now: dt.datetime, rules: ReassessmentRules = PUBLISHED_REASSESSMENT_RULES) -> Due:
    """Not yet, due, or overdue (past the grace period)."""
    if now < due_at:
        return Due.NOT_YET
    if now - due_at > dt.timedelta(minutes=rules.overdue_after_minutes):
        return Due.OVERDUE
    return Due.DUE


def _after_dose(rules: ReassessmentRules) -> dt.timedelta:
    return dt.timedelta(minutes=rules.after_dose_minutes)


@dataclass(frozen=True)
class DoseTiming:
    """When an unrecorded scheduled dose shows as late, and when as missed."""

    late_after_minutes: int
    missed_after_minutes: int
    source: str


PUBLISHED_DOSE_TIMING = DoseTiming(
    late_after_minutes=30,
    missed_after_minutes=120,
    source="Facility policy (default): late past 30 min, missed past 2 h without a record",
)


def dose_lateness(due_at: dt.datetime, now: dt.datetime, timing: DoseTiming = PUBLISHED_DOSE_TIMING) -> str | None:
    """'late' or 'missed' for an unrecorded scheduled dose, or None while it is still on time."""
    waited = now - due_at
    if waited > dt.timedelta(minutes=timing.missed_after_minutes):
        return "missed"
    if waited > dt.timedelta(minutes=timing.late_after_minutes):
        return "late"
    return None
