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
    """One value a facility may change: its field on the rule, its words, its bounds, and its source field.

    `low == high` marks a value the source fixes (it is shown, never changed). `above_default_source`
    is the authority a value above the published default rests on, written into its source.
    """

    field: str
    label: str
    kind: type
    low: int = 0
    high: int = 0
    source_field: str | None = None
    above_default_source: str | None = None

    @property
    def fixed(self) -> bool:
        return self.kind is not bool and self.low == self.high


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
            # Fixed by the manual: 2-3 mild, 4-5 moderate, 6 or more severe (reference §3).
            Setting("mild_from", "Criteria for mild (the diagnostic threshold)", int, 2, 2, "source"),
            Setting("moderate_from", "Criteria for moderate", int, 4, 4, "source"),
            Setting("severe_from", "Criteria for severe", int, 6, 6, "source"),
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
                12,
                48,
                "induction_source",
            ),
            Setting(
                "induction_hours_fentanyl", "First buprenorphine: hours after fentanyl", int, 12, 96, "induction_source"
            ),
            Setting(
                "induction_hours_methadone",
                "First buprenorphine: hours after methadone",
                int,
                24,
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
            Setting(
                "qt_risk_warn_above",
                "Warn before a QT-prolonging adjunct above QTc (ms)",
                int,
                400,
                500,
                "qt_risk_source",
            ),
            Setting("qt_risk_stop_from", "Stop a QT-prolonging adjunct from QTc (ms)", int, 450, 550, "qt_risk_source"),
            Setting(
                "methadone_first_dose_max_mg",
                "First methadone dose at most (mg)",
                int,
                10,
                50,
                "methadone_start_source",
                "42 CFR 8.12(h) as amended in 2024 (89 FR 7528): initial dose up to 50 mg in an OTP",
            ),
            Setting(
                "methadone_first_day_max_mg",
                "Methadone on the first day at most (mg)",
                int,
                20,
                80,
                "methadone_start_source",
                "42 CFR 8.12(h) as amended in 2024 (89 FR 7528), which dropped the separate 40 mg first-day cap",
            ),
            Setting(
                "benzodiazepine_use_within_hours",
                "Warn before opioids after benzodiazepine use within (hours)",
                int,
                24,
                720,
                "sedative_use_source",
            ),
            Setting(
                "alcohol_use_within_hours",
                "Warn before opioids after alcohol use within (hours)",
                int,
                6,
                168,
                "sedative_use_source",
            ),
            Setting(
                "acetaminophen_liver_daily_max_mg",
                "Acetaminophen 24-hour maximum with liver disease or heavy alcohol use (mg)",
                int,
                1000,
                3000,
                "acetaminophen_liver_source",
            ),
        ),
    ),
    RuleSet.TRIAGE: (
        PUBLISHED_TRIAGE_RULES,
        (
            Setting("high_risk_cannot_wait", "High-risk callers with no bed are referred out, not waitlisted", bool),
            Setting(
                "suicidal_ideation_is_emergency",
                "Suicidal thoughts without a plan are an emergency (otherwise a same-day assessment; never waitlisted)",
                bool,
                source_field="suicidal_ideation_source",
            ),
        ),
    ),
}


def configurable(rule_set: RuleSet) -> tuple[Setting, ...]:
    """The settings of `rule_set` a facility may change (those its source fixes are only shown)."""
    return tuple(s for s in RULEBOOK[rule_set][1] if not s.fixed)


class RuleValueRejected(Exception):
    """Configured values outside their bounds, of the wrong kind, or contradicting each other.

    `faults` names every setting at fault, in the rulebook's order; `field` and `message` are the first.
    """

    def __init__(self, faults: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in faults.items()))
        self.faults = faults
        self.field, self.message = next(iter(faults.items()))


