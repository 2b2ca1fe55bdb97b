"""The safety check run before every dose: hard stops and warnings, each with its reason and source.

Pure: the order's limits, the patient's facts, the recent assessments and vitals, and the last
24 hours of doses come in with `now`; a Verdict comes out. A hard stop blocks the dose unless a
physician overrides it with a recorded reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from detoxflow.clinical.formulary import FORMULARY, OPIOID_FAMILIES, Family, Medicine

PHYSICIAN = "physician"
# Its 24-hour maximum is lowered for liver disease or heavy alcohol use (reference §8).
ACETAMINOPHEN = "acetaminophen"


@dataclass(frozen=True)
class OrderLimits:
    """What the signed order allows; copied from its protocol when it was signed."""

    dose_mg: Decimal
    min_interval_minutes: int
    single_dose_max_mg: Decimal
    daily_max_mg: Decimal
    cows_at_least: int | None = None
    first_day_max_mg: Decimal | None = None
    first_dose_max_mg: Decimal | None = None


@dataclass(frozen=True)
class GivenDose:
    """A dose already given."""

    medicine_code: str
    family: Family
    dose_mg: Decimal
    at: dt.datetime


@dataclass(frozen=True)
class Observation:
    """The newest assessment and vitals, with when they were taken."""

    at: dt.datetime
    cows: int | None = None
    systolic_bp: int | None = None
    diastolic_bp: int | None = None
    heart_rate: int | None = None
    respiratory_rate: int | None = None
    spo2: int | None = None
    sedation: str = ""


@dataclass(frozen=True)
class PatientFacts:
    """What the check needs to know about the patient, as recorded at intake."""

    allergies: tuple[str, ...] = ()
    pregnant: bool = False
    qtc_ms: int | None = None
    # The date of the ECG the QTc comes from, when intake recorded it; every QT message names it.
    qtc_measured_on: dt.date | None = None
    # Last use of each opioid the patient used, keyed by intake substance ("heroin", "fentanyl",
    # "methadone", "prescription_opioids") or by kind ("short_acting"); see OPIOID_KINDS.
    last_opioid_use: dict[str, dt.datetime] | None = None
    # Opioids recorded at intake without a last-use time: their interval cannot be checked.
    opioids_without_last_use: frozenset[str] = frozenset()
    # Benzodiazepine or alcohol use recorded at intake ("benzodiazepines", "alcohol"): the last use,
    # or None when it was recorded without a time (or is a current prescription).
    sedative_use: dict[str, dt.datetime | None] | None = None
    liver_disease: bool = False
    heavy_alcohol_use: bool = False


# Benzodiazepines (and Z-drugs) a current-medication list may name, generic and common US brand names
# (reference §19 equivalence table): a prescribed one counts as benzodiazepine use for the opioid warning.
BENZODIAZEPINE_NAMES = (
    "alprazolam",
    "xanax",
    "chlordiazepoxide",
    "librium",
    "clonazepam",
    "klonopin",
    "clorazepate",
    "tranxene",
    "diazepam",
    "valium",
    "lorazepam",
    "ativan",
    "oxazepam",
    "temazepam",
    "restoril",
    "triazolam",
    "halcion",
    "zolpidem",
    "ambien",
    "zopiclone",
    "eszopiclone",
    "lunesta",
)


def names_a_benzodiazepine(text: str) -> bool:
    """Whether free text (the current-medication list) names a benzodiazepine or Z-drug."""
    words = "".join(c if c.isalpha() else " " for c in text.lower()).split()
    return any(name in words for name in BENZODIAZEPINE_NAMES)


# Which induction interval and COWS threshold each recorded opioid is held to (reference §4).
OPIOID_KINDS = {
    "heroin": "short_acting",
    "prescription_opioids": "short_acting",
    "short_acting": "short_acting",
    "fentanyl": "fentanyl",
    "methadone": "methadone",
}
_OPIOID_WORDS = {
    "heroin": "heroin",
    "prescription_opioids": "prescription opioids",
    "short_acting": "a short-acting opioid",
    "fentanyl": "fentanyl",
    "methadone": "methadone",
}


@dataclass(frozen=True)
class SafetyRules:
    """Thresholds the check uses, flat so a facility can change each one; each group cites its source."""

    induction_cows_short_acting: int
    induction_cows_fentanyl: int
    induction_cows_methadone: int
    induction_hours_short_acting: int
    induction_hours_fentanyl: int
    induction_hours_methadone: int
    induction_source: str
    observation_fresh_minutes: int
    clonidine_hold_systolic: int
    clonidine_hold_diastolic: int
    clonidine_hold_heart_rate: int
    lofexidine_hold_systolic: int
    lofexidine_hold_diastolic: int
    lofexidine_hold_heart_rate: int
    alpha2_source: str
    min_respiratory_rate: int
    min_spo2: int
    unacceptable_sedation: frozenset[str]
    sedation_source: str
    qtc_warn_above: int
    qtc_stop_from: int
    qtc_source: str
    qt_risk_warn_above: int
    qt_risk_stop_from: int
    qt_risk_source: str
    methadone_first_dose_max_mg: int
    methadone_first_day_max_mg: int
    methadone_start_source: str
    benzodiazepine_use_within_hours: int
    alcohol_use_within_hours: int
    sedative_use_source: str
    acetaminophen_liver_daily_max_mg: int
    acetaminophen_liver_source: str

    @property
    def induction_cows(self) -> dict[str, int]:
        return {
            "short_acting": self.induction_cows_short_acting,
            "fentanyl": self.induction_cows_fentanyl,
            "methadone": self.induction_cows_methadone,
        }

    @property
    def induction_hours(self) -> dict[str, int]:
        return {
            "short_acting": self.induction_hours_short_acting,
            "fentanyl": self.induction_hours_fentanyl,
            "methadone": self.induction_hours_methadone,
        }

    @property
    def alpha2_hold(self) -> dict[str, dict[str, int]]:
        return {
            "clonidine": {
                "systolic_bp": self.clonidine_hold_systolic,
                "diastolic_bp": self.clonidine_hold_diastolic,
                "heart_rate": self.clonidine_hold_heart_rate,
            },
            "lofexidine": {
                "systolic_bp": self.lofexidine_hold_systolic,
                "diastolic_bp": self.lofexidine_hold_diastolic,
                "heart_rate": self.lofexidine_hold_heart_rate,
            },
        }


PUBLISHED_SAFETY_RULES = SafetyRules(
    induction_cows_short_acting=8,
    induction_cows_fentanyl=13,
    induction_cows_methadone=13,
    induction_hours_short_acting=12,
    induction_hours_fentanyl=24,
    induction_hours_methadone=72,
    induction_source=(
        "Reference §4: COWS 8 for heroin once 12 h have passed (software default, not a guideline); higher for "
        "fentanyl and methadone (ASAM 2023; methadone 72 h in many protocols). Verify against TIP 63"
    ),
    observation_fresh_minutes=60,
    clonidine_hold_systolic=90,
    clonidine_hold_diastolic=60,
    clonidine_hold_heart_rate=60,
    lofexidine_hold_systolic=90,
    lofexidine_hold_diastolic=50,
    lofexidine_hold_heart_rate=50,
    alpha2_source="Reference §6: typical protocol holds (clonidine); Fishman 2019 trial events (lofexidine)",
    min_respiratory_rate=10,
    min_spo2=90,
    unacceptable_sedation=frozenset({"3", "4"}),
    sedation_source="Pasero POSS 3-4 unacceptable; RR <10 and SpO2 <90 local policy (reference §7)",
    qtc_warn_above=450,
    qtc_stop_from=500,
    qtc_source="Krantz et al. 2009; SAMHSA 2011 (reference §5)",
    qt_risk_warn_above=450,
    qt_risk_stop_from=500,
    qt_risk_source=(
        "QT-prolonging adjuncts (lofexidine: Lucemyra label, avoid with QT prolongation, monitor ECG; ondansetron: "
        "FDA 2011-12; hydroxyzine: EMA/MHRA 2015; loperamide: FDA DSC 2016; trazodone) held to the methadone QTc "
        "thresholds of Krantz et al. 2009 / SAMHSA 2011 (reference §5, §6, §8): warn above 450 ms, stop from 500 ms"
    ),
    methadone_first_dose_max_mg=30,
    methadone_first_day_max_mg=40,
    methadone_start_source=(
        "FDA Dolophine/Methadose label: initial dose 20-30 mg, not more than 30 mg; total on the first day "
        "ordinarily not more than 40 mg (reference §5). A higher facility value rests on 42 CFR 8.12(h) as amended "
        "in 2024 (89 FR 7528: initial dose up to 50 mg, higher with documented justification; verify the eCFR)"
    ),
    benzodiazepine_use_within_hours=168,
    alcohol_use_within_hours=24,
    sedative_use_source=(
        "FDA Drug Safety Communications 31 Aug 2016 (opioids with benzodiazepines or other CNS depressants, "
        "alcohol included) and 20 Sep 2017 (reference §7, §18); windows are a facility default: 7 days for "
        "benzodiazepines (long-acting agents and metabolites persist for days), 24 h for alcohol"
    ),
    acetaminophen_liver_daily_max_mg=2000,
    acetaminophen_liver_source=(
        "Reference §8: label ≤4 g/day, many facilities ≤3 g, and ≤2 g with liver disease or heavy alcohol use"
    ),
)


@dataclass(frozen=True)
class Finding:
    """One hard stop or warning: which rule, what it says, where it comes from."""

    rule_id: str
    message: str
    source: str


@dataclass(frozen=True)
class Verdict:
    """The result of the check; `allowed` is False while any hard stop stands."""

    hard_stops: tuple[Finding, ...]
    warnings: tuple[Finding, ...]
    overridable_by: frozenset[str] = frozenset({PHYSICIAN})

    @property
    def allowed(self) -> bool:
        return not self.hard_stops


def _mg(value: Decimal) -> str:
    return f"{value.normalize():f} mg"


def check_dose(
    medicine: Medicine,
    limits: OrderLimits,
    *,
    patient: PatientFacts,
    latest: Observation | None,
    doses: tuple[GivenDose, ...],
    active_families: frozenset[Family],
    now: dt.datetime,
    rules: SafetyRules = PUBLISHED_SAFETY_RULES,
    active_medicines: frozenset[str] = frozenset(),
) -> Verdict:
    """Run every rule for one dose of `medicine` at `limits.dose_mg` given now.

    `doses` is the episode's dose history (the 24-hour rules take their own window); `active_families`
    are the families of the patient's other active orders and `active_medicines` their formulary codes.
    """
    stops, warnings = _dose_limits(medicine, limits, doses, now, patient=patient, rules=rules)
    if limits.cows_at_least is not None:
        fresh = _fresh(latest, now, rules)
        if fresh is None or fresh.cows is None:
            stops.append(
                Finding(
                    "cows-required",
                    f"No COWS in the last {rules.observation_fresh_minutes} min; this order is triggered by COWS",
                    "The signed order",
                )
            )
        elif fresh.cows < limits.cows_at_least:
            stops.append(
                Finding(
                    "cows-below-trigger",
                    f"COWS {fresh.cows} is below the order's {limits.cows_at_least}",
                    "The signed order",
                )
            )
    if medicine.family is Family.BUPRENORPHINE and not any(d.family is Family.BUPRENORPHINE for d in doses):
        stops += _induction_readiness(patient, latest, now, rules)
    if medicine.family is Family.METHADONE:
        stops += _methadone_first_day(limits, doses, now, rules)
        warnings += _qtc(patient, rules, stops)
        warnings += _beside_qt_risk_medicines(medicine, patient, active_medicines, rules)
    elif medicine.qt_risk:
        warnings += _qt_risk(medicine, patient, rules, stops, methadone_active=Family.METHADONE in active_families)
    if medicine.family is Family.ALPHA2_AGONIST:
        stops += _alpha2_hold(medicine, latest, now, rules)
    if medicine.opioid or medicine.sedative:
        stops += _sedation(medicine, latest, now, rules)
        warnings += _opioid_with_sedatives(medicine, patient, active_families, now, rules)
    if medicine.family in active_families:
        warnings.append(
            Finding(
                "duplicate-therapy",
                f"Another {medicine.family.value.replace('_', ' ')} order is active (duplicate therapy)",
                "Facility policy (default)",
            )
        )
    if medicine.opioid and active_families & (OPIOID_FAMILIES - {medicine.family}):
        warnings.append(
            Finding(
                "duplicate-opioid-agonist",
                "Buprenorphine and methadone are both ordered",
                "Reference §4: buprenorphine displaces full agonists (precipitated withdrawal)",
            )
        )
    stops += _allergy(medicine, patient)
    warnings += _pregnancy(medicine, patient)
    return Verdict(hard_stops=tuple(stops), warnings=tuple(warnings))


_LIVER_FACTS = (("liver_disease", "liver disease"), ("heavy_alcohol_use", "heavy alcohol use"))
_SEDATION_WARNING = (
    "profound sedation and respiratory depression are possible; monitor closely. Do not withhold buprenorphine "
    "or methadone for this alone"
)


def _opioid_with_sedatives(
    medicine: Medicine, patient: PatientFacts, active_families: frozenset[Family], now: dt.datetime, rules: SafetyRules
) -> list[Finding]:
    """An opioid with a benzodiazepine ordered, or benzodiazepine or alcohol use recorded at intake."""
    found: list[Finding] = []
    if (medicine.opioid and Family.BENZODIAZEPINE in active_families) or (
        medicine.sedative and active_families & OPIOID_FAMILIES
    ):
        found.append(
            Finding(
                "opioid-benzodiazepine",
                f"An opioid and a benzodiazepine are both active: {_SEDATION_WARNING}",
                "FDA Drug Safety Communications 31 Aug 2016 and 20 Sep 2017 (reference §7)",
            )
        )
    if not medicine.opioid:
        return found
    windows = {
        "benzodiazepines": ("benzodiazepine", rules.benzodiazepine_use_within_hours),
        "alcohol": ("alcohol", rules.alcohol_use_within_hours),
    }
    recent = []
    for substance, last in sorted((patient.sedative_use or {}).items()):
        if substance not in windows:
            continue
        word, hours = windows[substance]
        if last is None:
            recent.append(f"{word} use recorded at intake (time of last use not recorded)")
        elif now - last < dt.timedelta(hours=hours):
            recent.append(f"{word} use recorded at intake, last {last:%Y-%m-%d %H:%M} (within {hours} h)")
    if recent:
        found.append(
            Finding(
                "opioid-benzodiazepine",
                f"{medicine.name} with {'; '.join(recent)}: {_SEDATION_WARNING}",
                rules.sedative_use_source,
            )
        )
    return found


def _dose_limits(
    medicine: Medicine,
    limits: OrderLimits,
    doses: tuple[GivenDose, ...],
    now: dt.datetime,
    *,
    patient: PatientFacts,
    rules: SafetyRules,
) -> tuple[list[Finding], list[Finding]]:
    """Single-dose and rolling 24-hour maximums, and the order's minimum interval."""
    stops: list[Finding] = []
    warnings: list[Finding] = []
    dose = limits.dose_mg
    window = [d for d in doses if now - dt.timedelta(hours=24) < d.at <= now]
    same = [d for d in window if d.medicine_code == medicine.code]
    family_doses = [d for d in window if d.family is medicine.family]

    single_max = min(limits.single_dose_max_mg, medicine.single_dose_max_mg)
    if dose > single_max:
        stops.append(
            Finding(
                "single-dose-max",
                f"{medicine.name} {_mg(dose)} is above the single-dose maximum of {_mg(single_max)}",
                medicine.source,
            )
        )
    daily_max, daily_source, why = min(limits.daily_max_mg, medicine.daily_max_mg), medicine.source, ""
    liver = [word for present, word in _LIVER_FACTS if getattr(patient, present)]
    if medicine.code == ACETAMINOPHEN and liver and rules.acetaminophen_liver_daily_max_mg < daily_max:
        daily_max = Decimal(rules.acetaminophen_liver_daily_max_mg)
        daily_source = rules.acetaminophen_liver_source
        why = f" (lowered for {' and '.join(liver)} recorded at intake)"
    given_24h = sum((d.dose_mg for d in family_doses), Decimal(0))
    if given_24h + dose > daily_max:
        stops.append(
            Finding(
                "daily-max",
                f"{_mg(given_24h)} given in the last 24 hours; another {_mg(dose)} would "
                f"exceed the 24-hour maximum of {_mg(daily_max)}{why}",
                daily_source,
            )
        )
    elif medicine.daily_warn_mg is not None and given_24h + dose > medicine.daily_warn_mg:
        warnings.append(
            Finding(
                "daily-warn",
                f"{_mg(given_24h + dose)} in 24 hours is above {_mg(medicine.daily_warn_mg)}"
                "; higher doses may be appropriate for some patients",
                medicine.source,
            )
        )
    if same:
        last = max(same, key=lambda d: d.at)
        earliest = last.at + dt.timedelta(minutes=limits.min_interval_minutes)
        if now < earliest:
            stops.append(
                Finding(
                    "too-soon",
                    f"Last {_mg(last.dose_mg)} at {last.at:%H:%M}; the order allows one every "
                    f"{limits.min_interval_minutes} min, next from {earliest:%H:%M}",
                    "The signed order",
                )
            )
    return stops, warnings


