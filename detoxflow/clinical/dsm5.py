"""DSM-5 opioid use disorder: the eleven criteria, the severity they add up to, and its ICD-10-CM code.

Pure: the clinician ticks criteria; this counts them under the supervision rule and bands the count
with cut-points that are rule data (reference §3).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Criterion(enum.StrEnum):
    """The eleven DSM-5 criteria for opioid use disorder, in the manual's order."""

    LARGER_OR_LONGER = "larger_or_longer"
    CANNOT_CUT_DOWN = "cannot_cut_down"
    TIME_SPENT = "time_spent"
    CRAVING = "craving"
    ROLE_FAILURE = "role_failure"
    SOCIAL_PROBLEMS = "social_problems"
    ACTIVITIES_GIVEN_UP = "activities_given_up"
    HAZARDOUS_USE = "hazardous_use"
    USE_DESPITE_HARM = "use_despite_harm"
    TOLERANCE = "tolerance"
    WITHDRAWAL = "withdrawal"

    @property
    def number(self) -> int:
        return list(Criterion).index(self) + 1

    @property
    def label(self) -> str:
        return _CRITERION_LABELS[self]


_CRITERION_LABELS = {
    Criterion.LARGER_OR_LONGER: "Taken in larger amounts or for longer than intended",
    Criterion.CANNOT_CUT_DOWN: "Persistent desire or failed efforts to cut down",
    Criterion.TIME_SPENT: "Much time spent obtaining, using or recovering",
    Criterion.CRAVING: "Craving",
    Criterion.ROLE_FAILURE: "Failure to meet major obligations at work, school or home",
    Criterion.SOCIAL_PROBLEMS: "Continued use despite social or interpersonal problems",
    Criterion.ACTIVITIES_GIVEN_UP: "Important activities given up or reduced",
    Criterion.HAZARDOUS_USE: "Use in physically hazardous situations",
    Criterion.USE_DESPITE_HARM: "Continued use despite physical or psychological harm",
    Criterion.TOLERANCE: "Tolerance",
    Criterion.WITHDRAWAL: "Withdrawal",
}

# Tolerance and withdrawal are expected pharmacology when opioids are taken as prescribed.
SUPERVISION_EXEMPT = frozenset({Criterion.TOLERANCE, Criterion.WITHDRAWAL})


class OudSeverity(enum.StrEnum):
    """Severity of opioid use disorder; NONE means the diagnostic threshold is not met."""

    NONE = "none"
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"

    @property
    def rank(self) -> int:
        return list(OudSeverity).index(self)


@dataclass(frozen=True)
class OudSeverityRule:
    """Criterion counts at which each severity starts, and the ICD-10-CM code for each."""

    mild_from: int
    moderate_from: int
    severe_from: int
    icd10: dict[OudSeverity, str]
    source: str


PUBLISHED_DEFAULT = OudSeverityRule(
    mild_from=2,
    moderate_from=4,
    severe_from=6,
    icd10={OudSeverity.MILD: "F11.10", OudSeverity.MODERATE: "F11.20", OudSeverity.SEVERE: "F11.20"},
    source="APA DSM-5 (2013) / DSM-5-TR (2022), opioid use disorder; ICD-10-CM F11.10 / F11.20 (reference §3)",
)


@dataclass(frozen=True)
class OudAssessment:
    """The counted criteria, the severity, its code and why."""

    counted: frozenset[Criterion]
    severity: OudSeverity
    icd10: str | None
    reasons: tuple[str, ...]


def assess_oud(
    criteria_met: frozenset[Criterion],
    *,
    only_under_medical_supervision: bool,
    rule: OudSeverityRule = PUBLISHED_DEFAULT,
) -> OudAssessment:
    """Count the criteria (dropping tolerance and withdrawal under supervision) and band the count."""
    reasons: list[str] = []
    counted = criteria_met
    if only_under_medical_supervision:
        dropped = criteria_met & SUPERVISION_EXEMPT
        counted = criteria_met - SUPERVISION_EXEMPT
        if dropped:
            names = " and ".join(c.label.lower() for c in sorted(dropped, key=lambda c: c.number))
            reasons.append(
                f"{names.capitalize()} not counted: opioids taken only under appropriate medical supervision"
            )
    n = len(counted)
    if n >= rule.severe_from:
        severity = OudSeverity.SEVERE
    elif n >= rule.moderate_from:
        severity = OudSeverity.MODERATE
    elif n >= rule.mild_from:
        severity = OudSeverity.MILD
    else:
        severity = OudSeverity.NONE
    if severity is OudSeverity.NONE:
        reasons.append(f"{n} criteria met; at least {rule.mild_from} are needed for the diagnosis")
    else:
        reasons.append(f"{n} criteria met: {severity.value} opioid use disorder")
    return OudAssessment(counted=counted, severity=severity, icd10=rule.icd10.get(severity), reasons=tuple(reasons))
