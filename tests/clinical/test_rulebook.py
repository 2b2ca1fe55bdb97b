"""Facility overrides of published rule values: bounds, kinds, and sources rewritten."""

import pytest

from detoxflow.clinical.dsm5 import Criterion, OudSeverity, assess_oud
from detoxflow.clinical.level_of_care import PUBLISHED_LEVEL_OF_CARE_RULES
from detoxflow.clinical.rulebook import RULEBOOK, RuleSet, RuleValueRejected, apply_override, check_values, configurable


def test_an_override_changes_the_value_and_says_where_it_came_from():
    rules = apply_override(RuleSet.LEVEL_OF_CARE, {"older_age_from": 70}, "Facility override v3 by Phil")
    assert rules.older_age_from == 70
    assert rules.older_age_source.startswith("Facility override v3 by Phil; published default 65 (")
    assert rules.qtc_source == PUBLISHED_LEVEL_OF_CARE_RULES.qtc_source


def test_an_unchanged_value_keeps_its_published_source():
    rules = apply_override(RuleSet.LEVEL_OF_CARE, {"older_age_from": 65}, "note")
    assert rules.older_age_source == PUBLISHED_LEVEL_OF_CARE_RULES.older_age_source


@pytest.mark.parametrize(
    ("rule_set", "values", "field", "message"),
    [
        (RuleSet.LEVEL_OF_CARE, {"older_age_from": 39}, "older_age_from", "from 40 to 100"),
        (RuleSet.LEVEL_OF_CARE, {"qtc_limit_ms": "450"}, "qtc_limit_ms", "whole number"),
        (RuleSet.LEVEL_OF_CARE, {"qtc_limit_ms": True}, "qtc_limit_ms", "whole number"),
        (RuleSet.LEVEL_OF_CARE, {"source": "x"}, "source", "not a configurable setting"),
        (RuleSet.DSM5_SEVERITY, {"mild_from": 1}, "mild_from", "fixed at 2"),
        (RuleSet.DSM5_SEVERITY, {"moderate_from": 5}, "moderate_from", "fixed at 4"),
        (RuleSet.TRIAGE, {"high_risk_cannot_wait": 1}, "high_risk_cannot_wait", "true or false"),
        (RuleSet.DOSE_SAFETY, {"induction_hours_methadone": 12}, "induction_hours_methadone", "from 24 to 168"),
        (RuleSet.DOSE_SAFETY, {"induction_hours_short_acting": 6}, "induction_hours_short_acting", "from 12 to 48"),
        (RuleSet.DOSE_SAFETY, {"qtc_warn_above": 500, "qtc_stop_from": 480}, "qtc_warn_above", "must be below"),
        (RuleSet.DOSE_SAFETY, {"qtc_warn_above": 500}, "qtc_warn_above", "must be below"),
        (RuleSet.DOSE_SAFETY, {"qt_risk_stop_from": 450}, "qt_risk_stop_from", "must be below"),
        (
            RuleSet.DOSE_SAFETY,
            {"induction_hours_short_acting": 36, "induction_hours_methadone": 30},
            "induction_hours_short_acting",
            "cannot be shorter than after heroin",
        ),
        (
            RuleSet.DOSE_SAFETY,
            {"induction_hours_fentanyl": 12, "induction_hours_short_acting": 18},
            "induction_hours_short_acting",
            "after fentanyl",
        ),
        (RuleSet.DOSE_SAFETY, {"induction_cows_fentanyl": 6}, "induction_cows_fentanyl", "cannot be lower"),
        (RuleSet.DOSE_SAFETY, {"methadone_first_dose_max_mg": 60}, "methadone_first_dose_max_mg", "from 10 to 50"),
        (
            RuleSet.DOSE_SAFETY,
            {"methadone_first_dose_max_mg": 50, "methadone_first_day_max_mg": 40},
            "methadone_first_dose_max_mg",
            "cannot be less than its first dose",
        ),
        (RuleSet.REASSESSMENT, {"symptomatic_hours": 12, "stable_hours": 8}, "symptomatic_hours", "at least as often"),
        (RuleSet.DOSE_TIMING, {"late_after_minutes": 120}, "late_after_minutes", "late before it shows as missed"),
        (RuleSet.FOLLOW_UP, {"first_call_day": 9, "second_call_day": 7}, "first_call_day", "in order"),
        (RuleSet.NALTREXONE, {"after_short_acting_days": 20}, "after_short_acting_days", "at least the short"),
    ],
    ids=[
        "below-bounds",
        "string",
        "bool-for-int",
        "unknown",
        "dsm5-mild-from-1",
        "dsm5-moderate-moved",
        "int-for-bool",
        "bup-12h-after-methadone",
        "bup-6h-after-heroin",
        "qtc-warn-above-stop",
        "qtc-warn-at-published-stop",
        "adjunct-qtc-stop-at-warn",
        "methadone-wait-shorter-than-heroin",
        "fentanyl-wait-shorter-than-heroin",
        "fentanyl-cows-below-heroin",
        "methadone-first-dose-above-2024-rule",
        "methadone-first-day-below-first-dose",
        "symptomatic-less-often-than-stable",
        "late-after-missed",
        "follow-up-calls-out-of-order",
        "naltrexone-long-acting-shorter",
    ],
)
def test_bad_values_are_refused_by_name(rule_set, values, field, message):
    with pytest.raises(RuleValueRejected) as rejected:
        check_values(rule_set, values)
    assert rejected.value.field == field
    assert message in rejected.value.message