def _fresh(latest: Observation | None, now: dt.datetime, rules: SafetyRules) -> Observation | None:
    if latest is None or now - latest.at > dt.timedelta(minutes=rules.observation_fresh_minutes):
        return None
    return latest


def _induction_readiness(
    patient: PatientFacts, latest: Observation | None, now: dt.datetime, rules: SafetyRules
) -> list[Finding]:
    """Every opioid the patient used must meet its own wait and COWS threshold before a first dose.

    A long-acting opioid does not excuse a short-acting one taken since: methadone 100 h ago and
    heroin 2 h ago still leaves heroin on the receptors (reference §4).
    """
    used = dict(patient.last_opioid_use or {})
    recorded = sorted(set(used) | set(patient.opioids_without_last_use))
    kinds = {name: OPIOID_KINDS.get(name, "short_acting") for name in recorded} or {"short_acting": "short_acting"}
    stops = []
    fresh = _fresh(latest, now, rules)
    if fresh is None or fresh.cows is None:
        stops.append(
            Finding(
                "induction-cows",
                f"First buprenorphine dose: no COWS in the last {rules.observation_fresh_minutes} min",
                rules.induction_source,
            )
        )
    else:
        short = [
            f"{rules.induction_cows[kind]} required after {_opioid_word(name)} use"
            for name, kind in kinds.items()
            if fresh.cows < rules.induction_cows[kind]
        ]
        if short:
            stops.append(
                Finding(
                    "induction-cows",
                    f"First buprenorphine dose: COWS {fresh.cows} is below the {', and the '.join(short)} "
                    "(precipitated withdrawal risk)",
                    rules.induction_source,
                )
            )
    for name, kind in kinds.items():
        needed = rules.induction_hours[kind]
        if name in used:
            hours = (now - used[name]).total_seconds() / 3600
            if hours < needed:
                stops.append(
                    Finding(
                        "induction-hours",
                        f"First buprenorphine dose: {_hours(hours)} since {_opioid_word(name)}; "
                        f"wait at least {needed} h",
                        rules.induction_source,
                    )
                )
        elif name in patient.opioids_without_last_use:
            stops.append(
                Finding(
                    "induction-hours",
                    f"First buprenorphine dose: last use of {_opioid_word(name)} is not recorded; it must be at "
                    f"least {needed} h ago. Record it at intake",
                    rules.induction_source,
                )
            )
    return stops


