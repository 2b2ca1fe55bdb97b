"""Phone-screen triage: emergency, admit, waitlist or refer out, with the rule behind each decision.

Pure: the coordinator's answers and whether a bed is free come in; a decision with its reasons and
rule ids comes out. The rules are data a facility can replace (reference §12-§14 and facility policy).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Substance(enum.StrEnum):
    """Substances asked about at the phone screen and at intake."""

    HEROIN = "heroin"
    FENTANYL = "fentanyl"
    PRESCRIPTION_OPIOIDS = "prescription_opioids"
    METHADONE = "methadone"
    BUPRENORPHINE = "buprenorphine"
    BENZODIAZEPINES = "benzodiazepines"
    ALCOHOL = "alcohol"
    STIMULANTS = "stimulants"

    @property
    def label(self) -> str:
        return _SUBSTANCE_LABELS[self]


_SUBSTANCE_LABELS = {
    Substance.HEROIN: "Heroin",
    Substance.FENTANYL: "Fentanyl or analogues",
    Substance.PRESCRIPTION_OPIOIDS: "Prescription opioids",
    Substance.METHADONE: "Methadone",
    Substance.BUPRENORPHINE: "Buprenorphine",
    Substance.BENZODIAZEPINES: "Benzodiazepines",
    Substance.ALCOHOL: "Alcohol",
    Substance.STIMULANTS: "Stimulants (cocaine, methamphetamine)",
}

# Co-use that brings its own withdrawal danger (seizures, delirium): reference §7 and §13.
SEDATIVES = frozenset({Substance.BENZODIAZEPINES, Substance.ALCOHOL})


class PregnancyAnswer(enum.StrEnum):
    """Pregnancy as answered on the phone or at intake."""

    NOT_APPLICABLE = "not_applicable"
    NO = "no"
    POSSIBLE = "possible"
    YES = "yes"

    @property
    def label(self) -> str:
        return {"not_applicable": "Not applicable", "no": "No", "possible": "Possible / unknown", "yes": "Yes"}[self]

    @property
    def counts_as_pregnant(self) -> bool:
        return self in (PregnancyAnswer.YES, PregnancyAnswer.POSSIBLE)


class TriageDecision(enum.StrEnum):
    """What the coordinator does next."""

    EMERGENCY = "emergency"
    # Current suicidal thoughts without a plan: a crisis assessment today (988 or the crisis team, by warm
    # hand-off), never the waitlist.
    SAME_DAY = "same_day"
    ADMIT = "admit"
    WAITLIST = "waitlist"
    REFER_OUT = "refer_out"


@dataclass(frozen=True)
class PhoneScreen:
    """The answers triage needs; everything else the coordinator logs is context for people."""

    substances: frozenset[Substance]
    hours_since_last_use: int | None = None
    prior_complicated_withdrawal: bool = False
    pregnancy: PregnancyAnswer = PregnancyAnswer.NOT_APPLICABLE
    suicidal_with_plan: bool = False
    suicidal_without_plan: bool = False
    overdose_now: bool = False
    chest_pain: bool = False
    breathing_difficulty: bool = False
    other_emergency_signs: bool = False
    has_housing: bool = True
    has_home_support: bool = True
    bed_available: bool = True
    wants_treatment: bool = True
    out_of_scope: bool = False


@dataclass(frozen=True)
class TriageRule:
    """One rule: its id, what it says and where it comes from."""

    rule_id: str
    text: str
    source: str


@dataclass(frozen=True)
class TriageRules:
    """The facility's triage rules; PUBLISHED_TRIAGE_RULES is the shipped default."""

    emergency_signs: TriageRule
    suicidal_ideation: TriageRule
    out_of_scope: TriageRule
    not_ready: TriageRule
    cannot_wait: TriageRule
    admit: TriageRule
    waitlist: TriageRule
    # Whether high-risk callers without a free bed go to a higher level of care instead of the waitlist.
    high_risk_cannot_wait: bool = True
    # Whether current suicidal thoughts without a plan are an emergency (911/988 now) rather than a
    # same-day assessment; either way they are never waitlisted.
    suicidal_ideation_is_emergency: bool = False
    suicidal_ideation_source: str = ""


SUICIDAL_IDEATION_SOURCE = (
    "SAMHSA TIP 50, Addressing Suicidal Thoughts and Behaviors in Substance Abuse Treatment (2009): act on "
    "suicidal thoughts the same day; 988 Suicide & Crisis Lifeline (reference §14)"
)


PUBLISHED_TRIAGE_RULES = TriageRules(
    emergency_signs=TriageRule(
        "T1-emergency",
        "Overdose now, chest pain, difficulty breathing, suicidal plan or intent, or other emergency signs: "
        "emergency services now (911; 988 for suicidal crisis)",
        "Facility policy (default); 988 and 911 per reference §14",
    ),
    suicidal_ideation=TriageRule(
        "T1b-suicidal-ideation",
        "Current thoughts of suicide without a plan: a same-day suicide risk assessment, by warm hand-off to 988 or "
        "the local crisis team while the caller is on the line; never the waitlist, whatever the beds",
        SUICIDAL_IDEATION_SOURCE,
    ),
    out_of_scope=TriageRule(
        "T2-out-of-scope",
        "Needs a service the program does not offer or lives outside its area: refer out",
        "Facility policy (default)",
    ),
    not_ready=TriageRule(
        "T3-not-ready",
        "Does not want treatment now: refer out with harm-reduction information, naloxone and hotlines",
        "Facility policy (default); naloxone for everyone with OUD, reference §10",
    ),
    cannot_wait=TriageRule(
        "T4-cannot-wait",
        "Pregnancy, benzodiazepine or alcohol co-use, or past complicated withdrawal with no bed free: refer to a "
        "higher level of care now rather than the waitlist",
        "Reference §11 (pregnancy: MOUD, obstetric care) and §13 (factors pushing toward higher levels of care)",
    ),
    admit=TriageRule(
        "T5-admit",
        "Wants withdrawal management, no emergency, a bed is free: admit (schedule the bed)",
        "Facility policy (default)",
    ),
    waitlist=TriageRule(
        "T6-waitlist",
        "Wants withdrawal management, no emergency, no bed free: waitlist and call back",
        "Facility policy (default)",
    ),
    suicidal_ideation_source=SUICIDAL_IDEATION_SOURCE,
)


