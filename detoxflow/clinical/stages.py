"""The stages of a detox episode and the one table of allowed moves between them.

Pure: takes the facts about an episode as arguments and answers whether a move is
allowed, with what is missing when it is not. Services store the move; views show it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Stage(enum.StrEnum):
    """Where an episode of care stands, in the order a detox stay usually runs."""

    PRE_ADMISSION = "pre_admission"
    EVALUATION = "evaluation"
    STABILIZATION = "stabilization"
    TAPERING = "tapering"
    AFTERCARE_PLANNING = "aftercare_planning"
    DISCHARGED = "discharged"

    @property
    def label(self) -> str:
        return _STAGE_LABELS[self]


_STAGE_LABELS = {
    Stage.PRE_ADMISSION: "Pre-admission",
    Stage.EVALUATION: "Evaluation & intake",
    Stage.STABILIZATION: "Stabilization",
    Stage.TAPERING: "Tapering",
    Stage.AFTERCARE_PLANNING: "Aftercare planning",
    Stage.DISCHARGED: "Discharged",
}

ACTIVE_STAGES = frozenset(Stage) - {Stage.DISCHARGED}
# Stages in which the patient is on the unit and occupies a bed if the care setting is inpatient.
ON_UNIT_STAGES = frozenset({Stage.STABILIZATION, Stage.TAPERING, Stage.AFTERCARE_PLANNING})


class DischargeType(enum.StrEnum):
    """How a stay ended; reported separately in outcomes (completion vs. against advice)."""

    COMPLETED = "completed"
    AGAINST_MEDICAL_ADVICE = "against_medical_advice"
    TRANSFER_TO_HIGHER_LEVEL = "transfer_to_higher_level"
    ADMINISTRATIVE = "administrative"

    @property
    def label(self) -> str:
        return _DISCHARGE_LABELS[self]


_DISCHARGE_LABELS = {
    DischargeType.COMPLETED: "Completed",
    DischargeType.AGAINST_MEDICAL_ADVICE: "Against medical advice",
    DischargeType.TRANSFER_TO_HIGHER_LEVEL: "Transfer to higher level of care",
    DischargeType.ADMINISTRATIVE: "Administrative",
}


class CareSetting(enum.StrEnum):
    """Where withdrawal is managed. Unsupervised home detox is deliberately absent."""

    INPATIENT = "inpatient"
    OUTPATIENT = "outpatient"
    # Kept only so a physician override can be recorded truthfully; never recommended (reference §12).
    RAPID_UNDER_ANESTHESIA = "rapid_under_anesthesia"

    @property
    def label(self) -> str:
        return _SETTING_LABELS[self]


_SETTING_LABELS = {
    CareSetting.INPATIENT: "Inpatient, 24/7 medically monitored",
    CareSetting.OUTPATIENT: "Outpatient with scheduled check-ins",
    CareSetting.RAPID_UNDER_ANESTHESIA: "Rapid detox under anesthesia (physician override only)",
}


class WithdrawalMedication(enum.StrEnum):
    """The medicine family that carries the withdrawal, if any."""

    BUPRENORPHINE = "buprenorphine"
    METHADONE = "methadone"
    ALPHA2_AGONIST = "alpha2_agonist"
    SYMPTOMATIC_ONLY = "symptomatic_only"
    # Recommended only: a fact that decides the medicine is missing (e.g. the methadone dose), so none is
    # chosen until it is verified. A decision can never be this.
    PENDING_VERIFICATION = "pending_verification"

    @property
    def label(self) -> str:
        return _MEDICATION_LABELS[self]


_MEDICATION_LABELS = {
    WithdrawalMedication.BUPRENORPHINE: "Buprenorphine-assisted",
    WithdrawalMedication.METHADONE: "Methadone-assisted",
    WithdrawalMedication.ALPHA2_AGONIST: "Alpha-2 agonist (clonidine/lofexidine)",
    WithdrawalMedication.SYMPTOMATIC_ONLY: "Symptomatic medicines only",
    WithdrawalMedication.PENDING_VERIFICATION: "Not chosen yet: verify the missing fact first",
}


@dataclass(frozen=True)
class EpisodeFacts:
    """What the state machine needs to know about an episode to judge a move."""

    stage: Stage
    care_setting: CareSetting | None = None
    has_bed: bool = False


@dataclass(frozen=True)
class Transition:
    """One allowed move; `discharge_types` is set only for moves into DISCHARGED."""

    source: Stage
    target: Stage
    discharge_types: frozenset[DischargeType] = frozenset()


_ANY_EARLY_DISCHARGE = frozenset(
    {
        DischargeType.AGAINST_MEDICAL_ADVICE,
        DischargeType.TRANSFER_TO_HIGHER_LEVEL,
        DischargeType.ADMINISTRATIVE,
    }
)

TRANSITIONS: tuple[Transition, ...] = (
    Transition(Stage.PRE_ADMISSION, Stage.EVALUATION),
    Transition(Stage.EVALUATION, Stage.STABILIZATION),
    Transition(Stage.STABILIZATION, Stage.TAPERING),
    # Maintenance is an alternative to tapering (reference §9): a stabilized patient may go
    # straight to aftercare planning and continue medication in the community.
    Transition(Stage.STABILIZATION, Stage.AFTERCARE_PLANNING),
    # A taper is held and the patient restabilized when withdrawal returns.
    Transition(Stage.TAPERING, Stage.STABILIZATION),
    Transition(Stage.TAPERING, Stage.AFTERCARE_PLANNING),
    Transition(Stage.AFTERCARE_PLANNING, Stage.DISCHARGED, frozenset(DischargeType)),
    # A person who never arrives, or is referred elsewhere, leaves pre-admission administratively.
    Transition(Stage.PRE_ADMISSION, Stage.DISCHARGED, frozenset({DischargeType.ADMINISTRATIVE})),
    Transition(Stage.EVALUATION, Stage.DISCHARGED, _ANY_EARLY_DISCHARGE),
    Transition(Stage.STABILIZATION, Stage.DISCHARGED, _ANY_EARLY_DISCHARGE),
    Transition(Stage.TAPERING, Stage.DISCHARGED, _ANY_EARLY_DISCHARGE),
)


class TransitionRefused(Exception):
    """A requested stage change that the table or its preconditions do not allow."""

    field = "stage"

    def __init__(self, current: Stage, requested: Stage, missing: tuple[str, ...]) -> None:
        self.current = current
        self.requested = requested
        self.missing = missing
        self.message = f"Cannot move from {current.label} to {requested.label}: " + "; ".join(missing) + "."
        super().__init__(self.message)


def allowed_targets(stage: Stage) -> tuple[Stage, ...]:
    """The stages reachable from `stage` in one move, in table order."""
    return tuple(t.target for t in TRANSITIONS if t.source is stage)


def check_transition(
    facts: EpisodeFacts,
    target: Stage,
    *,
    reason: str,
    discharge_type: DischargeType | None = None,
) -> Transition:
    """Return the transition if the move is allowed, else raise TransitionRefused naming what is missing."""
    transition = next((t for t in TRANSITIONS if t.source is facts.stage and t.target is target), None)
    if transition is None:
        reachable = ", ".join(s.label for s in allowed_targets(facts.stage)) or "none"
        raise TransitionRefused(facts.stage, target, (f"that move is not allowed (allowed from here: {reachable})",))

    missing: list[str] = []
    if not reason.strip():
        missing.append("a reason for the change is required")
    if target is Stage.DISCHARGED:
        if discharge_type is None:
            missing.append("a discharge type is required")
        elif discharge_type not in transition.discharge_types:
            allowed = ", ".join(sorted(d.label for d in transition.discharge_types))
            missing.append(
                f"discharge type '{discharge_type.label}' is not possible from this stage (allowed: {allowed})"
            )
    elif discharge_type is not None:
        missing.append("a discharge type is only given when discharging")
    if target is Stage.STABILIZATION and facts.stage is Stage.EVALUATION:
        if facts.care_setting is None:
            missing.append("a detox method (care setting) must be chosen first")
        elif facts.care_setting is CareSetting.INPATIENT and not facts.has_bed:
            missing.append("an inpatient stay needs a bed assigned")
    if missing:
        raise TransitionRefused(facts.stage, target, tuple(missing))
    return transition