def _opioid_word(name: str) -> str:
    return _OPIOID_WORDS.get(name, name.replace("_", " "))


def _hours(hours: float) -> str:
    # Rounded down, so 11.6 h is never shown as the 12 h that would have been enough.
    return f"{int(hours)} h" if hours >= 1 else f"{int(hours * 60)} min"


def _methadone_first_day(
    limits: OrderLimits, doses: tuple[GivenDose, ...], now: dt.datetime, rules: SafetyRules
) -> list[Finding]:
    """The first methadone dose and the first day's total, from rule data, whatever the order carries.

    An order may carry tighter limits of its own; it can never loosen these (the stop is overridable by a
    physician, e.g. for a dose verified with the patient's opioid treatment program).
    """
    previous = sorted((d for d in doses if d.family is Family.METHADONE), key=lambda d: d.at)
    first_dose_max = min(
        v for v in (Decimal(rules.methadone_first_dose_max_mg), limits.first_dose_max_mg) if v is not None
    )
    first_day_max = min(
        v for v in (Decimal(rules.methadone_first_day_max_mg), limits.first_day_max_mg) if v is not None
    )
    source = rules.methadone_start_source
    if not previous:
        if limits.dose_mg > first_dose_max:
            return [
                Finding(
                    "methadone-first-dose",
                    f"First methadone dose {_mg(limits.dose_mg)} is above the first-dose limit of "
                    f"{_mg(first_dose_max)} (FDA label: not more than 30 mg); a physician may override with a reason",
                    source,
                )
            ]
        return []
    if now - previous[0].at < dt.timedelta(hours=24):
        first_day = sum((d.dose_mg for d in previous if d.at - previous[0].at < dt.timedelta(hours=24)), Decimal(0))
        if first_day + limits.dose_mg > first_day_max:
            return [
                Finding(
                    "methadone-first-day",
                    f"{_mg(first_day)} given since the first methadone dose at {previous[0].at:%H:%M}; another "
                    f"{_mg(limits.dose_mg)} exceeds the first-day limit of {_mg(first_day_max)} "
                    "(FDA label: ordinarily not more than 40 mg)",
                    source,
                )
            ]
    return []


