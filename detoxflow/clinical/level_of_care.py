"""The recommended detox method: care setting, medicine family, and every reason tied to its intake answer.

Pure: our own factor rules over the public level-of-care concepts (reference §13; the ASAM Criteria
text is copyrighted and not encoded). Rapid detox under anesthesia and unsupervised home withdrawal
are never recommended (reference §12).
"""

from __future__ import annotations

from dataclasses import dataclass

from detoxflow.clinical.dsm5 import OudSeverity
from detoxflow.clinical.stages import CareSetting, WithdrawalMedication
from detoxflow.clinical.triage import SEDATIVES, PregnancyAnswer, Substance

RAPID_DETOX_RISK_STATEMENT = (
    "Rapid and ultra-rapid detoxification under anesthesia is not recommended (ASAM public policy statement "
    "2000, rev. 2005; ASAM National Practice Guideline 2015/2020). It showed no advantage over buprenorphine- or "
    "clonidine-assisted withdrawal and caused potentially life-threatening adverse events (Collins et al., JAMA "
    "2005); one New York City clinic had 2 deaths and 5 hospitalisations in 75 procedures (CDC MMWR "
    "2013;62(38):777). Recording it requires a physician, a written justification and a high-risk flag."
)


@dataclass(frozen=True)
class IntakeFacts:
    """The intake answers the recommendation reads."""

    substances: frozenset[Substance]
    oud_severity: OudSeverity
    age: int
    methadone_daily_mg: int | None = None
    prior_complicated_withdrawal: bool = False
    failed_outpatient_attempts: bool = False
    cardiac_disease: bool = False
    qtc_ms: int | None = None
    respiratory_disease: bool = False
    liver_disease: bool = False
    active_infection: bool = False
    pregnancy: PregnancyAnswer = PregnancyAnswer.NOT_APPLICABLE
    suicidality: bool = False
    psychosis: bool = False
    safe_housing: bool = True
    home_support: bool = True
    can_attend_daily: bool = True
    current_cows: int | None = None
    declines_opioid_agonist: bool = False


@dataclass(frozen=True)
class LevelOfCareRules:
    """Thresholds the facility may change; each cites where its default comes from."""

    older_age_from: int
    older_age_source: str
    qtc_limit_ms: int
    qtc_source: str
    methadone_mg_above_which_continue_methadone: int
    methadone_source: str
    inpatient_cows_from: int
    cows_source: str


PUBLISHED_LEVEL_OF_CARE_RULES = LevelOfCareRules(
    older_age_from=65,
    older_age_source="Reference §13: older age or frailty pushes toward a higher level (facility default 65)",
    qtc_limit_ms=450,
    qtc_source="Krantz et al., Ann Intern Med 2009; SAMHSA expert panel 2011 (reference §5): QTc >450 ms",
    methadone_mg_above_which_continue_methadone=30,
    methadone_source="Buprenorphine labels (reference §4): precipitated withdrawal more likely above 30 mg/day",
    inpatient_cows_from=25,
    cows_source="COWS band 'moderately severe' starts at 25 (Wesson & Ling 2003, reference §1)",
)

_LEVEL_SOURCE = "Reference §13, factors that push toward higher levels of care (our encoding)"
METHADONE_DOSE_UNKNOWN = "methadone daily dose unknown"


@dataclass(frozen=True)
class Reason:
    """One reason: the intake answer behind it, what it pushes toward, the words, the source."""

    factor: str
    effect: str
    text: str
    source: str


@dataclass(frozen=True)
class Recommendation:
    """The recommended setting and medicine family, with the reasons for both."""

    setting: CareSetting
    medication: WithdrawalMedication
    medication_assisted: bool
    reasons: tuple[Reason, ...]
    pregnancy_route_to_mat: bool
    # Facts that must be verified before a medicine can be chosen; each is named in a reason too.
    missing_facts: tuple[str, ...] = ()


def _inpatient_reasons(facts: IntakeFacts, rules: LevelOfCareRules) -> list[Reason]:
    found: list[tuple[bool, str, str, str]] = [
        *(
            (True, f"{s.label.lower()} co-use", "risk of seizures or delirium in withdrawal", _LEVEL_SOURCE)
            for s in sorted(facts.substances & SEDATIVES)
        ),
        (
            facts.prior_complicated_withdrawal,
            "past complicated withdrawal",
            "seizures or delirium before",
            _LEVEL_SOURCE,
        ),
        (
            facts.failed_outpatient_attempts,
            "repeated failed outpatient attempts",
            "a lower level did not work",
            _LEVEL_SOURCE,
        ),
        (facts.cardiac_disease, "cardiac disease", "unstable medical illness needs monitoring", _LEVEL_SOURCE),
        (
            facts.qtc_ms is not None and facts.qtc_ms > rules.qtc_limit_ms,
            f"QTc {facts.qtc_ms} ms",
            f"above {rules.qtc_limit_ms} ms: ECG monitoring with opioid agonists and QT-prolonging adjuncts",
            rules.qtc_source,
        ),
        (facts.respiratory_disease, "respiratory disease", "unstable medical illness needs monitoring", _LEVEL_SOURCE),
        (facts.liver_disease, "liver disease", "unstable medical illness needs monitoring", _LEVEL_SOURCE),
        (facts.active_infection, "active infection", "unstable medical illness needs monitoring", _LEVEL_SOURCE),
        (
            facts.pregnancy.counts_as_pregnant,
            "pregnancy",
            "maternal and fetal monitoring while starting MOUD",
            "Reference §11 and §13",
        ),
        (facts.suicidality, "suicidal thoughts", "acute psychiatric risk", _LEVEL_SOURCE),
        (facts.psychosis, "psychosis", "acute psychiatric risk", _LEVEL_SOURCE),
        (
            Substance.FENTANYL in facts.substances,
            "fentanyl use",
            "high or unknown tolerance; precipitated withdrawal is unpredictable",
            _LEVEL_SOURCE,
        ),
        (
            Substance.METHADONE in facts.substances,
            "methadone use",
            "methadone needs an OTP and careful titration",
            _LEVEL_SOURCE,
        ),
        (not facts.safe_housing, "no safe housing", "no safe place to withdraw", _LEVEL_SOURCE),
        (not facts.home_support, "no support at home", "nobody to watch over withdrawal at home", _LEVEL_SOURCE),
        (not facts.can_attend_daily, "cannot attend daily", "outpatient check-ins would be missed", _LEVEL_SOURCE),
        (
            facts.age >= rules.older_age_from,
            f"age {facts.age}",
            f"{rules.older_age_from} or older",
            rules.older_age_source,
        ),
        (
            facts.current_cows is not None and facts.current_cows >= rules.inpatient_cows_from,
            f"COWS {facts.current_cows}",
            f"at or above {rules.inpatient_cows_from}: moderately severe withdrawal now",
            rules.cows_source,
        ),
    ]
    return [
        Reason(factor=factor, effect="inpatient", text=f"{factor.capitalize()}: {why} → inpatient", source=source)
        for present, factor, why, source in found
        if present
    ]


