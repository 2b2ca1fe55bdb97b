"""Which published rule values a facility may change, within which bounds, and how a change is applied.

Pure: the facility's stored values come in as a dict; a rule dataclass of the same type comes out,
with the source of each changed value rewritten to say who changed it and from what default.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from typing import Any

from detoxflow.clinical.discharge import PUBLISHED_FOLLOW_UP_RULES, PUBLISHED_NALTREXONE_RULES
from detoxflow.clinical.dsm5 import PUBLISHED_DEFAULT as PUBLISHED_DSM5_RULE
from detoxflow.clinical.level_of_care import PUBLISHED_LEVEL_OF_CARE_RULES
from detoxflow.clinical.safety import PUBLISHED_SAFETY_RULES
from detoxflow.clinical.schedule import PUBLISHED_DOSE_TIMING, PUBLISHED_REASSESSMENT_RULES
from detoxflow.clinical.triage import PUBLISHED_TRIAGE_RULES


class RuleSet(enum.StrEnum):
    """The groups of configurable clinical rules."""

    LEVEL_OF_CARE = "level_of_care"
    DSM5_SEVERITY = "dsm5_severity"
    TRIAGE = "triage"
    REASSESSMENT = "reassessment"
    DOSE_TIMING = "dose_timing"
    FOLLOW_UP = "follow_up"
    NALTREXONE = "naltrexone"
    DOSE_SAFETY = "dose_safety"

    @property
    def label(self) -> str:
        return {
            "level_of_care": "Recommended detox method",
            "dsm5_severity": "DSM-5 OUD severity cut-points",
            "triage": "Phone-screen triage",
            "reassessment": "Withdrawal reassessment schedule",
            "dose_timing": "Late and missed scheduled doses",
            "follow_up": "Follow-up calls after discharge",
            "naltrexone": "Opioid-free interval before extended-release naltrexone",
            "dose_safety": "Dose safety check thresholds",
        }[self]


@dataclass(frozen=True)
class Setting:
    """One value a facility may change: its field on the rule, its words, its bounds, and its source field."""

    field: str
    label: str
    kind: type
    low: int = 0
    high: int = 0
    source_field: str | None = None


RULEBOOK: dict[RuleSet, tuple[Any, tuple[Setting, ...]]] = {
    RuleSet.LEVEL_OF_CARE: (
        PUBLISHED_LEVEL_OF_CARE_RULES,
        (
            Setting("older_age_from", "Age from which inpatient is recommended", int, 40, 100, "older_age_source"),
            Setting(
                "qtc_limit_ms", "QTc above which inpatient monitoring is recommended (ms)", int, 400, 520, "qtc_source"
            ),
            Setting(
                "methadone_mg_above_which_continue_methadone",
                "Methadone dose above which methadone is continued (mg/day)",
                int,
                10,
                120,
                "methadone_source",
            ),
            Setting("inpatient_cows_from", "COWS from which inpatient is recommended", int, 5, 48, "cows_source"),
        ),
    ),
    RuleSet.DSM5_SEVERITY: (
        PUBLISHED_DSM5_RULE,
        (
            Setting("mild_from", "Criteria for mild", int, 1, 11, "source"),
            Setting("moderate_from", "Criteria for moderate", int, 2, 11, "source"),
            Setting("severe_from", "Criteria for severe", int, 3, 11, "source"),
        ),
    ),
    RuleSet.REASSESSMENT: (
        PUBLISHED_REASSESSMENT_RULES,
        (
            Setting("after_dose_minutes", "Minutes after a dose to reassess", int, 15, 240, "source"),
            Setting(
                "after_dose_window_hours",
                "Hours after a dose that symptomatic patients stay hourly",
                int,
                1,
                24,
                "source",
            ),
            Setting("symptomatic_from", "COWS from which a patient counts as symptomatic", int, 1, 48, "source"),
            Setting("symptomatic_hours", "Hours between assessments while symptomatic", int, 1, 12, "source"),
            Setting("stable_hours", "Hours between assessments while stable", int, 2, 24, "source"),
            Setting(
                "overdue_after_minutes", "Minutes after the due time before it shows as overdue", int, 5, 240, "source"
            ),
        ),
    ),
    RuleSet.DOSE_TIMING: (
        PUBLISHED_DOSE_TIMING,
        (
            Setting("late_after_minutes", "Minutes past due before a dose shows as late", int, 5, 240, "source"),
            Setting("missed_after_minutes", "Minutes past due before a dose shows as missed", int, 30, 1440, "source"),
        ),
    ),
    RuleSet.FOLLOW_UP: (
        PUBLISHED_FOLLOW_UP_RULES,
        (
            Setting("first_call_day", "Day of the first call", int, 1, 14, "source"),
            Setting("second_call_day", "Day of the second call", int, 2, 30, "source"),
            Setting("third_call_day", "Day of the third call", int, 7, 180, "source"),
        ),
    ),
    RuleSet.NALTREXONE: (
        PUBLISHED_NALTREXONE_RULES,
        (
            Setting("after_short_acting_days", "Days after a short-acting opioid", int, 5, 30, "source"),
            Setting("after_long_acting_days", "Days after buprenorphine or methadone", int, 7, 30, "source"),
        ),
    ),
    RuleSet.DOSE_SAFETY: (
        PUBLISHED_SAFETY_RULES,
        (
            Setting(
                "induction_cows_short_acting",
                "First buprenorphine: COWS after heroin/short-acting",
                int,
                5,
                20,
                "induction_source",
            ),
            Setting(
                "induction_cows_fentanyl", "First buprenorphine: COWS after fentanyl", int, 5, 25, "induction_source"
            ),
            Setting(
                "induction_cows_methadone", "First buprenorphine: COWS after methadone", int, 5, 25, "induction_source"
            ),
            Setting(
                "induction_hours_short_acting",
                "First buprenorphine: hours after heroin/short-acting",
                int,
                6,
                48,
                "induction_source",
            ),
            Setting(
                "induction_hours_fentanyl", "First buprenorphine: hours after fentanyl", int, 6, 96, "induction_source"
            ),
            Setting(
                "induction_hours_methadone",
                "First buprenorphine: hours after methadone",
                int,
                12,
                168,
                "induction_source",
            ),
            Setting(
                "observation_fresh_minutes",
                "Minutes a COWS or vitals reading stays current",
                int,
                15,
                240,
                "induction_source",
            ),
            Setting("clonidine_hold_systolic", "Hold clonidine below systolic", int, 70, 120, "alpha2_source"),
            Setting("clonidine_hold_diastolic", "Hold clonidine below diastolic", int, 40, 80, "alpha2_source"),
            Setting("clonidine_hold_heart_rate", "Hold clonidine below heart rate", int, 40, 70, "alpha2_source"),
            Setting("lofexidine_hold_systolic", "Hold lofexidine below systolic", int, 70, 120, "alpha2_source"),
            Setting("lofexidine_hold_diastolic", "Hold lofexidine below diastolic", int, 40, 80, "alpha2_source"),
            Setting("lofexidine_hold_heart_rate", "Hold lofexidine below heart rate", int, 40, 70, "alpha2_source"),
            Setting(
                "min_respiratory_rate",
                "Hold opioids/benzodiazepines below respiratory rate",
                int,
                6,
                14,
                "sedation_source",
            ),
            Setting("min_spo2", "Hold opioids/benzodiazepines below SpO2 (%)", int, 85, 95, "sedation_source"),
            Setting("qtc_warn_above", "Warn before methadone above QTc (ms)", int, 400, 500, "qtc_source"),
            Setting("qtc_stop_from", "Stop methadone from QTc (ms)", int, 450, 550, "qtc_source"),
        ),
    ),
    RuleSet.TRIAGE: (
        PUBLISHED_TRIAGE_RULES,
        (Setting("high_risk_cannot_wait", "High-risk callers with no bed are referred out, not waitlisted", bool),),
    ),
}


class RuleValueRejected(Exception):
    """A configured value outside its bounds or of the wrong kind; names the setting."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def check_values(rule_set: RuleSet, values: dict[str, Any]) -> dict[str, Any]:
    """Return the values if every one is a known setting of the right kind within bounds, else raise."""
    default, settings = RULEBOOK[rule_set]
    known = {s.field: s for s in settings}
    for name, value in values.items():
        setting = known.get(name)
        if setting is None:
            raise RuleValueRejected(name, f"not a configurable setting of {rule_set.label}")
        if setting.kind is bool:
            if not isinstance(value, bool):
                raise RuleValueRejected(name, "must be true or false")
        elif isinstance(value, bool) or not isinstance(value, int) or not setting.low <= value <= setting.high:
            raise RuleValueRejected(
                name, f"{setting.label} must be a whole number from {setting.low} to {setting.high}"
            )
    if rule_set is RuleSet.DSM5_SEVERITY:
        merged = {s.field: values.get(s.field, getattr(default, s.field)) for s in settings}
        if not merged["mild_from"] < merged["moderate_from"] < merged["severe_from"]:
            raise RuleValueRejected("moderate_from", "cut-points must rise: mild < moderate < severe")
    return values


def apply_override(rule_set: RuleSet, values: dict[str, Any], note: str) -> Any:
    """The published rule with the facility's values in place and their sources rewritten with `note`."""
    default, settings = RULEBOOK[rule_set]
    check_values(rule_set, values)
    changes: dict[str, Any] = dict(values)
    for setting in settings:
        if (
            setting.field in values
            and setting.source_field
            and values[setting.field] != getattr(default, setting.field)
        ):
            original = getattr(default, setting.source_field)
            changes[setting.source_field] = f"{note}; published default {getattr(default, setting.field)} ({original})"
    return dataclasses.replace(default, **changes)
