"""Recommended detox method: every factor and its reason, the medicine family, and what is never recommended."""

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from detoxflow.clinical.dsm5 import OudSeverity
from detoxflow.clinical.level_of_care import (
    PUBLISHED_LEVEL_OF_CARE_RULES,
    RAPID_DETOX_RISK_STATEMENT,
    IntakeFacts,
    recommend_detox_method,
)
from detoxflow.clinical.stages import CareSetting, WithdrawalMedication
from detoxflow.clinical.triage import PregnancyAnswer, Substance

HEROIN = frozenset({Substance.HEROIN})
STABLE = IntakeFacts(substances=HEROIN, oud_severity=OudSeverity.SEVERE, age=34)


def test_uncomplicated_heroin_use_with_support_is_outpatient_buprenorphine():
    rec = recommend_detox_method(STABLE)
    assert (rec.setting, rec.medication, rec.medication_assisted) == (
        CareSetting.OUTPATIENT,
        WithdrawalMedication.BUPRENORPHINE,
        True,
    )
    assert [r.effect for r in rec.reasons] == ["outpatient", "buprenorphine"]


@pytest.mark.parametrize(
    ("changes", "factor"),
    [
        ({"substances": HEROIN | {Substance.BENZODIAZEPINES}}, "benzodiazepines co-use"),
        ({"substances": HEROIN | {Substance.ALCOHOL}}, "alcohol co-use"),
        ({"prior_complicated_withdrawal": True}, "past complicated withdrawal"),
        ({"failed_outpatient_attempts": True}, "repeated failed outpatient attempts"),
        ({"cardiac_disease": True}, "cardiac disease"),
        ({"qtc_ms": 451}, "QTc 451 ms"),
        ({"respiratory_disease": True}, "respiratory disease"),
        ({"liver_disease": True}, "liver disease"),
        ({"active_infection": True}, "active infection"),
        ({"pregnancy": PregnancyAnswer.YES}, "pregnancy"),
        ({"pregnancy": PregnancyAnswer.POSSIBLE}, "pregnancy"),
        ({"suicidality": True}, "suicidal thoughts"),
        ({"psychosis": True}, "psychosis"),
        ({"substances": HEROIN | {Substance.FENTANYL}}, "fentanyl use"),
        ({"substances": HEROIN | {Substance.METHADONE}, "methadone_daily_mg": 20}, "methadone use"),
        ({"safe_housing": False}, "no safe housing"),
        ({"home_support": False}, "no support at home"),
        ({"can_attend_daily": False}, "cannot attend daily"),
        ({"age": 65}, "age 65"),
        ({"current_cows": 25}, "COWS 25"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_each_risk_factor_recommends_inpatient_and_names_itself(changes, factor):
    rec = recommend_detox_method(dataclasses.replace(STABLE, **changes))
    assert rec.setting is CareSetting.INPATIENT
    inpatient = [r for r in rec.reasons if r.effect == "inpatient"]
    assert [r.factor for r in inpatient] == [factor]
    assert inpatient[0].text.endswith("→ inpatient")
    assert inpatient[0].source


@pytest.mark.parametrize(
    "changes",
    [{"qtc_ms": 450}, {"age": 64}, {"current_cows": 24}, {"pregnancy": PregnancyAnswer.NO}],
    ids=["qtc-at-limit", "age-64", "cows-24", "not-pregnant"],
)
def test_values_just_inside_a_threshold_stay_outpatient(changes):
    assert recommend_detox_method(dataclasses.replace(STABLE, **changes)).setting is CareSetting.OUTPATIENT


@pytest.mark.parametrize(
    ("dose", "medication"),
    [(30, WithdrawalMedication.BUPRENORPHINE), (31, WithdrawalMedication.METHADONE)],
    ids=["30-mg", "31-mg"],
)
def test_methadone_above_the_configured_dose_continues_methadone(dose, medication):
    facts = dataclasses.replace(STABLE, substances=HEROIN | {Substance.METHADONE}, methadone_daily_mg=dose)
    rec = recommend_detox_method(facts)
    assert rec.medication is medication


def test_pregnancy_routes_to_medication_treatment_and_says_so():
    rec = recommend_detox_method(
        dataclasses.replace(STABLE, pregnancy=PregnancyAnswer.YES, declines_opioid_agonist=True)
    )
    assert rec.pregnancy_route_to_mat
    assert rec.medication is WithdrawalMedication.BUPRENORPHINE
    assert any("recommended over withdrawal management" in r.text and "ACOG" in r.source for r in rec.reasons)


def test_declining_agonists_gives_an_alpha2_agonist_with_its_reason():
    rec = recommend_detox_method(dataclasses.replace(STABLE, declines_opioid_agonist=True))
    assert (rec.medication, rec.medication_assisted) == (WithdrawalMedication.ALPHA2_AGONIST, False)
    assert any("less effective" in r.text for r in rec.reasons)


def test_below_the_diagnostic_threshold_asks_for_review():
    rec = recommend_detox_method(dataclasses.replace(STABLE, oud_severity=OudSeverity.NONE))
    assert rec.reasons[-1].effect == "review"


def test_rapid_detox_risk_statement_cites_its_evidence():
    assert "Collins et al., JAMA 2005" in RAPID_DETOX_RISK_STATEMENT
    assert "MMWR" in RAPID_DETOX_RISK_STATEMENT


facts_strategy = st.builds(
    IntakeFacts,
    substances=st.frozensets(st.sampled_from(list(Substance)), min_size=1),
    oud_severity=st.sampled_from(list(OudSeverity)),
    age=st.integers(min_value=16, max_value=95),
    methadone_daily_mg=st.none() | st.integers(min_value=0, max_value=200),
    prior_complicated_withdrawal=st.booleans(),
    cardiac_disease=st.booleans(),
    qtc_ms=st.none() | st.integers(min_value=350, max_value=600),
    pregnancy=st.sampled_from(list(PregnancyAnswer)),
    suicidality=st.booleans(),
    safe_housing=st.booleans(),
    home_support=st.booleans(),
    can_attend_daily=st.booleans(),
    current_cows=st.none() | st.integers(min_value=0, max_value=48),
    declines_opioid_agonist=st.booleans(),
)
RISKS = [
    {"prior_complicated_withdrawal": True},
    {"failed_outpatient_attempts": True},
    {"cardiac_disease": True},
    {"respiratory_disease": True},
    {"liver_disease": True},
    {"active_infection": True},
    {"pregnancy": PregnancyAnswer.YES},
    {"suicidality": True},
    {"psychosis": True},
    {"safe_housing": False},
    {"home_support": False},
    {"can_attend_daily": False},
    {"age": 90},
    {"current_cows": 48},
    {"qtc_ms": 520},
]
ORDER = {CareSetting.OUTPATIENT: 0, CareSetting.INPATIENT: 1}


@given(facts_strategy, st.sampled_from(RISKS))
def test_adding_a_risk_factor_never_lowers_the_setting(facts, risk):
    before = recommend_detox_method(facts).setting
    after = recommend_detox_method(dataclasses.replace(facts, **risk)).setting
    assert ORDER[after] >= ORDER[before]


@given(facts_strategy)
def test_rapid_detox_and_unsupervised_home_detox_are_never_recommended(facts):
    rec = recommend_detox_method(facts)
    assert rec.setting in (CareSetting.INPATIENT, CareSetting.OUTPATIENT)
    assert all(r.source for r in rec.reasons)


def test_every_threshold_names_its_source():
    rules = PUBLISHED_LEVEL_OF_CARE_RULES
    assert all([rules.older_age_source, rules.qtc_source, rules.methadone_source, rules.cows_source])


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"pregnancy": PregnancyAnswer.YES},
        {"declines_opioid_agonist": True},
        {"substances": frozenset({Substance.METHADONE})},
        {"substances": HEROIN | {Substance.METHADONE, Substance.FENTANYL}},
    ],
    ids=["heroin-and-methadone", "pregnant", "declines-agonists", "methadone-only", "with-fentanyl"],
)
def test_methadone_with_an_unknown_dose_names_the_missing_fact_and_recommends_no_buprenorphine(changes):
    # Buprenorphine labels: precipitated withdrawal is more likely above 30 mg/day of methadone (reference §4),
    # so the dose decides the medicine and must be verified first.
    facts = dataclasses.replace(STABLE, substances=HEROIN | {Substance.METHADONE}, methadone_daily_mg=None)
    rec = recommend_detox_method(dataclasses.replace(facts, **changes))
    assert rec.medication is WithdrawalMedication.PENDING_VERIFICATION
    assert not rec.medication_assisted
    assert rec.missing_facts == ("methadone daily dose unknown",)
    reason = next(r for r in rec.reasons if r.factor == "methadone daily dose unknown")
    assert reason.text.startswith(
        "Methadone daily dose unknown: verify with the dispensing program before choosing a medicine"
    )
    assert "30 mg/day" in reason.text


@pytest.mark.parametrize(("dose", "medication"), [(0, "buprenorphine"), (30, "buprenorphine"), (31, "methadone")])
def test_a_known_methadone_dose_decides_again(dose, medication):
    facts = dataclasses.replace(STABLE, substances=HEROIN | {Substance.METHADONE}, methadone_daily_mg=dose)
    rec = recommend_detox_method(facts)
    assert rec.medication.value == medication
    assert rec.missing_facts == ()


@given(facts_strategy)
def test_buprenorphine_is_never_recommended_while_the_methadone_dose_is_unknown(facts):
    rec = recommend_detox_method(facts)
    if Substance.METHADONE in facts.substances and facts.methadone_daily_mg is None:
        assert rec.medication is not WithdrawalMedication.BUPRENORPHINE
        assert rec.missing_facts
