"""DSM-5 opioid use disorder: every severity boundary and the medical-supervision rule."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from detoxflow.clinical.dsm5 import PUBLISHED_DEFAULT, Criterion, OudSeverity, OudSeverityRule, assess_oud

ORDER = list(Criterion)


@pytest.mark.parametrize(
    ("count", "severity", "icd10"),
    [
        (0, OudSeverity.NONE, None),
        (1, OudSeverity.NONE, None),
        (2, OudSeverity.MILD, "F11.10"),
        (3, OudSeverity.MILD, "F11.10"),
        (4, OudSeverity.MODERATE, "F11.20"),
        (5, OudSeverity.MODERATE, "F11.20"),
        (6, OudSeverity.SEVERE, "F11.20"),
        (11, OudSeverity.SEVERE, "F11.20"),
    ],
    ids=str,
)
def test_severity_at_each_boundary(count, severity, icd10):
    result = assess_oud(frozenset(ORDER[:count]), only_under_medical_supervision=False)
    assert (result.severity, result.icd10) == (severity, icd10)
    assert f"{count} criteria met" in result.reasons[-1]


def test_tolerance_and_withdrawal_do_not_count_under_medical_supervision():
    met = frozenset({Criterion.CRAVING, Criterion.TOLERANCE, Criterion.WITHDRAWAL})
    supervised = assess_oud(met, only_under_medical_supervision=True)
    assert supervised.severity is OudSeverity.NONE
    assert supervised.counted == {Criterion.CRAVING}
    assert "Tolerance and withdrawal not counted" in supervised.reasons[0]
    assert assess_oud(met, only_under_medical_supervision=False).severity is OudSeverity.MILD


def test_supervision_rule_says_nothing_when_neither_criterion_is_ticked():
    result = assess_oud(frozenset(ORDER[:4]), only_under_medical_supervision=True)
    assert result.severity is OudSeverity.MODERATE
    assert len(result.reasons) == 1


def test_a_facility_rule_moves_the_cut_points():
    strict = OudSeverityRule(mild_from=3, moderate_from=5, severe_from=7, icd10=PUBLISHED_DEFAULT.icd10, source="x")
    assert assess_oud(frozenset(ORDER[:2]), only_under_medical_supervision=False, rule=strict).severity is (
        OudSeverity.NONE
    )


def test_criteria_are_numbered_as_in_the_manual():
    assert [c.number for c in Criterion] == list(range(1, 12))
    assert Criterion.TOLERANCE.number == 10


@given(st.sets(st.sampled_from(ORDER)), st.sampled_from(ORDER), st.booleans())
def test_more_criteria_never_lower_severity(met, extra, supervised):
    before = assess_oud(frozenset(met), only_under_medical_supervision=supervised).severity
    after = assess_oud(frozenset(met | {extra}), only_under_medical_supervision=supervised).severity
    assert after.rank >= before.rank