def _medication(facts: IntakeFacts, rules: LevelOfCareRules, pregnant: bool) -> tuple[WithdrawalMedication, Reason]:
    on_methadone = (
        Substance.METHADONE in facts.substances
        and facts.methadone_daily_mg is not None
        and facts.methadone_daily_mg > rules.methadone_mg_above_which_continue_methadone
    )
    if on_methadone:
        return WithdrawalMedication.METHADONE, Reason(
            factor=f"methadone {facts.methadone_daily_mg} mg/day",
            effect="methadone",
            text=(
                f"Methadone {facts.methadone_daily_mg} mg/day: above "
                f"{rules.methadone_mg_above_which_continue_methadone} mg/day buprenorphine risks precipitated "
                "withdrawal → continue methadone (OTP)"
            ),
            source=rules.methadone_source,
        )
    if Substance.METHADONE in facts.substances and facts.methadone_daily_mg is None:
        # Buprenorphine precipitates withdrawal above about 30 mg/day: without the dose, no medicine is safe
        # to name yet, so none is recommended (reference §4).
        return WithdrawalMedication.PENDING_VERIFICATION, Reason(
            factor=METHADONE_DOSE_UNKNOWN,
            effect="verify before choosing a medicine",
            text=(
                "Methadone daily dose unknown: verify with the dispensing program before choosing a medicine "
                f"(above {rules.methadone_mg_above_which_continue_methadone} mg/day buprenorphine risks "
                "precipitated withdrawal)"
            ),
            source=rules.methadone_source,
        )
    if facts.declines_opioid_agonist and not pregnant:
        return WithdrawalMedication.ALPHA2_AGONIST, Reason(
            factor="declines buprenorphine and methadone",
            effect="alpha-2 agonist",
            text="Declines opioid agonist treatment → clonidine or lofexidine for symptoms (less effective)",
            source="ASAM NPG 2020; Cochrane, Gowing et al. (reference §6)",
        )
    return WithdrawalMedication.BUPRENORPHINE, Reason(
        factor="opioid use disorder",
        effect="buprenorphine",
        text=(
            "Buprenorphine or methadone relieve withdrawal and keep people in treatment better than alpha-2 "
            "agonists → buprenorphine"
        ),
        source="ASAM NPG 2020; Cochrane, Gowing et al. (reference §6 and §9)",
    )


def recommend_detox_method(
    facts: IntakeFacts, rules: LevelOfCareRules = PUBLISHED_LEVEL_OF_CARE_RULES
) -> Recommendation:
    """Inpatient if any factor needs 24-hour monitoring, else outpatient; medicine family by the facts."""
    reasons = _inpatient_reasons(facts, rules)
    if reasons:
        setting = CareSetting.INPATIENT
    else:
        setting = CareSetting.OUTPATIENT
        reasons.append(
            Reason(
                factor="no factor needing 24-hour monitoring",
                effect="outpatient",
                text="Safe housing, support at home, able to attend daily and no complicating factor → outpatient "
                "with scheduled check-ins",
                source=_LEVEL_SOURCE,
            )
        )
    pregnant = facts.pregnancy.counts_as_pregnant
    medication, why = _medication(facts, rules, pregnant)
    reasons.append(why)
    if pregnant:
        reasons.append(
            Reason(
                factor="pregnancy",
                effect="medication treatment (MOUD)",
                text=(
                    "Pregnancy: methadone or buprenorphine treatment is recommended over withdrawal management, "
                    "with obstetric referral; withdrawal needs a physician override and recorded consent"
                ),
                source="ACOG Committee Opinion 711 (2017, reaffirmed 2021); SAMHSA 2018; ASAM NPG 2020 (reference §11)",
            )
        )
    if facts.oud_severity is OudSeverity.NONE:
        reasons.append(
            Reason(
                factor="DSM-5 threshold not met",
                effect="review",
                text="Fewer than 2 DSM-5 criteria counted: confirm the diagnosis before starting treatment",
                source="APA DSM-5 (reference §3)",
            )
        )
    return Recommendation(
        setting=setting,
        medication=medication,
        medication_assisted=medication in (WithdrawalMedication.BUPRENORPHINE, WithdrawalMedication.METHADONE),
        reasons=tuple(reasons),
        pregnancy_route_to_mat=pregnant,
        missing_facts=(why.factor,) if medication is WithdrawalMedication.PENDING_VERIFICATION else (),
    )