def _qtc_on_record(patient: PatientFacts, *, sentence_start: bool = False) -> str:
    """The last QTc with the date of its ECG, as every QT message names it."""
    if patient.qtc_ms is None:
        return "No QTc on record" if sentence_start else "no QTc on record"
    when = f"measured {patient.qtc_measured_on:%Y-%m-%d}" if patient.qtc_measured_on else "ECG date not recorded"
    return f"{'Last' if sentence_start else 'last'} QTc {patient.qtc_ms} ms ({when})"


def _qtc(patient: PatientFacts, rules: SafetyRules, stops: list[Finding]) -> list[Finding]:
    if patient.qtc_ms is None:
        return [Finding("qtc-unknown", "No QTc on record before methadone; get an ECG", rules.qtc_source)]
    qtc = _qtc_on_record(patient, sentence_start=True)
    if patient.qtc_ms >= rules.qtc_stop_from:
        stops.append(
            Finding(
                "qtc",
                f"{qtc} is {rules.qtc_stop_from} ms or more: consider reducing or "
                "stopping methadone, correcting contributors or switching",
                rules.qtc_source,
            )
        )
        return []
    if patient.qtc_ms > rules.qtc_warn_above:
        return [
            Finding(
                "qtc",
                f"{qtc} is above {rules.qtc_warn_above} ms: discuss risks and monitor more often",
                rules.qtc_source,
            )
        ]
    return []


