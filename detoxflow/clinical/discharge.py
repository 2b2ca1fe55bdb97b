"""Discharge rules: what must be done before each kind of discharge, when naltrexone may start, follow-up dates.

Pure. Tolerance is lost within days of detox, so naloxone and overdose education are offered at
every discharge, including one against medical advice (reference §9-§10).
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from detoxflow.clinical.stages import DischargeType


class NaloxoneStatus(enum.StrEnum):
    """What happened when naloxone was offered."""

    NOT_YET = "not_yet"
    DISPENSED = "dispensed"
    PRESCRIBED = "prescribed"
    DECLINED = "declined"

    @property
    def label(self) -> str:
        return {
            "not_yet": "Not offered yet",
            "dispensed": "Dispensed (kit given)",
            "prescribed": "Prescribed",
            "declined": "Offered and declined",
        }[self]


@dataclass(frozen=True)
class ChecklistFacts:
    """Where each discharge step stands."""

    aftercare_reviewed: bool
    naloxone: NaloxoneStatus
    naloxone_decline_reason: str
    overdose_education: bool
    medications_reconciled: bool
    follow_up_booked: bool


NALOXONE_SOURCE = "ASAM NPG 2020; CDC 2022; SAMHSA Overdose Prevention Toolkit (reference §10)"


def missing_for_discharge(discharge_type: DischargeType, facts: ChecklistFacts) -> tuple[str, ...]:
    """The steps still missing for this kind of discharge; empty when it may go ahead."""
    missing = []
    naloxone_done = facts.naloxone in (NaloxoneStatus.DISPENSED, NaloxoneStatus.PRESCRIBED) or (
        facts.naloxone is NaloxoneStatus.DECLINED and facts.naloxone_decline_reason.strip()
    )
    if discharge_type is DischargeType.ADMINISTRATIVE:
        return ()
    if not naloxone_done:
        missing.append("naloxone offered and dispensed, prescribed, or declined with a reason")
    if not facts.overdose_education:
        missing.append("overdose education given (tolerance is lost after detox)")
    if discharge_type is DischargeType.AGAINST_MEDICAL_ADVICE:
        # The patient is leaving now: the rest cannot be done, but the offer of naloxone and education is recorded.
        return tuple(missing)
    if not facts.medications_reconciled:
        missing.append("medications reconciled")
    if discharge_type is DischargeType.COMPLETED:
        if not facts.aftercare_reviewed:
            missing.append("aftercare plan reviewed with the patient")
        if not facts.follow_up_booked:
            missing.append("follow-up booked (an appointment on the aftercare plan)")
    return tuple(missing)


@dataclass(frozen=True)
class NaltrexoneRules:
    """Opioid-free days required before extended-release naltrexone."""

    after_short_acting_days: int
    after_long_acting_days: int
    source: str


PUBLISHED_NALTREXONE_RULES = NaltrexoneRules(
    after_short_acting_days=7,
    after_long_acting_days=14,
    source="Vivitrol label; ASAM: 7-10 days after short-acting opioids, 10-14 after buprenorphine or methadone "
    "(reference §10)",
)


def naltrexone_from(
    last_short_acting: dt.date | None,
    last_long_acting: dt.date | None,
    rules: NaltrexoneRules = PUBLISHED_NALTREXONE_RULES,
) -> dt.date | None:
    """The first day extended-release naltrexone may be given, or None when no opioid use is recorded."""
    dates = []
    if last_short_acting is not None:
        dates.append(last_short_acting + dt.timedelta(days=rules.after_short_acting_days))
    if last_long_acting is not None:
        dates.append(last_long_acting + dt.timedelta(days=rules.after_long_acting_days))
    return max(dates) if dates else None


@dataclass(frozen=True)
class FollowUpRules:
    """The days after discharge on which the patient is called."""

    first_call_day: int
    second_call_day: int
    third_call_day: int
    source: str


PUBLISHED_FOLLOW_UP_RULES = FollowUpRules(2, 7, 30, "Facility policy (default): calls at 2, 7 and 30 days")


def follow_up_dates(discharged_on: dt.date, rules: FollowUpRules = PUBLISHED_FOLLOW_UP_RULES) -> list[dt.date]:
    """The days to call the patient after discharge."""
    days = sorted({rules.first_call_day, rules.second_call_day, rules.third_call_day})
    return [discharged_on + dt.timedelta(days=d) for d in days]
