"""The stage state machine: every allowed move, every refusal and what it names."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from detoxflow.clinical.stages import (
    TRANSITIONS,
    CareSetting,
    DischargeType,
    EpisodeFacts,
    Stage,
    TransitionRefused,
    allowed_targets,
    check_transition,
)

READY = EpisodeFacts(stage=Stage.EVALUATION, care_setting=CareSetting.INPATIENT, has_bed=True)


@pytest.mark.parametrize(
    ("source", "target", "discharge"),
    [
        (Stage.PRE_ADMISSION, Stage.EVALUATION, None),
        (Stage.EVALUATION, Stage.STABILIZATION, None),
        (Stage.STABILIZATION, Stage.TAPERING, None),
        (Stage.STABILIZATION, Stage.AFTERCARE_PLANNING, None),
        (Stage.TAPERING, Stage.STABILIZATION, None),
        (Stage.TAPERING, Stage.AFTERCARE_PLANNING, None),
        (Stage.AFTERCARE_PLANNING, Stage.DISCHARGED, DischargeType.COMPLETED),
        (Stage.PRE_ADMISSION, Stage.DISCHARGED, DischargeType.ADMINISTRATIVE),
        (Stage.STABILIZATION, Stage.DISCHARGED, DischargeType.AGAINST_MEDICAL_ADVICE),
        (Stage.TAPERING, Stage.DISCHARGED, DischargeType.TRANSFER_TO_HIGHER_LEVEL),
    ],
    ids=str,
)
def test_allows_each_move_in_the_table(source, target, discharge):
    facts = EpisodeFacts(stage=source, care_setting=CareSetting.INPATIENT, has_bed=True)
    transition = check_transition(facts, target, reason="clinical note", discharge_type=discharge)
    assert (transition.source, transition.target) == (source, target)


@pytest.mark.parametrize(
    ("facts", "target", "discharge", "reason", "expected"),
    [
        (EpisodeFacts(Stage.PRE_ADMISSION), Stage.TAPERING, None, "x", "that move is not allowed"),
        (EpisodeFacts(Stage.DISCHARGED), Stage.EVALUATION, None, "x", "allowed from here: none"),
        (
            EpisodeFacts(Stage.EVALUATION),
            Stage.STABILIZATION,
            None,
            "x",
            "a detox method (care setting) must be chosen",
        ),
        (
            EpisodeFacts(Stage.EVALUATION, CareSetting.INPATIENT),
            Stage.STABILIZATION,
            None,
            "x",
            "an inpatient stay needs a bed assigned",
        ),
        (READY, Stage.STABILIZATION, None, "  ", "a reason for the change is required"),
        (EpisodeFacts(Stage.AFTERCARE_PLANNING), Stage.DISCHARGED, None, "x", "a discharge type is required"),
        (
            EpisodeFacts(Stage.STABILIZATION),
            Stage.DISCHARGED,
            DischargeType.COMPLETED,
            "x",
            "discharge type 'Completed' is not possible from this stage",
        ),
        (
            EpisodeFacts(Stage.PRE_ADMISSION),
            Stage.DISCHARGED,
            DischargeType.AGAINST_MEDICAL_ADVICE,
            "x",
            "discharge type 'Against medical advice' is not possible",
        ),
        (
            EpisodeFacts(Stage.PRE_ADMISSION),
            Stage.EVALUATION,
            DischargeType.COMPLETED,
            "x",
            "a discharge type is only given when discharging",
        ),
    ],
    ids=[
        "skips-stages",
        "from-discharged",
        "no-method",
        "inpatient-without-bed",
        "blank-reason",
        "discharge-without-type",
        "completed-before-aftercare",
        "ama-from-pre-admission",
        "type-without-discharge",
    ],
)
def test_refuses_and_names_what_is_missing(facts, target, discharge, reason, expected):
    with pytest.raises(TransitionRefused) as refused:
        check_transition(facts, target, reason=reason, discharge_type=discharge)
    assert refused.value.current is facts.stage
    assert refused.value.requested is target
    assert expected in refused.value.message
    assert facts.stage.label in refused.value.message
    assert target.label in refused.value.message


def test_outpatient_needs_no_bed_to_start_stabilization():
    facts = EpisodeFacts(Stage.EVALUATION, CareSetting.OUTPATIENT, has_bed=False)
    assert check_transition(facts, Stage.STABILIZATION, reason="outpatient induction").target is Stage.STABILIZATION


def test_discharged_is_final():
    assert allowed_targets(Stage.DISCHARGED) == ()


def test_completed_discharge_only_from_aftercare_planning():
    sources = {t.source for t in TRANSITIONS if DischargeType.COMPLETED in t.discharge_types}
    assert sources == {Stage.AFTERCARE_PLANNING}


@given(st.sampled_from(list(Stage)), st.sampled_from(list(Stage)))
def test_a_move_is_allowed_only_if_it_is_in_the_table(source, target):
    facts = EpisodeFacts(stage=source, care_setting=CareSetting.OUTPATIENT)
    discharge = (
        next(iter(sorted(t.discharge_types)), None)
        if (t := next((t for t in TRANSITIONS if t.source is source and t.target is target), None))
        else None
    )
    in_table = t is not None
    try:
        check_transition(facts, target, reason="r", discharge_type=discharge)
        allowed = True
    except TransitionRefused:
        allowed = False
    assert allowed == in_table


def test_every_stage_but_discharged_can_reach_discharge():
    for stage in Stage:
        if stage is not Stage.DISCHARGED:
            assert Stage.DISCHARGED in allowed_targets(stage), stage