def _beside_qt_risk_medicines(
    medicine: Medicine, patient: PatientFacts, active_medicines: frozenset[str], rules: SafetyRules
) -> list[Finding]:
    """Methadone while a QT-prolonging adjunct is ordered: the same additive risk, seen from methadone's side."""
    others = sorted(
        FORMULARY[code].name
        for code in active_medicines
        if code in FORMULARY and FORMULARY[code].qt_risk and code != medicine.code
    )
    if not others:
        return []
    return [
        Finding(
            "qt-risk-with-methadone",
            f"{', '.join(others)} also prolong{'s' if len(others) == 1 else ''} the QT interval: additive "
            f"QT risk with methadone; {_qtc_on_record(patient)}",
            rules.qt_risk_source,
        )
    ]


def _qt_risk(
    medicine: Medicine, patient: PatientFacts, rules: SafetyRules, stops: list[Finding], *, methadone_active: bool
) -> list[Finding]:
    """A QT-prolonging adjunct against the last QTc, and beside methadone (reference §5: additive QT drugs)."""
    warnings = []
    qtc = _qtc_on_record(patient)
    if patient.qtc_ms is not None and patient.qtc_ms >= rules.qt_risk_stop_from:
        stops.append(
            Finding(
                "qt-risk",
                f"{medicine.name} prolongs the QT interval and the {qtc} is {rules.qt_risk_stop_from} ms or more: "
                "hold it, check electrolytes and repeat the ECG",
                rules.qt_risk_source,
            )
        )
    elif patient.qtc_ms is not None and patient.qtc_ms > rules.qt_risk_warn_above:
        warnings.append(
            Finding(
                "qt-risk",
                f"{medicine.name} prolongs the QT interval and the {qtc} is above {rules.qt_risk_warn_above} ms: "
                "consider another medicine or monitor the ECG",
                rules.qt_risk_source,
            )
        )
    if methadone_active:
        warnings.append(
            Finding(
                "qt-risk-with-methadone",
                f"{medicine.name} prolongs the QT interval and methadone is active: additive QT risk; {qtc}",
                rules.qt_risk_source,
            )
        )
    return warnings