def test_a_refused_set_names_every_value_at_fault():
    with pytest.raises(RuleValueRejected) as rejected:
        check_values(
            RuleSet.DOSE_SAFETY,
            {"qtc_warn_above": 520, "min_spo2": 50, "qt_risk_warn_above": 500, "qt_risk_stop_from": 490},
        )
    assert set(rejected.value.faults) == {"qtc_warn_above", "min_spo2", "qt_risk_warn_above", "qt_risk_stop_from"}


def test_dsm5_cut_points_stay_those_of_the_manual():
    # DSM-5: 2-3 criteria mild, 4-5 moderate, 6 or more severe (reference §3); one criterion is no diagnosis.
    rule = apply_override(RuleSet.DSM5_SEVERITY, {"mild_from": 2, "moderate_from": 4, "severe_from": 6}, "note")
    criteria = list(Criterion)
    severities = [
        assess_oud(frozenset(criteria[:n]), only_under_medical_supervision=False, rule=rule).severity for n in range(8)
    ]
    assert (
        severities
        == [OudSeverity.NONE, OudSeverity.NONE, *[OudSeverity.MILD] * 2, *[OudSeverity.MODERATE] * 2]
        + [OudSeverity.SEVERE] * 2
    )
    assert configurable(RuleSet.DSM5_SEVERITY) == ()


def test_a_methadone_first_dose_above_the_label_cites_the_2024_rule():
    rules = apply_override(RuleSet.DOSE_SAFETY, {"methadone_first_dose_max_mg": 40}, "Facility override v2 by Dr Oak")
    assert rules.methadone_first_dose_max_mg == 40
    assert "published default 30" in rules.methadone_start_source
    assert "42 CFR 8.12(h) as amended in 2024" in rules.methadone_start_source.split("published default 30")[1]
    lower = apply_override(RuleSet.DOSE_SAFETY, {"methadone_first_dose_max_mg": 20}, "note")
    assert "above the default on" not in lower.methadone_start_source


def test_every_configurable_default_passes_its_own_checks_and_names_a_source():
    for rule_set, (default, settings) in RULEBOOK.items():
        check_values(rule_set, {s.field: getattr(default, s.field) for s in configurable(rule_set)})
        for setting in settings:
            if setting.source_field:
                assert getattr(default, setting.source_field), (rule_set, setting.field)