@dataclass(frozen=True)
class TriageResult:
    """The decision, a reason per fact that drove it, and the ids of the rules that fired."""

    decision: TriageDecision
    reasons: tuple[str, ...]
    rule_ids: tuple[str, ...]


def _emergency_signs(screen: PhoneScreen) -> list[str]:
    signs = [
        (screen.overdose_now, "someone is overdosing or unresponsive now"),
        (screen.chest_pain, "chest pain"),
        (screen.breathing_difficulty, "difficulty breathing"),
        (screen.suicidal_with_plan, "thoughts of suicide with a plan or intent"),
        (screen.other_emergency_signs, "other emergency signs"),
    ]
    return [text for present, text in signs if present]


def _cannot_wait_factors(screen: PhoneScreen) -> list[str]:
    factors = []
    if screen.pregnancy.counts_as_pregnant:
        factors.append("pregnancy (yes or possible): medication treatment and obstetric care should not wait")
    for substance in sorted(screen.substances & SEDATIVES):
        factors.append(f"{substance.label.lower()} co-use: risk of seizures or delirium in withdrawal")
    if screen.prior_complicated_withdrawal:
        factors.append("past withdrawal with seizures or delirium")
    return factors


def triage(screen: PhoneScreen, rules: TriageRules = PUBLISHED_TRIAGE_RULES) -> TriageResult:
    """Decide the next step; emergency signs always win, whatever else was answered."""
    urgent = _emergency(screen, rules) or _suicidal_ideation(screen, rules)
    if urgent is not None:
        return urgent
    if screen.out_of_scope:
        return TriageResult(
            TriageDecision.REFER_OUT,
            ("Needs a service this program does not offer or lives outside its area",),
            (rules.out_of_scope.rule_id,),
        )
    if not screen.wants_treatment:
        return TriageResult(
            TriageDecision.REFER_OUT,
            ("Does not want treatment now: offer naloxone, harm-reduction information and the helplines",),
            (rules.not_ready.rule_id,),
        )
    if screen.bed_available:
        flags = [f"Flag for intake: {factor}" for factor in _cannot_wait_factors(screen)]
        return TriageResult(
            TriageDecision.ADMIT, ("A bed is free: schedule the admission", *flags), (rules.admit.rule_id,)
        )
    factors = _cannot_wait_factors(screen)
    if factors and rules.high_risk_cannot_wait:
        return TriageResult(
            TriageDecision.REFER_OUT,
            (
                *(f"No bed free and {factor}" for factor in factors),
                "Refer to a hospital or higher level of care now rather than the waitlist",
            ),
            (rules.cannot_wait.rule_id,),
        )
    return TriageResult(
        TriageDecision.WAITLIST,
        ("No bed is free: add to the waitlist and call back when one opens; give the helplines meanwhile",),
        (rules.waitlist.rule_id,),
    )


def _emergency(screen: PhoneScreen, rules: TriageRules) -> TriageResult | None:
    signs = _emergency_signs(screen)
    if not signs:
        return None
    reasons = tuple(f"Emergency sign: {sign}" for sign in signs) + (
        "Tell the caller to call 911 now (988 for a suicidal crisis); do not wait for a bed",
    )
    return TriageResult(TriageDecision.EMERGENCY, reasons, (rules.emergency_signs.rule_id,))


def _suicidal_ideation(screen: PhoneScreen, rules: TriageRules) -> TriageResult | None:
    """Suicidal thoughts without a plan come before beds, scope and readiness: they are acted on today."""
    if not screen.suicidal_without_plan:
        return None
    rule = rules.suicidal_ideation
    if rules.suicidal_ideation_is_emergency:
        return TriageResult(
            TriageDecision.EMERGENCY,
            (
                "Thoughts of suicide without a plan, which this facility treats as an emergency",
                "Connect the caller to 988 now (911 if in danger); do not wait for a bed",
            ),
            (rules.emergency_signs.rule_id, rule.rule_id),
        )
    reasons = [
        "Thoughts of suicide without a plan: a suicide risk assessment today, not the waitlist",
        "Warm hand-off to 988 or the crisis team while the caller is on the line; 911 if the risk rises",
    ]
    if screen.bed_available and screen.wants_treatment and not screen.out_of_scope:
        reasons.append("A bed is free: admission can follow once the assessment says it is safe")
    reasons += [f"Also: {factor}" for factor in _cannot_wait_factors(screen)]
    return TriageResult(TriageDecision.SAME_DAY, tuple(reasons), (rule.rule_id,))