# Pairs the sources order: (lower field, higher field, strictly, why). Each holds for the merged values.
_ORDERINGS: dict[RuleSet, tuple[tuple[str, str, bool, str], ...]] = {
    RuleSet.DOSE_SAFETY: (
        ("qtc_warn_above", "qtc_stop_from", True, "the methadone QTc warning must come below its stop"),
        ("qt_risk_warn_above", "qt_risk_stop_from", True, "the adjunct QTc warning must come below its stop"),
        (
            "induction_hours_short_acting",
            "induction_hours_methadone",
            False,
            "the wait after methadone cannot be shorter than after heroin (reference §4)",
        ),
        (
            "induction_hours_short_acting",
            "induction_hours_fentanyl",
            False,
            "the wait after fentanyl cannot be shorter than after heroin (reference §4)",
        ),
        (
            "induction_cows_short_acting",
            "induction_cows_methadone",
            False,
            "the COWS after methadone cannot be lower than after heroin (reference §4)",
        ),
        (
            "induction_cows_short_acting",
            "induction_cows_fentanyl",
            False,
            "the COWS after fentanyl cannot be lower than after heroin (reference §4)",
        ),
        (
            "methadone_first_dose_max_mg",
            "methadone_first_day_max_mg",
            False,
            "the first day's methadone cannot be less than its first dose",
        ),
    ),
    RuleSet.REASSESSMENT: (
        (
            "symptomatic_hours",
            "stable_hours",
            False,
            "symptomatic patients are assessed at least as often as stable ones",
        ),
    ),
    RuleSet.DOSE_TIMING: (
        ("late_after_minutes", "missed_after_minutes", True, "a dose shows as late before it shows as missed"),
    ),
    RuleSet.FOLLOW_UP: (
        ("first_call_day", "second_call_day", True, "the calls come in order"),
        ("second_call_day", "third_call_day", True, "the calls come in order"),
    ),
    RuleSet.NALTREXONE: (
        (
            "after_short_acting_days",
            "after_long_acting_days",
            False,
            "buprenorphine and methadone need at least the short-acting interval (reference §10)",
        ),
    ),
}


def check_values(rule_set: RuleSet, values: dict[str, Any]) -> dict[str, Any]:
    """Return the values if each is a known setting of the right kind within bounds and the whole set agrees
    with the orderings its sources require; else raise naming every value at fault."""
    default, settings = RULEBOOK[rule_set]
    faults = _value_faults(rule_set, settings, values)
    valid = {name: value for name, value in values.items() if name not in faults}
    for name, message in _ordering_faults(rule_set, default, settings, valid).items():
        faults.setdefault(name, message)
    if faults:
        order = [s.field for s in settings]
        raise RuleValueRejected(
            dict(sorted(faults.items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order)))
        )
    return values


def _value_faults(rule_set: RuleSet, settings: tuple[Setting, ...], values: dict[str, Any]) -> dict[str, str]:
    known = {s.field: s for s in settings}
    faults: dict[str, str] = {}
    for name, value in values.items():
        setting = known.get(name)
        if setting is None:
            faults[name] = f"not a configurable setting of {rule_set.label}"
        elif setting.kind is bool:
            if not isinstance(value, bool):
                faults[name] = "must be true or false"
        elif setting.fixed and value != setting.low:
            faults[name] = f"{setting.label} is fixed at {setting.low} by its source and cannot be changed"
        elif isinstance(value, bool) or not isinstance(value, int) or not setting.low <= value <= setting.high:
            faults[name] = f"{setting.label} must be a whole number from {setting.low} to {setting.high}"
    return faults


def _ordering_faults(
    rule_set: RuleSet, default: Any, settings: tuple[Setting, ...], values: dict[str, Any]
) -> dict[str, str]:
    known = {s.field: s for s in settings}
    merged = {s.field: values.get(s.field, getattr(default, s.field)) for s in settings}
    faults: dict[str, str] = {}
    # A value refused on its own is left out of `values`, so its published default stands in for it here.
    for low, high, strictly, why in _ORDERINGS.get(rule_set, ()):
        if merged[low] < merged[high] or (not strictly and merged[low] == merged[high]):
            continue
        relation = "below" if strictly else "at or below"
        message = f"{known[low].label} ({merged[low]}) must be {relation} {known[high].label} ({merged[high]}): {why}"
        # Name the values the facility gave; the published one it contradicts is named in the message.
        for field in [f for f in (low, high) if f in values] or [high]:
            faults.setdefault(field, message)
    return faults


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
            published = getattr(default, setting.field)
            authority = (
                f"; above the default on {setting.above_default_source}"
                if setting.above_default_source and values[setting.field] > published
                else ""
            )
            if setting.source_field in changes:  # a second changed value sharing this source
                changes[setting.source_field] += f"; {setting.label}: published default {published}{authority}"
            else:
                original = getattr(default, setting.source_field)
                changes[setting.source_field] = f"{note}; published default {published} ({original}){authority}"
    return dataclasses.replace(default, **changes)
