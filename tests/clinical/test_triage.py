"""Phone-screen triage: every rule and reason, and emergency signs always winning."""

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from detoxflow.clinical.triage import (
    PUBLISHED_TRIAGE_RULES,
    PhoneScreen,
    PregnancyAnswer,
    Substance,
    TriageDecision,
    triage,
)

HEROIN = frozenset({Substance.HEROIN})
CALM = PhoneScreen(substances=HEROIN)


@pytest.mark.parametrize(
    ("changes", "decision", "rule", "reason"),
    [
        ({}, TriageDecision.ADMIT, "T5-admit", "A bed is free"),
        ({"bed_available": False}, TriageDecision.WAITLIST, "T6-waitlist", "add to the waitlist"),
        ({"overdose_now": True}, TriageDecision.EMERGENCY, "T1-emergency", "overdosing or unresponsive now"),
        ({"chest_pain": True}, TriageDecision.EMERGENCY, "T1-emergency", "Emergency sign: chest pain"),
        ({"breathing_difficulty": True}, TriageDecision.EMERGENCY, "T1-emergency", "difficulty breathing"),
        ({"suicidal_with_plan": True}, TriageDecision.EMERGENCY, "T1-emergency", "suicide with a plan or intent"),
        ({"other_emergency_signs": True}, TriageDecision.EMERGENCY, "T1-emergency", "other emergency signs"),
        ({"out_of_scope": True}, TriageDecision.REFER_OUT, "T2-out-of-scope", "does not offer"),
        ({"wants_treatment": False}, TriageDecision.REFER_OUT, "T3-not-ready", "offer naloxone"),
        (
            {"bed_available": False, "pregnancy": PregnancyAnswer.YES},
            TriageDecision.REFER_OUT,
            "T4-cannot-wait",
            "No bed free and pregnancy",
        ),
        (
            {"bed_available": False, "pregnancy": PregnancyAnswer.POSSIBLE},
            TriageDecision.REFER_OUT,
            "T4-cannot-wait",
            "pregnancy (yes or possible)",
        ),
        (
            {"bed_available": False, "substances": HEROIN | {Substance.BENZODIAZEPINES}},
            TriageDecision.REFER_OUT,
            "T4-cannot-wait",
            "benzodiazepines co-use",
        ),
        (
            {"bed_available": False, "substances": HEROIN | {Substance.ALCOHOL}},
            TriageDecision.REFER_OUT,
            "T4-cannot-wait",
            "alcohol co-use",
        ),
        (
            {"bed_available": False, "prior_complicated_withdrawal": True},
            TriageDecision.REFER_OUT,
            "T4-cannot-wait",
            "past withdrawal with seizures or delirium",
        ),
        ({"pregnancy": PregnancyAnswer.YES}, TriageDecision.ADMIT, "T5-admit", "Flag for intake: pregnancy"),
        (
            {"suicidal_without_plan": True},
            TriageDecision.SAME_DAY,
            "T1b-suicidal-ideation",
            "a suicide risk assessment today, not the waitlist",
        ),
        (
            {"suicidal_without_plan": True, "bed_available": False},
            TriageDecision.SAME_DAY,
            "T1b-suicidal-ideation",
            "Warm hand-off to 988 or the crisis team",
        ),
        (
            {"suicidal_without_plan": True, "wants_treatment": False},
            TriageDecision.SAME_DAY,
            "T1b-suicidal-ideation",
            "not the waitlist",
        ),
    ],
    ids=[
        "admit",
        "waitlist",
        "overdose",
        "chest-pain",
        "breathing",
        "suicidal-plan",
        "other-emergency",
        "out-of-scope",
        "not-ready",
        "pregnant-no-bed",
        "possibly-pregnant-no-bed",
        "benzo-no-bed",
        "alcohol-no-bed",
        "complicated-no-bed",
        "pregnant-with-bed",
        "suicidal-no-plan-bed-free",
        "suicidal-no-plan-no-bed",
        "suicidal-no-plan-not-ready",
    ],
)
def test_each_rule_gives_its_decision_and_reason(changes, decision, rule, reason):
    result = triage(dataclasses.replace(CALM, **changes))
    assert result.decision is decision
    assert result.rule_ids == (rule,)
    assert any(reason in r for r in result.reasons), result.reasons


def test_emergency_names_every_sign_and_the_numbers_to_call():
    result = triage(dataclasses.replace(CALM, chest_pain=True, breathing_difficulty=True))
    assert result.reasons[:2] == ("Emergency sign: chest pain", "Emergency sign: difficulty breathing")
    assert "911" in result.reasons[-1]
    assert "988" in result.reasons[-1]


screens = st.builds(
    PhoneScreen,
    substances=st.frozensets(st.sampled_from(list(Substance)), min_size=1),
    prior_complicated_withdrawal=st.booleans(),
    pregnancy=st.sampled_from(list(PregnancyAnswer)),
    suicidal_without_plan=st.booleans(),
    has_housing=st.booleans(),
    has_home_support=st.booleans(),
    bed_available=st.booleans(),
    wants_treatment=st.booleans(),
    out_of_scope=st.booleans(),
)
SIGNS = ["overdose_now", "chest_pain", "breathing_difficulty", "suicidal_with_plan", "other_emergency_signs"]


@given(screens, st.sampled_from(SIGNS))
def test_any_emergency_sign_always_wins(screen, sign):
    assert triage(dataclasses.replace(screen, **{sign: True})).decision is TriageDecision.EMERGENCY


@given(screens)
def test_without_emergency_signs_the_decision_is_never_emergency(screen):
    result = triage(screen)
    assert result.decision is not TriageDecision.EMERGENCY
    assert result.reasons


@given(screens)
def test_current_suicidal_thoughts_are_never_waitlisted_or_turned_away(screen):
    # SAMHSA TIP 50: suicidal thoughts are acted on the same day; 988 warm hand-off (reference §14).
    result = triage(dataclasses.replace(screen, suicidal_without_plan=True))
    assert result.decision in (TriageDecision.SAME_DAY, TriageDecision.EMERGENCY)
    assert any("988" in r for r in result.reasons)


def test_a_facility_can_make_suicidal_thoughts_without_a_plan_an_emergency():
    rules = dataclasses.replace(PUBLISHED_TRIAGE_RULES, suicidal_ideation_is_emergency=True)
    result = triage(dataclasses.replace(CALM, suicidal_without_plan=True, bed_available=False), rules)
    assert result.decision is TriageDecision.EMERGENCY
    assert "T1b-suicidal-ideation" in result.rule_ids


def test_the_suicidal_ideation_rule_names_its_source():
    assert "TIP 50" in PUBLISHED_TRIAGE_RULES.suicidal_ideation.source
    assert "988" in PUBLISHED_TRIAGE_RULES.suicidal_ideation.source
