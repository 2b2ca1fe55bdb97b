"""Facility overrides of published rule values: bounds, kinds, and sources rewritten."""

import pytest

from detoxflow.clinical.dsm5 import Criterion, OudSeverity, assess_oud
from detoxflow.clinical.level_of_care import PUBLISHED_LEVEL_OF_CARE_RULES
from detoxflow.clinical.rulebook import RuleSet, RuleValueRejected, apply_override, check_values


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
        (RuleSet.DSM5_SEVERITY, {"moderate_from": 7}, "moderate_from", "mild < moderate < severe"),
        (RuleSet.TRIAGE, {"high_risk_cannot_wait": 1}, "high_risk_cannot_wait", "true or false"),
    ],
    ids=["below-bounds", "string", "bool-for-int", "unknown", "cut-points-not-rising", "int-for-bool"],
)
def test_bad_values_are_refused_by_name(rule_set, values, field, message):
    with pytest.raises(RuleValueRejected) as rejected:
        check_values(rule_set, values)
    assert rejected.value.field == field
    assert message in rejected.value.message


def test_a_dsm5_override_moves_the_severity():
    rule = apply_override(RuleSet.DSM5_SEVERITY, {"mild_from": 3, "moderate_from": 5, "severe_from": 7}, "note")

    assert assess_oud(frozenset(list(Criterion)[:6]), only_under_medical_supervision=False, rule=rule).severity is (
        OudSeverity.MODERATE
    )