def _alpha2_hold(medicine: Medicine, latest: Observation | None, now: dt.datetime, rules: SafetyRules) -> list[Finding]:
    holds = rules.alpha2_hold.get(medicine.code, rules.alpha2_hold["clonidine"])
    fresh = _fresh(latest, now, rules)
    if fresh is None or fresh.systolic_bp is None or fresh.heart_rate is None:
        return [
            Finding(
                "alpha2-vitals",
                f"Check blood pressure and heart rate before {medicine.name} (none in the "
                f"last {rules.observation_fresh_minutes} min)",
                rules.alpha2_source,
            )
        ]
    low = [
        f"{name.replace('_', ' ')} {value} < {limit}"
        for name, limit in holds.items()
        if (value := getattr(fresh, name)) is not None and value < limit
    ]
    if low:
        return [Finding("alpha2-hold", f"Hold {medicine.name}: " + ", ".join(low), rules.alpha2_source)]
    return []


def _sedation(medicine: Medicine, latest: Observation | None, now: dt.datetime, rules: SafetyRules) -> list[Finding]:
    fresh = _fresh(latest, now, rules)
    kind = "an opioid" if medicine.opioid else "a benzodiazepine"
    if fresh is None or not fresh.sedation or fresh.respiratory_rate is None:
        return [
            Finding(
                "sedation-check",
                f"Record sedation (POSS) and respiratory rate within "
                f"{rules.observation_fresh_minutes} min before {kind}",
                rules.sedation_source,
            )
        ]
    found = []
    if fresh.sedation in rules.unacceptable_sedation:
        found.append(Finding("sedation", f"POSS {fresh.sedation}: hold sedatives and opioids", rules.sedation_source))
    if fresh.respiratory_rate < rules.min_respiratory_rate:
        found.append(
            Finding(
                "respiratory-rate",
                f"Respiratory rate {fresh.respiratory_rate} is below {rules.min_respiratory_rate}",
                rules.sedation_source,
            )
        )
    if fresh.spo2 is not None and fresh.spo2 < rules.min_spo2:
        found.append(Finding("spo2", f"SpO2 {fresh.spo2}% is below {rules.min_spo2}%", rules.sedation_source))
    return found


def _allergy(medicine: Medicine, patient: PatientFacts) -> list[Finding]:
    for allergy in patient.allergies:
        text = allergy.lower()
        if any(term in text or text in term for term in medicine.allergy_terms):
            return [Finding("allergy", f"Recorded allergy: {allergy}", "Patient record")]
    return []


def _pregnancy(medicine: Medicine, patient: PatientFacts) -> list[Finding]:
    if not patient.pregnant:
        return []
    if medicine.family in (Family.ALPHA2_AGONIST, Family.BENZODIAZEPINE):
        return [
            Finding(
                "pregnancy",
                f"Pregnancy: {medicine.name} for withdrawal; methadone or buprenorphine is "
                "recommended over withdrawal management",
                "ACOG CO 711; SAMHSA 2018 (reference §11)",
            )
        ]
    if medicine.family is Family.NSAID:
        return [
            Finding(
                "pregnancy",
                "Pregnancy: NSAIDs are usually avoided; consider acetaminophen",
                "Facility policy (default)",
            )
        ]
    return []
